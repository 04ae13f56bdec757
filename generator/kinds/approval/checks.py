"""Governance: spending against the community's own procedure, approvals,
contracts, matters and consultations.

Every finding here is a **warning**: a gap in how money was approved is a fact
to publish, not a reason to refuse the whole site (a committee would otherwise
delete the rule or the awkward lines). ``portal check --strict`` turns them into
errors for a community that wants its CI to insist (``GOVERNANCE`` in
``generator.messages``). Broken references stay errors: they are typing mistakes.

For each spending line (``direction`` expenditure):

- the tier of ``procedures:`` that applies (fund, amount, origin of the request);
- exemptions: payments under a contract (``contract`` column), named categories;
- the approval (``approval`` column) or decision (``decision`` column) it cites:
  took a route the tier accepts, is approved, covers the amount (also summed over
  every line citing it), pays from the same fund, and predates the spending;
- lines that look split: same fund and purpose or payee, close in time, each
  within a tier and together above it.

And per record: approvals read out where the tier says, contracts authorized and
not overspent, matters that say how they ended, action items on time,
consultations that reached a conclusion.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, Iterable, Iterator

from generator.index import Index
from generator.kinds.approval.model import MEETING_ROUTE, ROUTE_WORDS
from generator.kinds.approval.procedure import Procedures, Tier, contract_authorized
from generator.kinds.budget.spending import Spend, period_range, spends
from generator.kinds.common import Today, pick
from generator.kinds.meeting.records import facts as meeting_facts
from generator.kinds.meeting.records import facts_key as meetings_key
from generator.load import Doc, Project
from generator.loading.cache import key_of
from generator.messages import unknown_ref
from generator.problems import Problem, Severity

W: Severity = "warning"

MEETING_TYPE_WORDS = {
    "deliberation": ("议事会", "deliberation council"), "assembly": ("居民代表大会", "representative assembly"),
    "owners-assembly": ("业主大会", "owners' assembly"), "hearing": ("听证会", "hearing"),
    "joint": ("联席会议", "joint meeting"), "committee": ("委员会会议", "committee meeting"),
    "consultation": ("协商会", "consultation"), "other": ("会议", "meeting"),
}


def _money(value: float) -> str:
    return f"{value:,.2f}"


def _routes(routes: Iterable[str], lang: str) -> str:
    i = 0 if lang == "zh" else 1
    return ("、" if lang == "zh" else ", ").join(ROUTE_WORDS.get(r, (r, r))[i] for r in routes)


# --- tiers --------------------------------------------------------------------------


def in_force(procs: Procedures, s: Spend) -> bool:
    """The procedure applies to spending that ends on or after its ``effective`` day."""
    return procs.in_force(s.last)


def tier_for(procs: Procedures, fund: str, amount: float, origin: str | None = None) -> Tier | None:
    """The first tier whose funds, amount range and origin match."""
    for tier in procs.tiers:
        if tier.funds and fund not in tier.funds:
            continue
        if not amount > tier.above or (tier.up_to is not None and amount > tier.up_to):
            continue
        if tier.origins and origin is not None and origin not in tier.origins:
            continue
        return tier
    return None


def _tier_params(tier: Tier, procs: Procedures) -> dict[str, Any]:
    # The rule is cited by its tier's id, not quoted: a real rule's text runs to
    # hundreds of characters, and every warning repeating it buries the finding.
    # The site's procedure page (approvals/procedure) gives it in full.
    return {"tier": pick(tier.title, "zh"), "tier_en": pick(tier.title, "en"), "tier_id": tier.id,
            "routes": _routes(tier.routes, "zh"), "routes_en": _routes(tier.routes, "en")}


# --- the check ----------------------------------------------------------------------


@dataclass
class World:
    """What the governance checks look at, gathered once."""

    project: Project
    index: Index
    procs: Procedures | None
    approvals: dict[str, Doc]
    contracts: dict[str, Doc]
    matters: list[Doc]
    today: dt.date
    #: problems placed in a meeting's file (id of the problem -> the meeting's id, the path
    #: in it): the cache keeps the meetings' facts, not their text, so they are placed again
    in_meetings: dict[int, tuple[str, tuple[Any, ...]]] = field(default_factory=dict)

    def col(self, file: str, name: str) -> int | None:
        return self.project.budgets.columns.get(file, {}).get(name)

    def origin_of(self, approval: Any) -> str | None:
        body = self.index.table("body").get(approval.requested_by)
        return body.kind if body is not None else None

    def contract_authorized(self, ident: str) -> bool:
        """The line's contract (by id) exists and is authorized."""
        doc = self.contracts.get(ident) if ident else None
        return doc is not None and self.contract_ok(doc.model)

    def contract_ok(self, contract: Any) -> bool:
        """Authorized by an approved approval or an adopted decision."""
        return contract_authorized(contract, self.approvals, self.index.table("decision"))


