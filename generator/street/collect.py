"""What each community of the street contributes to the street views: its kinds'
``street`` hooks (``kinds.base.Kind.street``) run over its checked project, and its
open governance questions (``site.gaps``).

Gaps are not a kind's data but the check's findings across kinds, told apart by the
one engine every community site already uses: calling it here keeps a single rule for
what counts as an open question, where a hook per kind would restate it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from generator import registry
from generator.kinds.base import Kind, PageContext, StreetFigure, StreetItem, StreetMetric
from generator.kinds.common import Text
from generator.loading.cache import key_of, snapshot
from generator.pipeline import Checked, inputs_of, load_and_check, open_cache
from generator.site.gaps import gaps
from generator.street.model import Member

#: The check cache's entry of a community's street facts (``community_facts``).
FACTS_ENTRY = "street-facts"



@dataclass
class Facts:
    """What one community's checked project gives the street views, worked out once in
    the build of that community (``facts_of``) and kept in its check cache: small and
    picklable, so the street build never holds 30 checked projects at once."""

    name: Text | None = None  #: its community.yaml name
    households: int | None = None
    households_as_of: dt.date | None = None
    population: int | None = None
    #: (metric, year, group) -> figure
    figures: dict[tuple[str, int | None, str], StreetFigure] = field(default_factory=dict)
    items: list[StreetItem] = field(default_factory=list)
    open_questions: Counter[str] = field(default_factory=Counter)  #: gap kind -> count
    metrics: list[StreetMetric] = field(default_factory=list)  #: what its kinds declared


@dataclass
class CommunityFacts:
    """One member of the street with everything the views show of it."""

    member: Member
    name: Text
    facts: Facts | None

    @property
    def id(self) -> str:
        return self.member.id

    @property
    def status(self) -> str:
        return self.member.status

    @property
    def published(self) -> bool:
        """Its figures are shown: built now, or stale with its last good project at hand."""
        return self.member.status != "missing" and self.facts is not None

    @property
    def households(self) -> int | None:
        return self.facts.households if self.facts is not None else None

    @property
    def households_as_of(self) -> dt.date | None:
        return self.facts.households_as_of if self.facts is not None else None

    @property
    def population(self) -> int | None:
        return self.facts.population if self.facts is not None else None

    @property
    def figures(self) -> dict[tuple[str, int | None, str], StreetFigure]:
        return self.facts.figures if self.published and self.facts is not None else {}

    @property
    def items(self) -> list[StreetItem]:
        return self.facts.items if self.published and self.facts is not None else []

    @property
    def open_questions(self) -> Counter[str]:
        return self.facts.open_questions if self.published and self.facts is not None else Counter()

    def figure(self, metric: str, year: int | None, group: str = "") -> StreetFigure | None:
        return self.figures.get((metric, year, group))


@dataclass
class StreetData:
    """Every member's facts, and the metrics the kinds declared, in registry order."""

    communities: list[CommunityFacts]
    metrics: list[StreetMetric]

    def metric(self, key: str) -> StreetMetric:
        return next(m for m in self.metrics if m.key == key)


def facts_of(checked: Checked, today: dt.date, kinds: tuple[Kind, ...] | None = None) -> Facts:
    """What ``checked`` contributes to the street views: its kinds' ``street`` hooks
    (default: the registry's) and its open governance questions."""
    kinds = kinds if kinds is not None else registry.KINDS
    profile = checked.project.community
    facts = Facts()
    if profile is not None:
        facts.name, facts.households, facts.households_as_of = profile.name, profile.households, profile.households_as_of
        facts.population = profile.population
    ctx = PageContext(checked.project, checked.index, today, problems=checked.report.problems)
    metrics: dict[str, StreetMetric] = {}
    for kind in kinds:
        if kind.street is None:
            continue
        part = kind.street(ctx)
        for m in part.metrics:
            metrics.setdefault(m.key, m)
        for f in part.figures:
            facts.figures[(f.metric, f.year, f.group)] = f
        facts.items.extend(part.items)
    facts.metrics = list(metrics.values())
    # grouped as the community's own open-questions page groups them (generator.site.pages.gap_folders)
    folders = {k.folder: k.name for k in kinds if k.folder for t in k.targets if t.name == k.name and t.gaps is not None}
    facts.open_questions = Counter(g.kind for g in gaps(checked.project, checked.index, checked.report.problems, folders))
    return facts


def collect(members: list[Member]) -> StreetData:
    """The street's data from its members' facts (``Member.facts``), in the order street.yaml
    lists them; the metrics in registry order, as the communities' facts declared them."""
    communities: list[CommunityFacts] = []
    metrics: dict[str, StreetMetric] = {}
    for member in members:
        facts = member.facts
        name = member.name or (facts.name if facts is not None else None) or member.id
        communities.append(CommunityFacts(member, name, facts))
        if facts is not None and member.status != "missing":
            for m in facts.metrics:
                metrics.setdefault(m.key, m)
    return StreetData(communities, list(metrics.values()))


def community_facts(root: Path, today: dt.date, checked: Checked | None = None, inputs: str | None = None) -> Facts:
    """``facts_of`` the project at ``root``, kept in its check cache by its inputs' fingerprint
    and the day: an unchanged community costs the street build a walk of its files, not a
    check (the cache is per code version). ``checked``: the project as its build just checked
    it (from ``inputs``, if that check's result is theirs), so it is not checked again."""
    store = open_cache(root)
    if checked is not None:
        facts = facts_of(checked, today)
        if store is not None and inputs is not None:
            store.put(FACTS_ENTRY, key_of(inputs, today.isoformat()), facts)
        return facts
    inputs, seen = inputs_of(root, store)
    key = key_of(inputs, today.isoformat())
    found = store.get(FACTS_ENTRY, key) if store is not None else None
    if isinstance(found, Facts):
        return found
    facts = facts_of(load_and_check(root, jobs=1), today)
    if store is not None and snapshot(root) == seen:  # nothing written meanwhile: these inputs' facts
        store.put(FACTS_ENTRY, key, facts)
    return facts
