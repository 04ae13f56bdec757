"""The site's UI strings (``site.<key>`` in ``site_templates/strings.yaml``), apart from the
renderer: the feeds use them too, and importing them must not import jinja2 (a warm
``portal check`` imports every kind's feeds, and renders nothing)."""

from __future__ import annotations

from typing import Any

from portal_core.i18n import catalog, text


def site_text(key: str, lang: str, **params: Any) -> str:
    """A UI string of the site: ``site.<key>`` in the translation catalog
    (``site_templates/strings.yaml``); an unknown key is shown as itself (templates
    also look up data values, e.g. ``t(notice.category)``)."""
    return text(f"site.{key}", lang, **params) if f"site.{key}" in catalog() else key