def check(project: Project, index: Index) -> Iterator[Problem]:
    """The governance checks; with the check cache, their findings are kept by everything
    they read: the tables' key, the texts of community.yaml, approvals, contracts, matters
    and consultations, today, and the meetings' facts (``meeting.records.facts``), so that
    an edit elsewhere (or of a meeting, that leaves its facts as they were) does not walk
    the budget lines again. A finding in a meeting's file is placed again in its text now."""
    store = project.cache
    if store is None or project.tables_key is None:
        yield from (p for p, _at in _found(project, index))
        return
    meetings = index.table("meeting")
    key = key_of(project.tables_key, project.texts_key("community", "approval", "contract", "matter", "consultation"),
                 Today.get().isoformat(), meetings_key(project, index))
    found = store.get("approval-checks", key)
    if not isinstance(found, list):
        found = list(_found(project, index))
        store.put("approval-checks", key, found)
    for p, at in found:
        if at is None:
            yield p
        else:
            doc = meetings[at[0]]
            line, col = doc.at(*at[1], value=True)
            yield Problem(p.code, doc.file, line, col, p.params, p.severity)


def _found(project: Project, index: Index) -> Iterator[tuple[Problem, tuple[str, tuple[Any, ...]] | None]]:
    """Each finding, with the meeting and path it is placed at when it is in a meeting's file."""
    for p, world in _checked(project, index):
        yield p, world.in_meetings.get(id(p))


def _checked(project: Project, index: Index) -> Iterator[tuple[Problem, World]]:
    community = project.community
    world = World(
        project, index, community.procedures if community is not None else None,
        index.table("approval"), index.table("contract"),
        project.valid("matter"), Today.get())
    lines = spends(project.budgets.lines)
    found = chain(_lines(world, lines), _approvals(world, lines), _contracts(world, lines),
                  _splits(world, lines) if world.procs is not None else (), _overlaps(world, lines),
                  _matters(world), _consultations(world))
    for p in found:
        yield p, world


def _exempt(world: World, s: Spend) -> bool:
    procs = world.procs
    assert procs is not None
    return procs.exemption_for(s.line.fund, s.line.category, world.contract_authorized(s.line.contract)) is not None


