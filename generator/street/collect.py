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

from generator import registry
from generator.kinds.base import Kind, PageContext, StreetFacts, StreetFigure, StreetItem, StreetMetric
from generator.kinds.common import Text
from generator.site.gaps import gaps
from generator.street.model import Member


@dataclass
class CommunityFacts:
    """One member of the street with everything the views show of it."""

    member: Member
    name: Text
    households: int | None = None
    households_as_of: dt.date | None = None
    population: int | None = None
    #: (metric, year, group) -> figure
    figures: dict[tuple[str, int | None, str], StreetFigure] = field(default_factory=dict)
    items: list[StreetItem] = field(default_factory=list)
    open_questions: Counter[str] = field(default_factory=Counter)  #: gap kind -> count

    @property
    def id(self) -> str:
        return self.member.id

    @property
    def status(self) -> str:
        return self.member.status

    @property
    def published(self) -> bool:
        """Its figures are shown: built now, or stale with its last good project at hand."""
        return self.member.status != "missing" and self.member.checked is not None

    def figure(self, metric: str, year: int | None, group: str = "") -> StreetFigure | None:
        return self.figures.get((metric, year, group))


@dataclass
class StreetData:
    """Every member's facts, and the metrics the kinds declared, in registry order."""

    communities: list[CommunityFacts]
    metrics: list[StreetMetric]

    def metric(self, key: str) -> StreetMetric:
        return next(m for m in self.metrics if m.key == key)


def community_facts(member: Member, today: dt.date, kinds: tuple[Kind, ...]) -> tuple[CommunityFacts, list[StreetFacts]]:
    checked = member.checked
    profile = checked.project.community if checked is not None else None
    facts = CommunityFacts(member, member.name or (profile.name if profile is not None else member.id))
    if profile is not None:
        facts.households, facts.households_as_of = profile.households, profile.households_as_of
        facts.population = profile.population
    contributed: list[StreetFacts] = []
    if checked is None or member.status == "missing":
        return facts, contributed  # nothing of it is published
    ctx = PageContext(checked.project, checked.index, today, problems=checked.report.problems)
    for kind in kinds:
        if kind.street is None:
            continue
        part = kind.street(ctx)
        contributed.append(part)
        for f in part.figures:
            facts.figures[(f.metric, f.year, f.group)] = f
        facts.items.extend(part.items)
    # grouped as the community's own open-questions page groups them (generator.site.pages.gap_folders)
    folders = {k.folder: k.name for k in kinds if k.folder for t in k.targets if t.name == k.name and t.gaps is not None}
    facts.open_questions = Counter(g.kind for g in gaps(checked.project, checked.index, checked.report.problems, folders))
    return facts, contributed


def collect(members: list[Member], today: dt.date, kinds: tuple[Kind, ...] | None = None) -> StreetData:
    """The street's data from its members, in the order street.yaml lists them."""
    kinds = kinds if kinds is not None else registry.KINDS
    communities: list[CommunityFacts] = []
    metrics: dict[str, StreetMetric] = {}
    for member in members:
        facts, parts = community_facts(member, today, kinds)
        communities.append(facts)
        for part in parts:
            for m in part.metrics:
                metrics.setdefault(m.key, m)
    return StreetData(communities, list(metrics.values()))

