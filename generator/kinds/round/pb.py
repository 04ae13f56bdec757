"""Pabulib ``.pb`` files (format: https://pabulib.org/format): META, PROJECTS and
VOTES sections separated by ``;``. Export writes a round in that format; import
reads one with pabutools' parser (``parse_pabulib_from_string``) into a round
dict (the YAML) and ballot rows (the ``<id>.ballots.csv``)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from typing import Any

from generator.kinds.common import pick
from generator.kinds.round.counting import BallotRow, Result

#: Pabulib's rule names and ours
RULES = {"greedy": "greedy", "greedy-threshold": "greedy-threshold", "greedy-no-skip": "greedy",
         "equalshares": "equal-shares", "equalshares/add1": "equal-shares"}
OUR_RULES = {"greedy": "greedy", "greedy-threshold": "greedy-threshold", "equal-shares": "equalshares"}


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _date(d: Any) -> str:
    """Pabulib dates are DD.MM.YYYY (or a bare year)."""
    return d.strftime("%d.%m.%Y") if d is not None else ""


def export(r: Any, rows: list[BallotRow], result: Result, country: str = "China", unit: str = "") -> str:
    """The round as a ``.pb`` text: eligible proposals with votes and ``selected``."""
    votes = {ln.id: ln.votes or 0 for ln in result.lines}
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\n")
    by_ballot: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for b, p, v in rows:
        by_ballot[b].append((p, v))
    eligible = r.eligible()
    # Counts from a show of hands have no ballots: each raised hand is written as one
    # ballot naming one project, the same approval instance the count used
    # (counting._profile), so the file's VOTES add up to its PROJECTS' votes.
    for p in eligible:
        for k in range(p.votes or 0):
            by_ballot[f"hand-{p.id}-{k + 1}"].append((p.id, 1))
    meta = [("description", pick(r.title, "en")), ("country", country), ("unit", unit or r.id),
            ("instance", r.id), ("num_projects", len(eligible)), ("num_votes", len(by_ballot)),
            ("budget", _num(r.budget)), ("vote_type", r.vote.type), ("rule", OUR_RULES[r.counting.rule]),
            ("date_begin", _date(r.stages.vote_from or r.stages.propose_from)),
            ("date_end", _date(r.stages.vote_until or r.stages.vote_from or r.stages.propose_from))]
    # the order pabulib-checker expects: ... date_end, min_length, max_length, language, currency
    if r.vote.min_choices:
        meta.append(("min_length", r.vote.min_choices))
    if r.vote.max_choices:
        meta.append(("max_length", r.vote.max_choices))
    meta += [("language", "zh"), ("currency", "CNY")]
    if r.vote.meeting:
        meta.append(("comment", f"#1: votes counted by show of hands at meeting {r.vote.meeting}; "
                                "each raised hand is written as a ballot for one project"))
    if r.vote.points:
        meta.append(("max_sum_points", r.vote.points))
    if r.counting.rule == "greedy-threshold" and r.counting.threshold is not None:
        meta.append(("min_project_score_threshold", r.counting.threshold))
    w.writerow(["META"])
    w.writerow(["key", "value"])
    w.writerows(meta)
    w.writerow(["PROJECTS"])
    w.writerow(["project_id", "cost", "votes", "name", "category", "selected"])
    chosen = set(result.selected)
    for p in eligible:
        w.writerow([p.id, _num(p.cost), votes.get(p.id, 0), pick(p.title, "zh"), p.category or "",
                    1 if p.id in chosen else 0])
    w.writerow(["VOTES"])
    if r.vote.type == "cumulative":
        w.writerow(["voter_id", "vote", "points"])
        for b, choices in by_ballot.items():
            w.writerow([b, ",".join(p for p, _ in choices), ",".join(str(v) for _, v in choices)])
    else:
        w.writerow(["voter_id", "vote"])
        for b, choices in by_ballot.items():
            ordered = sorted(choices, key=lambda c: c[1]) if r.vote.type == "ordinal" else choices
            w.writerow([b, ",".join(p for p, _ in ordered)])
    return out.getvalue()


def import_pb(text: str, round_id: str, fund: str) -> tuple[dict[str, Any], list[BallotRow], list[str]]:
    """A ``.pb`` text as (round YAML dict, ballot rows, the file's ``selected`` projects)."""
    from pabutools.election.pabulib import parse_pabulib_from_string  # costly import: only an import pays

    instance, profile = parse_pabulib_from_string(text)
    meta = instance.meta
    vote_type = {"choose-1": "approval", "scoring": "cumulative"}.get(meta["vote_type"], meta["vote_type"])
    rule = RULES.get(meta.get("rule", "greedy"), "greedy")
    threshold = meta.get("min_project_score_threshold")
    proposals = []
    selected = []
    for p in sorted(instance, key=lambda p: p.name):
        pm = instance.project_meta[p]
        proposals.append({"id": p.name, "title": pm.get("name", p.name), "cost": float(p.cost),
                          "proposer": "resident", "review": {"eligible": True},
                          **({"category": sorted(p.categories)[0]} if p.categories else {})})
        if pm.get("selected", "0") not in ("0", ""):
            selected.append(p.name)
    rows: list[BallotRow] = []
    for i, ballot in enumerate(profile):
        code = str(ballot.meta.get("voter_id", i)) if hasattr(ballot, "meta") else str(i)
        if vote_type == "cumulative":
            rows += [(code, p.name, int(v)) for p, v in ballot.items()]
        elif vote_type == "ordinal":
            rows += [(code, p.name, k + 1) for k, p in enumerate(ballot)]
        else:
            rows += [(code, p.name, 1) for p in sorted(ballot, key=lambda p: p.name)]
    vote: dict[str, Any] = {"type": vote_type}
    if meta.get("max_length"):
        vote["max_choices"] = int(meta["max_length"])
    if meta.get("min_length"):
        vote["min_choices"] = int(meta["min_length"])
    if meta.get("max_sum_points"):
        vote["points"] = int(meta["max_sum_points"])
    counting: dict[str, Any] = {"rule": rule}
    if rule == "greedy-threshold" and threshold is not None:
        counting["threshold"] = int(float(threshold))
    doc = {"id": round_id, "title": meta.get("description", round_id), "fund": fund,
           "budget": float(instance.budget_limit), "vote": vote, "counting": counting, "state": "counted",
           "proposals": proposals}
    return doc, rows, selected
