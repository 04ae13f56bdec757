"""The rounds' pages: the list, one result page per round (each proposal, its
votes and cost, funded or not and why, the budget left), and for an open round
voting online a ballot page whose form works without JavaScript."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from generator.kinds.base import Page, PageContext, latest, list_summary
from generator.kinds.common import pick
from generator.kinds.round import records
from generator.kinds.round.counting import Result, count_round
from generator.kinds.round.model import Round
from generator.site.amounts import money
from portal_core.i18n import catalog, text, texts

SUMMARY = texts("kind.round.summary")
#: the states in which a round's count is published
COUNTED = ("counted", "closed")
_WORDS = "kind.round.word."


def words() -> dict[str, dict[str, str]]:
    """The pages' words (``w.funded`` in the templates), from this kind's catalog file."""
    return {key[len(_WORDS):]: texts(key) for key in catalog() if key.startswith(_WORDS)}


def rounds(ctx: PageContext) -> list[Round]:
    return ctx.once("rounds", lambda: ctx.index.models("round", lambda r: r.id, reverse=True))


def dates(ctx: PageContext) -> list[dt.date]:
    return [d for r in rounds(ctx) for d in (r.stages.vote_until, r.stages.propose_from) if d is not None]


def ballot_rows(root: Any, r: Round) -> list[tuple[str, str, int]]:
    rows, bad = records.read(records.ballots_file(root, r.id))
    eligible = {p.id for p in r.eligible()}
    return [] if bad else [(x.ballot, x.project, x.value) for x in rows if x.project in eligible]


def result_of(ctx: PageContext, r: Round) -> Result | None:
    """The count, once the round is counted and votes exist (None before: never a zero
    for "not counted", and no running tally that could sway the voters still to come)."""
    rows = ballot_rows(ctx.project.root, r)
    if r.state not in COUNTED or (not rows and all(p.votes is None for p in r.proposals)):
        return None
    return ctx.once(f"round-result:{r.id}", lambda: count_round(r, rows))


def reasons(r: Round, result: Result) -> dict[str, dict[str, str]]:
    """Each proposal's reason in words, zh and en."""
    by_id = {p.id: p for p in r.proposals}
    out: dict[str, dict[str, str]] = {}
    for ln in result.lines:
        p = by_id[ln.id]
        params: dict[str, Any] = {"left": money(ln.remaining), "cost": money(ln.cost),
                                  "threshold": r.counting.threshold}
        key = ln.reason + ("-beaten" if ln.reason == "over-budget" and ln.beaten_by else "")
        out[ln.id] = {lang: text(f"kind.round.reason.{key}", lang, **params,
                                 beaten=("、" if lang == "zh" else ", ").join(ln.beaten_by)) for lang in ("zh", "en")}
        if ln.reason == "ineligible" and p.review is not None and p.review.reason:
            out[ln.id] = {lang: out[ln.id][lang] + pick(p.review.reason, lang) for lang in ("zh", "en")}
    return out


def build(ctx: PageContext) -> Iterator[Page]:
    items = rounds(ctx)
    matters = ctx.index.table("matter")
    yield Page("rounds/index.md", "rounds_index.md.j2", texts("kind.round.page.index.title"),
               {"rounds": items, "w": words()},
               {**latest(dates(ctx)), "description": list_summary(ctx, SUMMARY, len(items))})
    for r in items:
        result = result_of(ctx, r)
        yield Page(f"rounds/{r.id}.md", "round.md.j2", r.title,
                   {"r": r, "result": result, "reasons": reasons(r, result) if result else {},
                    "by_id": {p.id: p for p in r.proposals}, "matters": matters, "w": words(),
                    "gaps": ctx.memo.get("gaps-by-record", {}).get(("round", r.id), [])},
                   {**latest(d for d in (r.stages.vote_until, r.stages.propose_from) if d), "print": True})
        if r.vote.online and r.state == "voting":
            yield Page(f"rounds/{r.id}-ballot.md", "ballot.md.j2", texts("kind.round.page.ballot.title"),
                       {"r": r, "w": words()}, {"search": {"exclude": True}})
