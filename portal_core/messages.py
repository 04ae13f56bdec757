"""What the endpoint and the site's forms say to residents, in zh (default) and en (by
Accept-Language or the form's ``_lang`` field). The texts are ``endpoint.*`` in the
translation catalog (``portal_core/strings/endpoint.yaml``)."""

from __future__ import annotations

from typing import Any

from portal_core import i18n


def lang_of(accept_language: str | None, explicit: str | None = None) -> str:
    """``en`` if asked for first, else ``zh``.

    >>> lang_of("en-US,en;q=0.9,zh;q=0.8"), lang_of("zh-CN,en"), lang_of(None, "en")
    ('en', 'zh', 'en')
    """
    if explicit in ("zh", "en"):
        return explicit
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "zh"


def text(key: str, lang: str) -> str:
    return i18n.text(f"endpoint.{key}", lang)


def field_error(code: str, lang: str, label: str, params: dict[str, Any]) -> str:
    key = f"endpoint.field.{code}" if f"endpoint.field.{code}" in i18n.catalog() else "endpoint.field.pattern"
    return i18n.text(key, lang, label=label, **params)


def form_texts(lang: str) -> dict[str, str]:
    return {k: text(k, lang) for k in ("summary", "submit", "choose", "required_mark", "private_mark")}
