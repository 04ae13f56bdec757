"""The comment form of a draft put out for comment, made from the draft itself: a
select of its articles plus "the whole text", the comment, and optional contact
details that stay in the committee's inbox. The committee never writes a form per
draft; the build compiles this one into ``forms/spec.json`` like ``data/forms/``
(``generator.form_sources``), so the endpoint accepts it and gives a receipt.

Its kind is ``other``: ``portal inbox publish`` publishes no comment one by one;
what residents see of them is the adoption report the committee writes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator.kinds.common import pick
from generator.kinds.consultation.model import Consultation
from generator.kinds.form.model import Form
from generator.kinds.rule.model import Rule, RuleVersion
from portal_core.i18n import text, texts

_W = "kind.consultation.comment."
LANGS = ("zh", "en")
WHOLE = "whole"


def form_id(c: Consultation) -> str:
    return f"comments-{c.id}"


def choice_value(article: int | str) -> str:
    """``3`` → ``article-3``; ``whole`` stays."""
    return WHOLE if article == WHOLE else f"article-{article}"


def draft_of(c: Consultation, rules: dict[str, Rule]) -> tuple[Rule, RuleVersion] | None:
    """The rule and version ``c`` puts out for comment, when both exist."""
    if c.draft is None or c.draft.rule not in rules:
        return None
    rule = rules[c.draft.rule]
    version = next((v for v in rule.versions if v.version == c.draft.version), None)
    return (rule, version) if version is not None else None


def article_label(number: int, title: Any, lang: str) -> str:
    label = text("kind.consultation.word.article", lang, n=number)
    return f"{label} {pick(title, lang)}" if title else label


def comment_form(c: Consultation, rule: Rule, version: RuleVersion, bodies: list[str]) -> Form:
    """The form residents comment on ``version`` of ``rule`` with, during ``c``'s period."""
    draft = c.draft
    assert draft is not None
    recipients = [c.body or rule.body or (bodies[0] if bodies else "jwh")]
    title = {lang: text(_W + "title", lang, rule=pick(rule.title, lang), version=version.version) for lang in LANGS}
    choices = [{"value": choice_value(a.number), "label": {lang: article_label(a.number, a.title, lang) for lang in LANGS}}
               for a in version.articles]
    choices.append({"value": WHOLE, "label": texts(_W + "whole")})
    return Form.model_validate({
        "id": form_id(c), "title": title, "kind": "other",
        "purpose": texts(_W + "purpose"), "privacy": {lang: text(_W + "privacy", lang, days=draft.retention_days)
                                                      for lang in LANGS},
        "retention_days": draft.retention_days, "recipients": recipients,
        "status": "open" if c.state == "open" else "closed", "opens": c.start, "closes": c.end,
        "related": [f"consultation:{c.id}"],
        "fields": [
            {"name": "article", "type": "select", "label": texts(_W + "article"), "required": True,
             "choices": choices},
            {"name": "comment", "type": "textarea", "label": texts(_W + "comment"), "required": True,
             "max_length": 3000, "help": texts(_W + "comment-help")},
            {"name": "name", "type": "text", "label": texts(_W + "name"), "max_length": 20, "private": True,
             "help": texts(_W + "name-help")},
            {"name": "phone", "type": "tel", "label": texts(_W + "phone"), "private": True,
             "help": texts(_W + "phone-help")},
        ],
    })


def forms(models: Callable[[str], list[Any]]) -> list[Form]:
    """``Kind.forms``: one comment form per consultation on a draft that exists."""
    rules = {r.id: r for r in models("rule")}
    community = models("community")
    bodies = [b.id for b in community[0].bodies] if community else []
    out = []
    for c in models("consultation"):
        found = draft_of(c, rules)
        if found is not None:
            out.append(comment_form(c, *found, bodies))
    return out