def _lines(world: World, lines: list[Spend]) -> Iterator[Problem]:
    procs = world.procs
    known_approvals, known_contracts = world.index.ids("approval"), world.index.ids("contract")
    for s in lines:
        line = s.line
        col = world.col(line.file, "approval")
        if line.approval and line.approval not in world.approvals:
            if line.approval not in known_approvals:  # an invalid file still exists: no cascade
                yield unknown_ref(line.file, line.line, col, world.index.what("approval"), line.approval,
                                  world.approvals)
            continue
        if line.contract and line.contract not in world.contracts:
            if line.contract not in known_contracts:
                yield unknown_ref(line.file, line.line, world.col(line.file, "contract"), world.index.what("contract"),
                                  line.contract, world.contracts)
            continue
        if line.approval:
            yield from _line_against_approval(world, s, world.approvals[line.approval])
        if procs is None or not in_force(procs, s):
            continue
        if _exempt(world, s):
            continue
        origin = world.origin_of(world.approvals[line.approval].model) if line.approval else None
        tier = tier_for(procs, line.fund, s.amount, origin)
        if tier is None:
            continue
        if line.approval:
            # The approval's route is judged on the approval, against the tier of its own
            # fund and size (_approvals); here only when that tier is not this line's.
            a = world.approvals[line.approval].model
            atier = _approval_tier(world, a, lines)
            there = atier is not None and a.status == "approved" and not set(a.route) & set(atier.routes)
            if not set(a.route) & set(tier.routes) and not there:
                yield Problem("procedure.route-insufficient", line.file, line.line, col,
                              {**_tier_params(tier, procs), "what": f"审批 {a.id}", "what_en": f"approval {a.id}",
                               "amount": _money(s.amount), "taken": _routes(a.route, "zh"),
                               "taken_en": _routes(a.route, "en")}, W)
            continue
        if line.contract and not line.decision and not world.contract_authorized(line.contract):
            # paid under a contract nobody authorized: the contract exemption does not
            # hold, and the line says so itself (not only the contract's page)
            yield Problem("procedure.contract-unauthorized", line.file, line.line,
                          world.col(line.file, "contract"),
                          {**_tier_params(tier, procs), "contract": line.contract, "amount": _money(s.amount)}, W)
            continue
        if line.decision:
            ref = world.index.table("decision").get(line.decision)
            if ref is None:
                continue  # budgets.check reports the unknown decision
            route = MEETING_ROUTE.get(ref.meeting_type, "other")
            if route not in tier.routes:
                yield Problem("procedure.route-insufficient", line.file, line.line,
                              world.col(line.file, "decision"),
                              {**_tier_params(tier, procs), "what": f"决议 {line.decision}",
                               "what_en": f"decision {line.decision}", "amount": _money(s.amount),
                               "taken": _routes([route], "zh"), "taken_en": _routes([route], "en")}, W)
            when = ref.when
            if s.last is not None and when > s.last:
                yield Problem("procedure.after-spending", line.file, line.line, world.col(line.file, "decision"),
                              {"what": f"决议 {line.decision}", "what_en": f"decision {line.decision}",
                               "date": when, "spent": _spent_when(s)}, W)
            continue
        yield Problem("procedure.no-approval", line.file, line.line,
                      col or world.col(line.file, "decision"),
                      {**_tier_params(tier, procs), "amount": _money(s.amount)}, W)


def _spent_when(s: Spend) -> str:
    if s.dated or s.first == s.last:
        return str(s.last)
    return f"{s.line.period}（{s.first}—{s.last}）"


def _line_against_approval(world: World, s: Spend, doc: Doc) -> Iterator[Problem]:
    a, line = doc.model, s.line
    col = world.col(line.file, "approval")
    what = {"what": f"审批 {a.id}", "what_en": f"approval {a.id}"}
    if a.status != "approved":
        yield Problem("procedure.not-approved", line.file, line.line, col,
                      {**what, "status": {"rejected": "未批准", "pending": "待批", "submitted": "已提交，结果未记录"}[a.status],
                       "status_en": {"submitted": "submitted with no outcome on record"}.get(a.status, a.status)}, W)
    if a.fund != line.fund:
        yield Problem("procedure.fund-mismatch", line.file, line.line, world.col(line.file, "fund"),
                      {**what, "fund": _fund(world, a.fund), "line_fund": _fund(world, line.fund)}, W)
    if s.last is not None and a.date is not None and a.date > s.last:  # checked when both dates exist
        yield Problem("procedure.after-spending", line.file, line.line, col,
                      {**what, "date": a.date, "spent": _spent_when(s)}, W)
    if s.amount > a.amount + 0.005:
        yield Problem("procedure.amount-exceeded", line.file, line.line, col,
                      {**what, "amount": _money(s.amount), "approved": _money(a.amount)}, W)


def _fund(world: World, fund: str) -> str:
    name = world.project.budgets.funds.get(fund)
    return f"{name}（{fund}）" if name else fund


def _citing(lines: list[Spend], attr: str, ident: str) -> list[Spend]:
    return sorted((s for s in lines if getattr(s.line, attr) == ident),
                  key=lambda s: (s.when, s.line.file, s.line.line))


