"""The consultations' pages: the list, newest first, and one page per consultation
with its options and what each costs, per the period it was quoted in.

A consultation on a draft also shows the draft article by article: while comments
are open, the comment form (made from the draft, ``comments``); afterwards, the
number of comments and their outcomes beside each article, and its adoption report
on a page of its own (``consultations/<id>/report``, printable on A4) with the
adopted text's changes against the draft (the rule kind's article diff)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from generator.forms_spec import compile_form
from generator.kinds.base import Page, PageContext, latest, list_summary
from generator.kinds.common import pick
from generator.kinds.consultation import comments
from generator.kinds.consultation.model import Consultation, ConsultationOption
from generator.kinds.consultation.report import OUTCOMES, grouped, tally
from generator.kinds.rule.pages import rule_changes
from generator.site.amounts import money
from portal_core.i18n import catalog, text, texts

SUMMARY = texts("kind.consultation.summary")
_WORDS = "kind.consultation.word."


def words() -> dict[str, dict[str, str]]:
    """The pages' words (``w.channel`` in the templates), from this kind's catalog
    file rather than the site's, so the kind stays in its folder."""
    return {key[len(_WORDS):]: texts(key) for key in catalog() if key.startswith(_WORDS)}


def wf(name: str, **params: Any) -> dict[str, str]:
    """One of the pages' words with its placeholders filled (``wf("comments-n", n=3)``), both languages."""
    return {lang: text(_WORDS + name, lang, **params) for lang in ("zh", "en")}


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
    forms = {f.id: f for f in comments.forms(lambda kind: [d.model for d in ctx.project.valid(kind)])}
    rules = {r.id: r for r in ctx.index.models("rule", lambda r: r.id)}
    for c in items:
        draft = _draft(ctx, c, rules, forms)
        yield Page(f"consultations/{c.id}.md", "consultation.md.j2", c.title,
                   {"c": c, "w": w, "amounts": {o.id: amount_text(o) for o in c.options},
                    "gaps": flags.get(("consultation", c.id), []),
                    "meeting": meetings[c.meeting].model if c.meeting in meetings else None,
                    "decision": decisions.get(c.decision) if c.decision else None, "draft": draft,
                    "outcomes": OUTCOMES, "wf": wf},
                   {"updated": (c.reported or c.end or c.start).isoformat(), "print": True,
                    "description": _describe(c)})
        if draft is not None and c.report is not None:
            yield Page(f"consultations/{c.id}/report.md", "consultation_report.md.j2", draft["report_title"],
                       {"c": c, "w": w, "draft": draft, "outcomes": OUTCOMES, "wf": wf},
                       {"updated": (c.reported or c.end or c.start).isoformat(), "print": True,
                        "description": _describe_report(c, draft)})


def _draft(ctx: PageContext, c: Consultation, rules: dict[str, Any], forms: dict[str, Any]) -> dict[str, Any] | None:
    """What the pages show of the draft ``c`` puts out for comment (None: no draft, or one
    the check reported as unknown)."""
    found = comments.draft_of(c, rules)
    if found is None:
        return None
    rule, version = found
    numbers = [a.number for a in version.articles]
    adopted = next((v for v in rule.versions if c.draft and v.version == c.draft.adopted), None)
    form = forms.get(comments.form_id(c))
    spec = compile_form(form) if form is not None else None
    return {
        "rule": rule, "version": version, "adopted": adopted,
        "changes": rule_changes(version, adopted) if adopted is not None else [],
        "tally": tally(c, numbers), "groups": grouped(c, numbers),
        "labels": {**{a.number: {lang: comments.article_label(a.number, a.title, lang) for lang in ("zh", "en")}
                      for a in version.articles}, "whole": texts(_WORDS + "whole")},
        "spec": spec, "privacy": form.privacy if form is not None else None, "form_open": spec is not None and _open(spec, ctx.today),
        "report_title": {lang: text(_WORDS + "report-of", lang, rule=pick(rule.title, lang), version=version.version)
                         for lang in ("zh", "en")},
    }


def _open(spec: dict[str, Any], today: dt.date) -> bool:
    opens, closes = spec.get("opens"), spec.get("closes")
    return bool(spec["status"] == "open" and (not opens or dt.date.fromisoformat(opens) <= today)
                and (not closes or today <= dt.date.fromisoformat(closes)))


def _describe(c: Consultation) -> dict[str, Any]:
    end = c.end.isoformat() if c.end else "…"
    return {"zh": f"征询“{pick(c.title, 'zh')}”（{c.start.isoformat()} 至 {end}）。{pick(c.summary, 'zh')}",
            "en": f"Consultation “{pick(c.title, 'en')}” ({c.start.isoformat()} to {end}). {pick(c.summary, 'en')}"}


def _describe_report(c: Consultation, draft: dict[str, Any]) -> dict[str, str]:
    """``…意见采纳情况说明。共收到意见 12 条：采纳 5，部分采纳 3，…``"""
    t = draft["tally"]
    out = {}
    for lang, stop, colon, sep in (("zh", "。", "：", "，"), ("en", ". ", ": ", ", ")):
        counts = sep.join(f"{text(_WORDS + 'outcome-' + o, lang)} {t.by_outcome[o]}" for o in OUTCOMES)
        out[lang] = f"{pick(draft['report_title'], lang)}{stop}{text(_WORDS + 'received-n', lang, n=t.total)}{colon}{counts}"
    return out
