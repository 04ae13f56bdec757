"""The matters' pages: the list by status, and one page per matter as a dated
timeline assembled from the records it links (``timeline``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from generator.kinds.base import Page, PageContext, latest, list_summary
from generator.kinds.common import pick
from generator.kinds.matter.timeline import timeline
from portal_core.i18n import texts

SUMMARY = texts("kind.matter.summary")

#: Open matters first, in the order they move; then the closed ones.
STATUS_ORDER = ("consultation", "proposed", "decided", "in-progress", "deferred", "done", "abandoned")


def matters(ctx: PageContext) -> list[Any]:
    return ctx.once("matters", lambda: sorted(
        (d.model for d in ctx.index.table("matter").values()),
        key=lambda m: (STATUS_ORDER.index(m.status), -m.opened.toordinal(), m.id)))


def dates(ctx: PageContext) -> list[dt.date]:
    return [m.closed or m.opened for m in matters(ctx)]


def build(ctx: PageContext) -> Iterator[Page]:
    items = matters(ctx)
    flags = ctx.memo.get("gaps-by-record", {})
    timelines = {m.id: timeline(m, ctx.project, ctx.index) for m in items}
    found = {m.id: timeline_gaps(m, timelines[m.id], flags) for m in items}
    yield Page("matters/index.md", "matters_index.md.j2", texts("kind.matter.page.matters-index.title"),
               {"matters": items, "timelines": timelines, "matter_gaps": found},
               {**latest(dates(ctx)), "description": list_summary(ctx, SUMMARY, len(items))})
    for m in items:
        yield Page(f"matters/{m.id}.md", "matter.md.j2", m.title,
                   {"m": m, "tl": timelines[m.id], "gaps": found[m.id],
                    "requests": ctx.index.table("request"), "decisions": ctx.index.table("decision")},
                   {"updated": (m.closed or m.opened).isoformat(), "print": True, "description": _describe(m)})


def timeline_gaps(m: Any, tl: Any, flags: dict[tuple[str, str], list[Any]]) -> list[Any]:
    """The matter's open questions and those of every record on its timeline (an
    approval not read out, a consultation left open, a payment without approval):
    the matter is only as settled as the records it rests on. Its own first."""
    keys = [("matter", m.id)]
    for e in tl.events:
        # a decision's gaps are its meeting's
        key = ("meeting", e.detail["meeting"]) if e.kind == "decision" else e.ref
        if key is not None and key not in keys:
            keys.append(key)
    return [g for key in keys for g in flags.get(key, [])]


STATUS_WORDS = {"proposed": ("已提出", "proposed"), "consultation": ("征询中", "in consultation"),
                "decided": ("已决定", "decided"), "in-progress": ("实施中", "in progress"), "done": ("已完成", "done"),
                "abandoned": ("已放弃", "abandoned"), "deferred": ("暂缓", "deferred")}


def _describe(m: Any) -> dict[str, str]:
    """The page's meta description: the matter, its state, since when, and what it is about."""
    zh, en = STATUS_WORDS[m.status]
    return {"zh": f"事项“{pick(m.title, 'zh')}”（{zh}，{m.opened.isoformat()}起）。{pick(m.summary, 'zh')}",
            "en": f"The matter “{pick(m.title, 'en')}” ({en}, since {m.opened.isoformat()}). {pick(m.summary, 'en')}"}
