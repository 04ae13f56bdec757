"""Published requests as static files: ``requests.json`` in the shape of Open311
GeoReport v2 (so existing Open311 clients can read it), and
``requests/lookup.json`` (receipt key → public id) for the receipt lookup: the
kind's ``files``, written into each language's copy of the site."""

from __future__ import annotations

import json
from typing import Any

from generator.index import Index
from generator.kinds.requests.stats import category_label, request_stats
from generator.load import Project


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return value.get("zh") or next(iter(value.values()), "")


def georeport(project: Project, index: Index, site_url: str) -> list[dict[str, Any]]:
    """GeoReport v2 ``GET /requests`` items.

    Status is ``open`` or ``closed`` (the standard's only two values); our finer
    status is kept in ``status_notes`` when there is no reply yet.
    """
    stats = request_stats(project, index)
    items = []
    for r in stats.requests:
        updated = r.closed or r.first_reply or r.received
        label = _text(category_label(index, r.form, r.category))
        items.append({
            "service_request_id": r.id,
            "status": "closed" if r.status in ("answered", "closed", "rejected") else "open",
            "status_notes": _text(r.reply) or r.status,
            "service_name": label,
            "service_code": r.category or r.form,
            "description": _text(r.summary),
            "agency_responsible": ", ".join(index.table("form")[r.form].model.recipients)
            if r.form in index.table("form") else "",
            "requested_datetime": f"{r.received.isoformat()}T00:00:00+08:00",
            "updated_datetime": f"{updated.isoformat()}T00:00:00+08:00",
            "media_url": site_url.rstrip("/") + f"/requests/#{r.id.lower()}",
        })
    return items


def files(project: Project, index: Index, site_url: str) -> dict[str, bytes]:
    lookup = {r.receipt_key: r.id for doc in project.valid("requests") for r in doc.model.requests}
    return {"requests.json": json.dumps(georeport(project, index, site_url), ensure_ascii=False, indent=1).encode(),
            "requests/lookup.json": json.dumps(lookup).encode()}
