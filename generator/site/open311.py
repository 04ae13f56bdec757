"""Published requests as static files: ``requests.json`` in the shape of Open311
GeoReport v2 (so existing Open311 clients can read it), and
``requests/lookup.json`` (receipt key → public id) for the receipt lookup."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.kinds.requests.stats import category_label, request_stats
from generator.pipeline import Checked


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return value.get("zh") or next(iter(value.values()), "")


def georeport(checked: Checked, site_url: str) -> list[dict[str, Any]]:
    """GeoReport v2 ``GET /requests`` items.

    Status is ``open`` or ``closed`` (the standard's only two values); our finer
    status is kept in ``status_notes`` when there is no reply yet.
    """
    stats = request_stats(checked.project, checked.index)
    items = []
    for r in stats.requests:
        updated = r.closed or r.first_reply or r.received
        label = _text(category_label(checked.index, r.form, r.category))
        items.append({
            "service_request_id": r.id,
            "status": "closed" if r.status in ("answered", "closed", "rejected") else "open",
            "status_notes": _text(r.reply) or r.status,
            "service_name": label,
            "service_code": r.category or r.form,
            "description": _text(r.summary),
            "agency_responsible": ", ".join(checked.index.table("form")[r.form].model.recipients)
            if r.form in checked.index.table("form") else "",
            "requested_datetime": f"{r.received.isoformat()}T00:00:00+08:00",
            "updated_datetime": f"{updated.isoformat()}T00:00:00+08:00",
            "media_url": site_url.rstrip("/") + f"/requests/#{r.id.lower()}",
        })
    return items


def write_requests(checked: Checked, site: Path, site_url: str) -> None:
    (site / "requests").mkdir(parents=True, exist_ok=True)
    (site / "requests.json").write_text(json.dumps(georeport(checked, site_url), ensure_ascii=False, indent=1),
                                        encoding="utf-8")
    lookup = {r.receipt_key: r.id for doc in checked.project.valid("requests") for r in doc.model.requests}
    (site / "requests" / "lookup.json").write_text(json.dumps(lookup), encoding="utf-8")
