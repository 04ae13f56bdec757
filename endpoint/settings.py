"""Endpoint settings: one table of (name, default, help). Each can be set by an
environment variable ``PORTAL_<NAME>`` (upper case) or a ``portal endpoint``
option; a wrong type stops the start with a sentence naming the setting.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class Settings:
    site: str = field(default="site", metadata={"help": "Built site folder (holds forms/spec.json)"})
    db: str = field(default="sqlite:///submissions.db", metadata={"help": "sqlite:///path or postgresql://…"})
    secret: str = field(default="", metadata={"help": "Key for signing form tokens (default: random per start; "
                                                      "set it so tokens survive restarts)"})
    site_url: str = field(default="", metadata={"help": "Public site address, for links back and the origin list"})
    allowed_origins: str = field(default="", metadata={"help": "Comma-separated origins allowed to post "
                                                               "(default: the site_url's origin; * for any)"})
    max_body: int = field(default=64 * 1024, metadata={"help": "Largest accepted request body, bytes"})
    min_seconds: float = field(default=3.0, metadata={"help": "A fresh token used sooner than this is refused"})
    token_hours: float = field(default=12.0, metadata={"help": "A fresh token expires after this many hours"})
    static_token_days: float = field(default=60.0, metadata={"help": "A build-time token expires after this many days"})
    rate_per_minute: float = field(default=10.0, metadata={"help": "Submissions per client per minute (0: off)"})
    rate_burst: int = field(default=5, metadata={"help": "Submissions a client may send at once"})
    lookup_per_minute: float = field(default=30.0, metadata={"help": "Receipt lookups and ratings per client "
                                                                     "per minute (0: off)"})
    lookup_burst: int = field(default=20, metadata={"help": "Receipt lookups and ratings a client may make at once"})
    ballot_misses_per_minute: float = field(default=5.0, metadata={"help": "Wrong ballot codes per client per "
                                                                          "minute (0: off)"})
    ballot_misses_burst: int = field(default=10, metadata={"help": "Wrong ballot codes a client may send at once"})
    ballot_round_misses_per_minute: float = field(default=30.0, metadata={"help": "Wrong ballot codes per round "
                                                                                "per minute, all clients (0: off)"})
    ballot_round_misses_burst: int = field(default=300, metadata={"help": "Wrong ballot codes per round at once"})
    pow_bits: int = field(default=0, metadata={"help": "Proof-of-work difficulty in bits (0: off; needs JavaScript)"})
    header_timeout: float = field(default=15.0, metadata={"help": "Seconds a client has to send a request's "
                                                                  "head (slow clients are closed)"})
    body_timeout: float = field(default=30.0, metadata={"help": "Seconds a client has to send a request's body"})
    max_connections: int = field(default=0, metadata={"help": "Open connections per process (0: from the "
                                                              "descriptor limit)"})
    trust_proxy: bool = field(default=False, metadata={"help": "Take the client address from X-Forwarded-For"})
    encryption_key: str = field(default="", metadata={"help": "Fernet key to encrypt private fields at rest (optional)"})
    webhooks: str = field(default="", metadata={"help": "Forwarding targets, comma-separated kind=url: "
                                                        "json=…, wecom=…, dingtalk=…, feishu=…"})
    smtp: str = field(default="", metadata={"help": "smtp://host:port/?from=…&to=…,… for e-mail forwarding"})

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = os.environ.get(f"PORTAL_{f.name.upper()}")
            if overrides.get(f.name) is not None:
                raw = overrides[f.name]
            if raw is None:
                continue
            values[f.name] = _convert(f.name, f.type, raw)
        return cls(**values)

    def origins(self) -> set[str]:
        if self.allowed_origins:
            return {o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()}
        if self.site_url:
            from urllib.parse import urlsplit

            parts = urlsplit(self.site_url)
            return {f"{parts.scheme}://{parts.netloc}"}
        return {"*"}


def _convert(name: str, kind: Any, raw: Any) -> Any:
    kind = kind if isinstance(kind, str) else getattr(kind, "__name__", str(kind))
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool":
            return raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "yes", "on")
        return str(raw)
    except (TypeError, ValueError):
        raise SystemExit(f"setting {name}: expected {kind}, got {raw!r}") from None