def _running(world: World, citing: list[Spend], ceiling: float, code: str,
             what: dict[str, str]) -> Iterator[Problem]:
    """The line where the running total first passes ``ceiling`` (a single line that
    alone passes it is reported as ``procedure.amount-exceeded`` instead)."""
    total = 0.0
    for i, s in enumerate(citing):
        total += s.spent
        if total > ceiling + 0.005:
            if code == "procedure.cumulative-exceeded" and s.amount > ceiling + 0.005:
                return
            others = ", ".join(x.line.id for x in citing[:i]) or "—"
            yield Problem(code, s.line.file, s.line.line, world.col(s.line.file, "actual"),
                          {**what, "total": _money(total), "ceiling": _money(ceiling), "others": others}, W)
            return


def _approval_tier(world: World, a: Any, lines: list[Spend]) -> Tier | None:
    """The tier an approval answers to: its fund, and the larger of its amount and
    what was spent citing it."""
    assert world.procs is not None
    size = max(a.amount, sum(s.spent for s in lines if s.line.approval == a.id))
    return tier_for(world.procs, a.fund, size, world.origin_of(a))


def _approvals(world: World, lines: list[Spend]) -> Iterator[Problem]:
    procs = world.procs
    for ident, doc in world.approvals.items():
        a = doc.model
        citing = _citing(lines, "approval", ident)
        what = {"what": f"审批 {a.id}", "what_en": f"approval {a.id}"}
        yield from _running(world, citing, a.amount, "procedure.cumulative-exceeded", what)
        if procs is None:
            continue
        size = max(a.amount, sum(s.spent for s in citing))
        tier = _approval_tier(world, a, lines)
        if tier is None:
            continue
        if a.status == "approved" and not set(a.route) & set(tier.routes):
            yield doc.problem("procedure.route-insufficient", "route", severity=W,
                              **_tier_params(tier, procs), **what, amount=_money(size),
                              taken=_routes(a.route, "zh"), taken_en=_routes(a.route, "en"))
        if tier.read_at and a.status in ("approved", "rejected") and a.when is not None:
            yield from _read_out(world, doc, tier.read_at, tier.read_within_days)


def _read_out(world: World, doc: Doc, meeting_type: str, days: int) -> Iterator[Problem]:
    a = doc.model
    type_words = MEETING_TYPE_WORDS.get(meeting_type, (meeting_type, meeting_type))
    if a.read_at:
        meeting = world.index.table("meeting").get(a.read_at)
        held = meeting_facts(world.project, meeting).date if meeting is not None else None
        if held is not None and a.date is not None and held < a.date:  # an unknown one: generator.checks.references
            yield doc.problem("approval.read-before", "read_at", severity=W, meeting=a.read_at,
                              meeting_date=held, date=a.date)
        return
    day = a.when
    meetings = (meeting_facts(world.project, m) for m in world.index.table("meeting").values())
    later = sorted(m.date for m in meetings if m.type == meeting_type and m.status == "held" and m.date > day)
    due = day + dt.timedelta(days=days)
    if later or world.today > due:
        since = later[0] if later else due
        yield doc.problem("approval.not-read", "id", severity=W, meeting_type=type_words[0],
                          meeting_type_en=type_words[1], date=day, since=since)


