"""The rules' pages: the list, and one page per rule with its version history and
what changed between versions, article by article."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.kinds.base import Page, PageContext, latest, list_summary
from generator.kinds.common import pick
from generator.kinds.rule.model import Rule, RuleVersion
from portal_core.i18n import texts

SUMMARY = texts("kind.rule.summary")


@dataclass
class ArticleChange:
    number: int
    kind: str  #: added | removed | changed
    before: Any = None
    after: Any = None


def rule_changes(old: RuleVersion, new: RuleVersion) -> list[ArticleChange]:
    """What changed between two versions, article by article.

    Articles are matched by title when every article has one (an amendment that
    removes article 15 renumbers the rest, so numbers would pair the wrong
    articles), otherwise by number. A matched pair whose text or number differs
    is "changed"; an unmatched old article "removed", an unmatched new one "added".
    """
    def key(article: Any) -> Any:
        return pick(article.title, "zh") if titled else article.number

    titled = all(a.title for a in old.articles + new.articles)
    before = {key(a): a for a in old.articles}
    after = {key(a): a for a in new.articles}
    changes = []
    for k in dict.fromkeys([*after, *before]):
        a, b = before.get(k), after.get(k)
        if a is None:
            assert b is not None  # k came from one of the two
            changes.append(ArticleChange(b.number, "added", after=b))
        elif b is None:
            changes.append(ArticleChange(a.number, "removed", before=a))
        elif (a.text, a.title, a.number) != (b.text, b.title, b.number):
            changes.append(ArticleChange(b.number, "changed", a, b))
    return sorted(changes, key=lambda c: (c.number, c.kind != "removed"))


def current_version(rule: Rule, today: dt.date) -> RuleVersion:
    in_force = [v for v in rule.versions if v.effective is not None and v.effective <= today]
    return in_force[-1] if in_force else rule.versions[-1]


def rules(ctx: PageContext) -> list[Rule]:
    return ctx.once("rules", lambda: ctx.index.models("rule", lambda r: r.id))


def dates(ctx: PageContext) -> list[dt.date]:
    return [v.effective for r in rules(ctx) for v in r.versions if v.effective is not None]


def build(ctx: PageContext) -> Iterator[Page]:
    items = rules(ctx)
    yield Page("rules/index.md", "rules_index.md.j2", texts("kind.rule.page.rules-index.title"), {"rules": items},
               {**latest(dates(ctx)), "description": list_summary(ctx, SUMMARY, len(items))})
    for r in items:
        versions = list(r.versions)
        diffs = [(versions[i - 1], versions[i], rule_changes(versions[i - 1], versions[i]))
                 for i in range(1, len(versions))]
        current = current_version(r, ctx.today)
        effective = [v.effective for v in versions if v.effective is not None]
        yield Page(f"rules/{r.id}.md", "rule.md.j2", r.title,
                   {"r": r, "current": current, "diffs": diffs, "body": ctx.index.table("body").get(r.body or ""),
                    "consulted": consulted(ctx, r), "rw": {k: texts(f"kind.rule.word.{k}") for k in _RULE_WORDS}},
                   {**latest(effective), "print": True, "description": _summary(r, current)})


_RULE_WORDS = ("draft-consultation", "report")


def consulted(ctx: PageContext, r: Rule) -> dict[str, tuple[str, str]]:
    """Version label → (consultation id, ``draft`` or ``adopted``): the consultations that put a
    version of ``r`` out for comment, so the history links the draft to its consultation and
    the adopted version to the adoption report (read from the index: no import of that kind)."""
    out: dict[str, tuple[str, str]] = {}
    for c in ctx.index.models("consultation", lambda c: (c.start, c.id)):
        draft = getattr(c, "draft", None)
        if draft is None or draft.rule != r.id:
            continue
        out[draft.version] = (c.id, "draft")
        if draft.adopted and c.report is not None:
            out[draft.adopted] = (c.id, "adopted")
    return out


def _summary(r: Rule, v: RuleVersion) -> dict[str, str]:
    first = v.articles[0].text if v.articles else ""
    if v.effective is None:
        return {"zh": f"{pick(r.title, 'zh')}（{v.version}版草案，尚未生效）。{pick(first, 'zh')}",
                "en": f"{pick(r.title, 'en')} (draft version {v.version}, not in force). {pick(first, 'en')}"}
    return {"zh": f"{pick(r.title, 'zh')}（{v.version}版，{v.effective.isoformat()}起施行）。{pick(first, 'zh')}",
            "en": f"{pick(r.title, 'en')} (version {v.version}, in force from {v.effective.isoformat()}). "
                  f"{pick(first, 'en')}"}
