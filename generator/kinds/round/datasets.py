"""The rounds download: one row per proposal with its review, votes, cost and
whether it was funded (CSV); every round with its proposals (JSON). The ballots
themselves are published per round as a Pabulib ``.pb`` file (``ballot``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.kinds.base import Column, DatasetSpec, TableSpec, url_column
from generator.kinds.round.counting import Line, count_round
from generator.kinds.round.pages import COUNTED, ballot_rows
from generator.site.downloads import ExportContext
from portal_core.i18n import texts


@dataclass
class Row:
    round: Any
    proposal: Any
    line: Line | None  #: None: not counted yet


def _rows(x: ExportContext) -> list[Row]:
    out = []
    for r in x.index.models("round", lambda r: r.id):
        rows = ballot_rows(x.project.root, r)
        counted = r.state in COUNTED and (bool(rows) or any(p.votes is not None for p in r.proposals))
        lines = {ln.id: ln for ln in count_round(r, rows).lines} if counted else {}
        out += [Row(r, p, lines.get(p.id)) for p in r.proposals]
    return out


def _t(name: str) -> dict[str, str]:
    return texts(f"kind.round.column.{name}.title")


COLUMNS = (
    Column("round", "string", _t("round"), lambda w, x: w.round.id, constraints={"required": True}),
    Column("id", "string", _t("id"), lambda w, x: w.proposal.id, constraints={"required": True}),
    Column("title", "string", _t("title"), lambda w, x: x.text(w.proposal.title)),
    Column("category", "string", _t("category"), lambda w, x: w.proposal.category),
    Column("cost", "number", _t("cost"), lambda w, x: w.proposal.cost, constraints={"minimum": 0}),
    Column("proposer", "string", _t("proposer"), lambda w, x: w.proposal.proposer,
           constraints={"enum": ["resident", "committee"]}),
    Column("eligible", "boolean", _t("eligible"),
           lambda w, x: None if w.proposal.review is None else w.proposal.review.eligible,
           texts("kind.round.column.eligible.description")),
    Column("review_reason", "string", _t("review_reason"),
           lambda w, x: x.text(w.proposal.review.reason) if w.proposal.review and w.proposal.review.reason else None),
    Column("votes", "integer", _t("votes"), lambda w, x: w.line.votes if w.line else None,
           texts("kind.round.column.votes.description")),
    Column("funded", "boolean", _t("funded"), lambda w, x: w.line.funded if w.line else None,
           texts("kind.round.column.funded.description")),
    Column("matter", "string", _t("matter"), lambda w, x: w.proposal.matter),
    url_column(lambda w, x: x.url(f"rounds/{w.round.id}.md")),
)


ROUNDS = DatasetSpec(
    "rounds", texts("kind.round.dataset.rounds.title"), texts("kind.round.dataset.rounds.description"),
    (TableSpec("round-proposals", texts("kind.round.table.proposals.title"), COLUMNS, _rows,
               primary_key=("round", "id")),),
    lambda x: [x.record(r, x.url(f"rounds/{r.id}.md")) for r in x.index.models("round", lambda r: r.id)],
)
