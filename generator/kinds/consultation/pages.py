"""The consultations' pages: the list, newest first, and one page per consultation
with its options and what each costs, per the period it was quoted in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from generator.kinds.base import Page, PageContext, latest, list_summary
from generator.kinds.common import pick
from generator.kinds.consultation.model import Consultation, ConsultationOption
from generator.site.amounts import money
from portal_core.i18n import catalog, text, texts

SUMMARY = texts("kind.consultation.summary")
_WORDS = "kind.consultation.word."


def words() -> dict[str, dict[str, str]]:
    """The pages' words (``w.channel`` in the templates), from this kind's catalog
    file rather than the site's, so the kind stays in its folder."""
    return {key[len(_WORDS):]: texts(key) for key in catalog() if key.startswith(_WORDS)}


def amount_text(option: ConsultationOption) -> dict[str, str] | None:
    """``每天 35 元`` / ``¥35 per day``: the amount with its own period, never converted."""
    if option.amount is None:
        return None
    return {lang: text(f"kind.consultation.per.{option.per}", lang, amount=money(option.amount))
            for lang in ("zh", "en")}


def consultations(ctx: PageContext) -> list[Consultation]:
    """Newest first."""
    return ctx.once("consultations", lambda: ctx.index.models("consultation", lambda c: (c.start, c.id), reverse=True))


def dates(ctx: PageContext) -> list[dt.date]:
    return [min(c.end or c.start, ctx.today) if c.state == "open" else (c.end or c.start)
            for c in consultations(ctx) if c.start <= ctx.today]


def build(ctx: PageContext) -> Iterator[Page]:
    items = consultations(ctx)
    flags = ctx.memo.get("gaps-by-record", {})
    w = words()
    yield Page("consultations/index.md", "consultations_index.md.j2", texts("kind.consultation.page.consultations-index.title"),
               {"consultations": items, "w": w},
               {**latest(dates(ctx)), "description": list_summary(ctx, SUMMARY, len(items))})
    meetings, decisions = ctx.index.table("meeting"), ctx.index.table("decision")
    for c in items:
        yield Page(f"consultations/{c.id}.md", "consultation.md.j2", c.title,
                   {"c": c, "w": w, "amounts": {o.id: amount_text(o) for o in c.options},
                    "gaps": flags.get(("consultation", c.id), []),
                    "meeting": meetings[c.meeting].model if c.meeting in meetings else None,
                    "decision": decisions.get(c.decision) if c.decision else None},
                   {"updated": (c.end or c.start).isoformat(), "print": True, "description": _describe(c)})


def _describe(c: Consultation) -> dict[str, Any]:
    end = c.end.isoformat() if c.end else "…"
    return {"zh": f"征询“{pick(c.title, 'zh')}”（{c.start.isoformat()} 至 {end}）。{pick(c.summary, 'zh')}",
            "en": f"Consultation “{pick(c.title, 'en')}” ({c.start.isoformat()} to {end}). {pick(c.summary, 'en')}"}
