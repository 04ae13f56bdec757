"""The committee's inbox: read, answer and publish submissions.

Library functions mirroring ``portal inbox list|show|export|reply|publish``.
``publish`` is the only way submissions reach the public site: it writes
``data/requests/<year>.yaml`` with category, dates, status and the committee's
reply — never the resident's text or private fields — and ``portal check``
then validates that file like any other.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

from endpoint.receipts import normalize
from endpoint.store import STATUSES, Store
from generator.receipt_key import receipt_key

#: Form kinds whose submissions are published one by one (others only in aggregate).
PUBLISHED_KINDS = ("suggestion", "request", "agenda-proposal")


class InboxError(Exception):
    """A mistake the committee member can fix (unknown receipt, bad status …)."""


def open_store(db: str, encryption_key: str = "") -> Store:
    return Store(db)


def _decrypt(value: str | None, key: str) -> dict[str, Any]:
    if not value:
        return {}
    if key:
        from cryptography.fernet import Fernet

        value = Fernet(key.encode()).decrypt(value.encode()).decode()
    try:
        return json.loads(value)
    except ValueError:
        return {"(encrypted)": "set PORTAL_ENCRYPTION_KEY to read"}


def _receipt(text: str) -> str:
    receipt = normalize(text)
    if receipt is None:
        raise InboxError(f"“{text}” 不是回执号格式 (XXXX-XXXX-XX) · not a receipt number")
    return receipt


def list_submissions(store: Store, status: str | None = None, form: str | None = None) -> list[dict[str, Any]]:
    return store.list(status=status, form_id=form)


def show(store: Store, receipt: str, encryption_key: str = "") -> dict[str, Any]:
    sub = store.get(_receipt(receipt))
    if sub is None:
        raise InboxError(f"没有回执号为 {receipt} 的提交 · no submission with receipt {receipt}")
    out = dict(sub)
    out["public"] = json.loads(out.pop("public_json"))
    out["private"] = _decrypt(out.pop("private_json"), encryption_key)
    out["events"] = store.events(sub["receipt"])
    return out


def reply(store: Store, receipt: str, status: str, text: str | None, category: str | None = None) -> dict[str, Any]:
    if status not in STATUSES:
        raise InboxError(f"状态只能是 {', '.join(STATUSES)} · status must be one of {', '.join(STATUSES)}")
    r = _receipt(receipt)
    if store.get(r) is None:
        raise InboxError(f"没有回执号为 {receipt} 的提交 · no submission with receipt {receipt}")
    if status in ("answered", "closed") and not text and not store.get(r)["reply"]:
        raise InboxError("答复或办结时请用 --text 写明答复 · give the reply with --text")
    store.reply(r, status, text, category)
    return store.get(r)


_FORMULA = ("=", "+", "-", "@", "\t", "\r")
#: Control characters but tab, line feed and carriage return, DEL, and lone surrogates: a NUL
#: truncates the cell (or the file) in spreadsheet programs, escapes rewrite terminals.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _safe_cell(value: Any) -> str:
    """A cell committees can open in Excel or WPS: control characters dropped, and
    text that a spreadsheet would run as a formula (CSV injection) prefixed with
    an apostrophe. Numbers stay numbers (``-1`` is no formula).

    >>> _safe_cell("=HYPERLINK(\\"http://x\\")"), _safe_cell("路灯\\x00"), _safe_cell(-1)
    ('\\'=HYPERLINK("http://x")', '路灯', '-1')
    """
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = _CONTROL.sub("", text)
    return "'" + text if text.startswith(_FORMULA) else text


def export(store: Store, fmt: str = "csv", encryption_key: str = "") -> str:
    rows = []
    for sub in store.list():
        public = json.loads(sub["public_json"])
        private = _decrypt(sub["private_json"], encryption_key)
        rows.append({"receipt": sub["receipt"], "form": sub["form_id"], "received": sub["received_at"],
                     "status": sub["status"], "category": sub["category"], "reply": sub["reply"],
                     "rating": sub["rating"], **{f"field:{k}": v for k, v in public.items()},
                     **{f"private:{k}": v for k, v in private.items()}})
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([_safe_cell(c) for c in columns])
    for row in rows:
        writer.writerow([_safe_cell(row.get(c)) for c in columns])
    return buf.getvalue()


def publish(store: Store, project: Path) -> list[Path]:
    """Write ``data/requests/<year>.yaml`` from the inbox; returns the files written."""
    from generator.load import load_yaml_kinds

    docs, _ = load_yaml_kinds(project)
    community = next((d.model for d in docs["community"] if d.model is not None), None)
    if community is None:
        raise InboxError("data/community.yaml 无效，无法发布 · data/community.yaml is not valid")
    forms = {d.model.id: d.model for d in docs["form"] if d.model is not None}
    by_year: dict[int, list[dict[str, Any]]] = defaultdict(list)
    ratings: dict[int, dict[tuple[str, str], Counter[int]]] = defaultdict(lambda: defaultdict(Counter))
    published = []
    for sub in sorted(store.list(), key=lambda s: (s["received_at"], s["receipt"])):
        form = forms.get(sub["form_id"])
        received = dt.datetime.fromisoformat(sub["received_at"]).date()
        if form is None:
            continue
        if form.kind == "satisfaction":
            public = json.loads(sub["public_json"])
            for f in form.fields:
                if f.type == "rating" and isinstance(public.get(f.name), int):
                    ratings[received.year][(form.id, f.name)][public[f.name]] += 1
            continue
        if form.kind not in PUBLISHED_KINDS:
            continue
        year_list = by_year[received.year]
        events = store.events(sub["receipt"])
        first_reply = next((e["at"][:10] for e in events if e["kind"].startswith("status:") and e["detail"]), None)
        closed = next((e["at"][:10] for e in events if e["kind"] in ("status:closed", "status:rejected")), None)
        record: dict[str, Any] = {
            "id": f"R{received.year}-{len(year_list) + 1:04d}",
            "receipt_key": receipt_key(sub["receipt"], community.id),
            "form": form.id,
            "category": sub["category"],
            "received": received,
            "first_reply": dt.date.fromisoformat(first_reply) if first_reply else None,
            "closed": dt.date.fromisoformat(closed) if closed else None,
            "status": sub["status"],
            "reply": sub["reply"],
            "rating": sub["rating"],
        }
        year_list.append({k: v for k, v in record.items() if v is not None})
        published.append(sub["receipt"])
    folder = project / "data" / "requests"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for year in sorted(set(by_year) | set(ratings)):
        satisfaction = []
        for (form_id, field_name), counts in sorted(ratings[year].items()):
            field = next(f for f in forms[form_id].fields if f.name == field_name)
            label = field.label if isinstance(field.label, str) else dict(field.label)
            satisfaction.append({"form": form_id, "field": field_name, "label": label,
                                 "counts": {k: counts[k] for k in sorted(counts)}})
        doc: dict[str, Any] = {"id": str(year), "requests": by_year.get(year, [])}
        if satisfaction:
            doc["satisfaction"] = satisfaction
        path = folder / f"{year}.yaml"
        header = ("# 由 portal inbox publish 生成，请勿手工修改；答复请用 portal inbox reply。\n"
                  "# Written by `portal inbox publish`: edit replies with `portal inbox reply`, not here.\n")
        path.write_text(header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
        written.append(path)
    store.mark_published(published)
    return written