def _contracts(world: World, lines: list[Spend]) -> Iterator[Problem]:
    procs = world.procs
    for ident, doc in world.contracts.items():
        c = doc.model
        what = {"what": f"合同 {c.id}", "what_en": f"contract {c.id}"}
        if (c.approval and c.approval not in world.approvals) or (
                not c.approval and c.decision and c.decision not in world.index.table("decision")):
            pass  # an unknown reference: generator.checks.references says so
        elif not world.contract_ok(c):
            if c.approval:
                reason, reason_en = f"审批 {c.approval} 未获批准", f"approval {c.approval} was not approved"
                at = "approval"
            elif c.decision:
                reason, reason_en = f"决议 {c.decision} 未获通过", f"decision {c.decision} was not adopted"
                at = "decision"
            else:
                reason, reason_en = "没有填写批准它的审批或决议", "no approval or decision is given"
                at = "id"
            yield doc.problem("contract.unauthorized", at, severity=W, reason=reason, reason_en=reason_en)
        elif procs is not None and c.decision and not c.approval:
            total = c.total() or c.amount
            tier = tier_for(procs, c.fund, total) if total is not None and c.direction == "pay" else None
            route = MEETING_ROUTE.get(world.index.table("decision")[c.decision].meeting_type, "other")
            if tier is not None and total is not None and route not in tier.routes:
                yield doc.problem("procedure.route-insufficient", "decision", severity=W,
                                  **_tier_params(tier, procs), **what, amount=_money(total),
                                  taken=_routes([route], "zh"), taken_en=_routes([route], "en"))
        # Data written before contracts could have no fixed amount, or a stated value:
        # say what to change rather than publish "0 元" or a pro-rated guess.
        if c.amount == 0 and c.value is None:
            yield doc.problem("budget.contract-zero-amount", "amount", severity=W)
        elif (c.amount and c.amount_per != "total" and c.value is None and not c.increases
              and c.end is not None and c.total() is None):
            yield doc.problem("budget.contract-value-missing", "amount_per", severity=W,
                              per={"month": "按月", "year": "按年"}[c.amount_per], per_en=c.amount_per)
        if c.status == "ended" and c.end_reason is None:
            yield doc.problem("contract.end-reason-missing", "status", severity=W)
        citing = _citing(lines, "contract", ident)
        total = c.total()
        if total is not None and c.direction == "pay":  # income under a lease is not spending against it
            yield from _running(world, citing, total, "contract.over-total", what)
        end = c.ended or c.end
        for s in citing:
            line = s.line
            if line.fund != c.fund:
                yield Problem("procedure.fund-mismatch", line.file, line.line, world.col(line.file, "fund"),
                              {**what, "fund": _fund(world, c.fund), "line_fund": _fund(world, line.fund)}, W)
            if s.first is None or s.last is None:
                continue
            if s.last < c.start or (end is not None and s.first > end):
                yield Problem("procedure.outside-term", line.file, line.line, world.col(line.file, "contract"),
                              {**what, "spent": _spent_when(s), "start": c.start, "end": end or "—"}, W)


_PARENS = re.compile(r"[（(][^）)]*[）)]|\s+")


def _purpose(item: str) -> str:
    """An item without its parenthesised details: 外墙修补（一期） → 外墙修补."""
    return _PARENS.sub("", item)


def _splits(world: World, lines: list[Spend]) -> Iterator[Problem]:
    procs = world.procs
    assert procs is not None
    window = dt.timedelta(days=procs.split_window_days)
    candidates = [s for s in lines if s.last is not None and in_force(procs, s) and not _exempt(world, s)
                  and tier_for(procs, s.line.fund, s.amount) is not None]
    groups: dict[tuple[str, str, str], list[Spend]] = defaultdict(list)
    for s in candidates:
        groups[(s.line.fund, "item", _purpose(s.line.item))].append(s)
        if s.line.payee:
            groups[(s.line.fund, "payee", s.line.payee.strip())].append(s)
    reported: set[tuple[str, int]] = set()
    for (fund, _by, _key), group in sorted(groups.items()):
        group.sort(key=lambda s: (s.when, s.line.file, s.line.line))
        start = 0
        while start < len(group):
            end = start + 1
            while end < len(group) and group[end].when - group[start].when <= window:
                end += 1
            cluster = group[start:end]
            start = end
            if len(cluster) < 2:
                continue
            total = sum(s.amount for s in cluster)
            bound = _crossed_bound(procs, fund, [s.amount for s in cluster], total)
            if bound is None:
                continue
            tier = tier_for(procs, fund, total)
            approvals = {s.line.approval for s in cluster}
            if len(approvals) == 1 and "" not in approvals and tier is not None:
                a = world.approvals[next(iter(approvals))].model
                if set(a.route) & set(tier.routes) and a.amount + 0.005 >= total:
                    continue  # one approval, by the right route, covers them all: not split
            last = cluster[-1].line
            if (last.file, last.line) in reported:
                continue
            reported.add((last.file, last.line))
            yield Problem("procedure.split-suspected", last.file, last.line, world.col(last.file, "item"),
                          {"others": ", ".join(s.line.id for s in cluster[:-1]), "total": _money(total),
                           "bound": _money(bound), "days": procs.split_window_days,
                           "count": len(cluster)}, W)


