"""The meetings as a Popolo document (``Kind.documents``): bodies as organizations,
meetings as events, decisions as motions, their votes as vote events with counts
(https://www.popoloproject.com/specs/)."""

from __future__ import annotations

from typing import Any

from generator.site.downloads import ExportContext
from portal_core.china_time import start_date


def popolo(b: ExportContext) -> dict[str, Any]:
    """The Popolo document of the project ``b`` exports."""
    index = b.index
    organizations = []
    for body in index.table("body").values():
        org: dict[str, Any] = {"id": body.id, "name": b.text(body.name), "classification": body.kind}
        if isinstance(body.name, dict):
            others = [{"name": text, "note": lang} for lang, text in body.name.items()
                      if lang != b.default and text and text != org["name"]]
            if others:
                org["other_names"] = others
        contacts = [{"type": "voice", "value": body.phone}] if body.phone else []
        contacts += [{"type": "email", "value": body.email}] if body.email else []
        if contacts:
            org["contact_details"] = contacts
        org["links"] = [{"url": b.url("organisation/index.md") + f"#{body.id}", "note": "web page"}]
        organizations.append(org)
    known_orgs = {o["id"] for o in organizations}
    events, motions, vote_events = [], [], []
    for m in index.models("meeting", lambda m: (m.date, m.id)):
        event: dict[str, Any] = {
            "id": m.id, "name": b.text(m.title), "classification": m.type,
            "start_date": start_date(m.date, m.start), "location": b.text(m.place), "status": m.status,
            "sources": [{"url": b.url(f"meetings/{m.id}.md")}],
        }
        if m.end and m.start:
            event["end_date"] = start_date(m.date, m.end)
        if m.body in known_orgs:
            event["organization_id"] = m.body
        events.append(event)
        for item in m.agenda:
            d = item.decision
            if d is None:
                continue
            date = d.date or m.date
            when = start_date(date, m.start if date == m.date else None)
            result = {"adopted": "pass", "rejected": "fail"}.get(d.outcome)
            motion: dict[str, Any] = {
                "id": d.id, "legislative_session_id": m.id, "text": b.text(d.text), "date": when,
                "sources": [{"url": b.url(f"meetings/{m.id}.md", d.id)}],
            }
            if m.body in known_orgs:
                motion["organization_id"] = m.body
            if result:
                motion["result"] = result
            motions.append(motion)
            if d.votes is not None:
                vote: dict[str, Any] = {
                    "id": f"{d.id}-vote", "motion_id": d.id, "legislative_session_id": m.id, "start_date": when,
                    "counts": [{"option": "yes", "value": d.votes.for_}, {"option": "no", "value": d.votes.against},
                               {"option": "abstain", "value": d.votes.abstain}],
                }
                if m.body in known_orgs:
                    vote["organization_id"] = m.body
                if result:
                    vote["result"] = result
                vote_events.append(vote)
    return {"organizations": organizations, "events": events, "motions": motions, "vote_events": vote_events}