def _overlaps(world: World, lines: list[Spend]) -> Iterator[Problem]:
    """Two lines for the same payee and category whose periods overlap: one bill
    claimed twice (a month's electricity in a letter of its own and again inside a
    quarter's). Exempt lines too: an exemption spares an approval, not a check."""
    groups: dict[tuple[str, str, str], list[tuple[Spend, dt.date, dt.date]]] = defaultdict(list)
    for s in lines:
        rng = period_range(s.line.period)
        if s.line.payee.strip() and rng is not None:
            groups[(s.line.fund, s.line.payee.strip(), s.line.category)].append((s, *rng))
    for group in groups.values():
        group.sort(key=lambda g: (g[0].line.file, g[0].line.line))
        for i, (s, first, last) in enumerate(group):
            # the same period twice is two bills when each was paid on its own day
            other = next(((o, f, e) for o, f, e in group[:i] if f <= last and first <= e
                          and ((f, e) != (first, last) or not (o.dated and s.dated))), None)
            if other is None:
                continue
            o = other[0].line
            yield Problem("procedure.overlap-suspected", s.line.file, s.line.line, world.col(s.line.file, "period"),
                          {"other": o.id, "other_period": o.period, "period": s.line.period}, W)


def _crossed_bound(procs: Procedures, fund: str, amounts: list[float], total: float) -> float | None:
    """A tier's upper bound each amount stays within while their total passes it."""
    for tier in procs.tiers:
        if tier.up_to is None or (tier.funds and fund not in tier.funds):
            continue
        if max(amounts) <= tier.up_to < total:
            return tier.up_to
    return None


def _matters(world: World) -> Iterator[Problem]:
    for doc in world.matters:
        m = doc.model
        if m.status == "done" and m.result is None:
            yield doc.problem("matter.result-missing", "status", severity=W)
        if m.status in ("abandoned", "deferred") and m.status_reason is None:
            yield doc.problem("matter.reason-missing", "status", severity=W,
                              status={"abandoned": "已放弃", "deferred": "暂缓"}[m.status], status_en=m.status)
        for i, action in enumerate(m.action_items):
            if action.status in ("open", "in-progress") and action.due is not None and action.due < world.today:
                yield doc.problem("date.action-overdue", "action_items", i, "due", severity=W, due=action.due)


def _consultations(world: World) -> Iterator[Problem]:
    """A consultation (a held meeting of type ``consultation``) put options to people
    and nobody ever concluded: no decision there, no approval resting on it, no matter
    that moved on from it. A matter still "in consultation" long after it opened, too."""
    days = world.procs.consultation_days if world.procs is not None else 90
    concluded = {a.model.consultation for a in world.approvals.values() if a.model.consultation}
    # A consultation record (generator/kinds/consultation) that is closed or decided
    # concludes the meeting it was held at, and the matters that cite it.
    records = world.index.table("consultation")
    settled = {cid for cid, doc in records.items() if doc.model.state in ("closed", "decided")}
    concluded.update(records[cid].model.meeting for cid in settled if records[cid].model.meeting)
    for doc in world.matters:
        if doc.model.status not in ("proposed", "consultation"):
            concluded.update(doc.model.meetings)
    for mid, doc in world.index.table("meeting").items():
        m = meeting_facts(world.project, doc)
        if m.status != "held" or mid in concluded or m.date + dt.timedelta(days=days) >= world.today:
            continue
        for i, item in enumerate(m.items):
            if item.decided or item.consultation == "closed":
                continue  # concluded, or closed without a decision (and says so)
            if item.consultation == "open" or (m.type == "consultation" and item.options >= 2):
                p = doc.problem("consultation.not-concluded", "agenda", i, "id", severity=W,
                                date=m.date, days=(world.today - m.date).days)
                world.in_meetings[id(p)] = (mid, ("agenda", i, "id"))
                yield p
    for doc in world.matters:
        m = doc.model
        if m.status == "consultation" and m.opened + dt.timedelta(days=days) < world.today and not m.decisions \
                and not settled.intersection(m.consultations):
            yield doc.problem("consultation.not-concluded", "status", severity=W,
                              date=m.opened, days=(world.today - m.opened).days)
