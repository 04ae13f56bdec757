"""Generate a large, *valid* synthetic community project for benchmarks.

    python bench/make_scale_data.py OUT_DIR --budget-lines 100000 --meetings 5000 [--seed 1] [--verify]

writes ``OUT_DIR/data/``: community.yaml, budgets (a Frictionless Data Package
with one ``lines-<year>`` resource per year, 2007–2026, funds.csv and totals.csv
whose totals equal the line sums to the fen), one YAML file per meeting (about
three agenda items each, with who raised it, Markdown background, two costed
options with effects, a decision with a unique id and votes that agree with the
body's decision rule and the attendance; action items; minutes), rules whose
versions were adopted by generated decisions (and the decisions point back),
services, notices and forms.

The same ``--seed`` gives byte-identical output. Public-revenue spending above
the community's threshold (CNY 5,000) cites an adopted decision of its year.

Library use (benchmarks, tests)::

    from bench.make_scale_data import make
    make(Path("/tmp/x"), budget_lines=2000, meetings=100, seed=1)

Output is written with plain string formatting (no YAML or CSV library on the
hot path) so 100,000 lines and 5,000 meetings take a few seconds.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
import random
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

#: Years covered by the budget tables (one ``<year>.csv`` each) and the meetings.
YEARS = tuple(range(2007, 2027))
#: Meetings are held between these dates: all in the past, so none is "held in the future".
FIRST_DAY = dt.date(2007, 1, 6)
LAST_DAY = dt.date(2026, 10, 31)
#: Action items are done by this date at the latest (kept fixed for determinism).
LAST_DONE = dt.date(2026, 11, 15)
THRESHOLD = 5000  # finance_rules.decision_threshold, CNY, applies to public-revenue
MARKER = ".scale-data.json"  #: records the parameters of a generated tree
GENERATOR_VERSION = 1  #: bump when the output changes, so stale trees are regenerated


def q(s: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(s, ensure_ascii=False)


def tx(zh: str, en: str) -> str:
    """A ``{zh: …, en: …}`` flow mapping."""
    return "{zh: " + q(zh) + ", en: " + q(en) + "}"


def block(text: str, indent: int) -> str:
    """A literal block scalar (``|``) whose lines are indented by ``indent`` spaces."""
    pad = " " * indent
    return "|\n" + "\n".join(pad + line if line else "" for line in text.split("\n")) + "\n"


# --- the community ------------------------------------------------------------

@dataclass(frozen=True)
class BodySpec:
    id: str
    zh: str
    en: str
    kind: str
    members: int | None
    #: (quorum, quorum_strict, threshold, base, strict) or None
    rule: tuple[float, bool, float, str, bool] | None
    meeting_type: str | None = None  #: bodies that hold meetings
    weight: float = 0.0  #: share of the meetings
    title_zh: str = ""
    title_en: str = ""


BODIES: tuple[BodySpec, ...] = (
    BodySpec("jwh", "样本社区居民委员会", "Sample Residents' Committee", "residents-committee", 7,
             (0.5, True, 0.5, "present", True), "committee", 0.18, "居委会会议", "Residents' committee meeting"),
    BodySpec("ywh", "样本小区业主委员会", "Sample Owners' Committee", "owners-committee", 5,
             (0.5, True, 0.5, "members", True), "committee", 0.22, "业委会会议", "Owners' committee meeting"),
    BodySpec("yzdh", "样本小区业主大会", "Sample Owners' Assembly", "owners-assembly", 1284,
             (0.6667, False, 0.5, "cast", True), "owners-assembly", 0.05, "业主大会", "Owners' assembly"),
    BodySpec("yishihui", "样本社区居民议事会", "Sample Deliberation Council", "deliberation-council", 21,
             (0.5, False, 0.5, "present", True), "deliberation", 0.35, "居民议事会", "Deliberation council"),
    BodySpec("jmdb", "样本社区居民代表大会", "Sample Representative Assembly", "representative-assembly", 45,
             (0.6667, False, 0.5, "present", True), "assembly", 0.08, "居民代表大会", "Representative assembly"),
    BodySpec("lianxi", "三方联席会议", "Joint meeting", "joint-meeting", 9,
             (0.6667, False, 0.6667, "present", False), "joint", 0.12, "三方联席会议", "Joint meeting"),
    BodySpec("wuye", "某物业服务有限公司样本项目部", "Property company site office", "property-company", None, None),
    BodySpec("jiedao", "某街道办事处", "Subdistrict office", "street-office", None, None),
)
BODY = {b.id: b for b in BODIES}
MEETING_BODIES = [b for b in BODIES if b.meeting_type]

FUNDS = (
    ("community-fund", "社区工作经费", "Community operating fund", "jwh", "街道按年度拨付的社区办公和服务经费"),
    ("public-revenue", "小区公共收益", "Compound public revenue", "ywh", "停车场地使用费、电梯广告等利用共有部分取得的收入，归全体业主所有"),
    ("maintenance", "专项维修资金", "Housing maintenance fund", "yzdh", "业主交存的专项维修资金中本小区的部分"),
)
FUND_NAME = {f[0]: f[1] for f in FUNDS}
FUND_CODE = {"community-fund": "SQ", "public-revenue": "GY", "maintenance": "WX"}

SERVICE_CATEGORIES = (
    ("elderly", "养老服务", "Elderly care"), ("health", "医疗健康", "Health"),
    ("social-security", "社会保障与救助", "Social security"), ("housing", "住房与物业", "Housing and property"),
    ("legal", "法律服务与调解", "Legal aid and mediation"), ("culture", "文体与志愿服务", "Culture and volunteering"),
)


def vote_rule(body: BodySpec) -> tuple[float, bool, float, str, bool]:
    return body.rule or (0.5, False, 0.5, "present", True)  # the checker's default rule


def quorum_needed(body: BodySpec, members: int) -> int:
    quorum, quorum_strict, *_ = vote_rule(body)
    share = quorum * members
    return math.floor(share) + 1 if quorum_strict else math.ceil(share - 1e-9)


def outcome_of(body: BodySpec, votes_for: int, cast: int, present: int, members: int) -> str:
    _, _, threshold, base_name, strict = vote_rule(body)
    base = {"present": present, "members": members, "cast": cast}[base_name]
    needed = threshold * base
    passed = votes_for > needed if strict else votes_for >= needed - 1e-9
    return "adopted" if passed else "rejected"


@dataclass(frozen=True)
class CommunitySpec:
    """Who the generated community is: a street has many (bench/make_street.py)."""

    id: str = "scale-sample"
    zh: str = "样本社区"
    en: str = "Sample Community"
    site_url: str = "https://scale.example.org"


def community_yaml(spec: CommunitySpec = CommunitySpec()) -> str:
    host = spec.site_url.split("//", 1)[-1].split("/", 1)[0]
    out = [
        "# Synthetic community for benchmarks (bench/make_scale_data.py). Fictional throughout.",
        f"id: {spec.id}",
        "name: " + tx(spec.zh, spec.en),
        "street_office: " + tx("某街道", "Sample Subdistrict"),
        "district: " + tx("某区", "Sample District"),
        "address: " + tx("某区某街道样本路1号", "1 Sample Road"),
        "languages: {default: zh, others: [en]}",
        f"site_url: {spec.site_url}",
        "description:",
        "  zh: " + block("样本社区是为性能测试生成的虚构社区。\n\n它有多个议事主体、二十年的收支明细和数千次会议记录。", 4).rstrip("\n"),
        "  en: " + q("A fictional community generated for benchmarks."),
        "contacts:",
        "  - name: " + tx("居委会办公室", "Residents' committee office"),
        "    phone: 0571-8000 0000",
        f"    email: office@{host}",
        "    hours: " + tx("周一至周五 8:30—17:30", "Mon–Fri 8:30–17:30"),
        "bodies:",
    ]
    for b in BODIES:
        out.append(f"  - id: {b.id}")
        out.append("    name: " + tx(b.zh, b.en))
        out.append(f"    kind: {b.kind}")
        if b.members:
            out.append(f"    members: {b.members}")
        out.append("    roles:")
        out.append("      - title: " + tx("主任", "Chair"))
        out.append("        duties: " + tx("主持日常工作", "Leads the work"))
        out.append("      - title: " + tx("委员", "Member"))
        if b.rule:
            quorum, quorum_strict, threshold, base, strict = b.rule
            out.append(f"    decision_rule: {{quorum: {quorum}, quorum_strict: {str(quorum_strict).lower()}, "
                       f"threshold: {threshold}, base: {base}, strict: {str(strict).lower()}}}")
    out.append("grids:")
    for g in range(1, 6):
        out.append(f"  - id: grid-{g}")
        out.append("    name: " + tx(f"第{g}网格", f"Grid {g}"))
        out.append("    buildings: [" + ", ".join(q(str(n)) for n in range(g * 5 - 4, g * 5 + 1)) + "]")
        out.append(f"    phone: 0571-8000 00{g:02d}")
    out.append("service_categories:")
    for cid, zh, en in SERVICE_CATEGORIES:
        out.append(f"  - id: {cid}")
        out.append("    name: " + tx(zh, en))
    out += [
        "finance_rules:",
        f"  decision_threshold: {THRESHOLD}",
        "  threshold_funds: [public-revenue]",
        "  source: " + tx("管理规约第十二条：公共收益单笔支出超过5000元的，须经表决通过并公示。",
                          "Management covenant, art. 12: public-revenue payments over CNY 5,000 need a vote."),
    ]
    return "\n".join(out) + "\n"


# --- meetings -------------------------------------------------------------------

#: (zh title, en title, fund, cost low, cost high, affected groups)
TOPICS = (
    ("更换{b}号楼单元门禁", "Replace the entrance door system of building {b}", "public-revenue", 6000, 30000,
     (("{b}号楼住户", "Residents of building {b}"), ("物业服务企业", "Property company"))),
    ("中心花园儿童游乐设施更新", "Renew the playground in the central garden", "public-revenue", 8000, 60000,
     (("有儿童的家庭", "Families with children"), ("花园周边住户", "Residents near the garden"))),
    ("增设非机动车充电端口", "More e-bike charging sockets", "public-revenue", 5500, 40000,
     (("电动自行车车主", "E-bike owners"), ("全体业主", "All owners"))),
    ("地下车库照明节能改造", "Energy-saving lights in the underground car park", "public-revenue", 7000, 45000,
     (("有车业主", "Car owners"), ("全体业主", "All owners"))),
    ("小区监控系统升级", "Upgrade the CCTV system", "public-revenue", 10000, 80000,
     (("全体居民", "All residents"), ("物业服务企业", "Property company"))),
    ("{b}号楼外墙空鼓治理", "Repair loose render on building {b}", "maintenance", 20000, 200000,
     (("{b}号楼住户", "Residents of building {b}"), ("全体业主", "All owners"))),
    ("{b}号楼电梯主要部件更换", "Replace main lift parts in building {b}", "maintenance", 30000, 150000,
     (("{b}号楼住户", "Residents of building {b}"), ("老年居民", "Older residents"))),
    ("屋面防水层翻新（{b}号楼）", "Re-waterproof the roof of building {b}", "maintenance", 15000, 120000,
     (("顶层住户", "Top-floor households"), ("全体业主", "All owners"))),
    ("老年人助餐点运营", "Run the meal point for older residents", "community-fund", 3000, 40000,
     (("高龄和独居老人", "Very old and lone residents"), ("志愿者", "Volunteers"))),
    ("四点半课堂志愿服务", "After-school class volunteers", "community-fund", 2000, 15000,
     (("双职工家庭", "Families where both parents work"), ("志愿者", "Volunteers"))),
    ("垃圾分类督导和宣传", "Waste-sorting guidance and publicity", "community-fund", 1500, 12000,
     (("全体居民", "All residents"), ("保洁人员", "Cleaners"))),
    ("社区文化节活动", "Community culture festival", "community-fund", 3000, 25000,
     (("全体居民", "All residents"), ("社区社会组织", "Community groups"))),
    ("楼道杂物清理和消防通道整治", "Clear corridors and fire lanes", "public-revenue", 2000, 18000,
     (("全体居民", "All residents"), ("有车业主", "Car owners"))),
    ("绿化补植和修剪", "Replant and prune the green areas", "public-revenue", 4000, 35000,
     (("全体居民", "All residents"), ("底层住户", "Ground-floor households"))),
    ("停车收费标准调整", "Adjust parking fees", "public-revenue", 0, 0,
     (("有车业主", "Car owners"), ("访客", "Visitors"))),
    ("雨水管网疏通", "Clear the storm drains", "maintenance", 8000, 60000,
     (("低洼处住户", "Households in low-lying spots"), ("全体业主", "All owners"))),
)
RAISED = (
    ("residents", None, "{b}号楼居民联名（{n}户）"),
    ("owners", None, "{n}户业主联名"),
    ("committee", "ywh", "业委会提出"),
    ("committee", "jwh", "居委会提出"),
    ("property-company", "wuye", "物业月度巡查报告"),
    ("council-member", None, "{n}名议事员联名"),
    ("street-office", "jiedao", "街道交办"),
)
PLACES = (
    tx("党群服务中心三楼会议室", "Community centre, 3rd-floor meeting room"),
    tx("党群服务中心一楼多功能厅", "Community centre, ground-floor hall"),
    tx("业委会接待室", "Owners' committee reception room"),
    tx("中心花园凉亭（室外）", "Central garden pavilion (outdoors)"),
)
TIMES = (("09:00", "11:00"), ("09:30", "11:30"), ("14:30", "16:30"), ("19:00", "21:00"), ("19:30", "21:15"))
OWNERS = (("业主委员会", "Owners' committee", "ywh"), ("居民委员会", "Residents' committee", "jwh"),
          ("物业服务企业", "Property company", "wuye"))
CN_NUM = "一二三四五六七八九十"
EFFECTS = (
    tx("施工期间出行不便，完成后使用更安全", "Some disruption during works; safer afterwards"),
    tx("按户分摊费用", "Costs shared per household"),
    tx("公共收益相应减少", "Less public revenue left for other uses"),
    tx("维护费用每年约减少两成", "Upkeep about a fifth cheaper each year"),
    tx("需要临时调整停车位置", "Parking moves for a while"),
    tx("服务时间延长，排队减少", "Longer opening hours, shorter queues"),
)


@dataclass
class MeetingPlan:
    id: str
    body: BodySpec
    date: dt.date
    seq_in_year: int
    #: agenda index -> (rule id, version) for decisions that adopt a rule version
    adopts: dict[int, tuple[str, str]] = field(default_factory=dict)
    #: filled while writing: (agenda index, decision id) of the first decision
    decisions: list[str] = field(default_factory=list)


@dataclass
class DecisionInfo:
    id: str
    year: int
    fund: str | None  #: fund of the chosen option
    cost: int


def plan_meetings(rng: random.Random, count: int, first_day: dt.date = FIRST_DAY) -> list[MeetingPlan]:
    """Dates and bodies, sorted by date; ids ``<date>-<body>`` (``-2`` … on clashes)."""
    span = (LAST_DAY - first_day).days + 1
    if count <= span:
        offsets = sorted(rng.sample(range(span), count))
    else:
        offsets = sorted(rng.randrange(span) for _ in range(count))
    weights = [b.weight for b in MEETING_BODIES]
    bodies = rng.choices(MEETING_BODIES, weights, k=count)
    plans: list[MeetingPlan] = []
    taken: set[str] = set()
    per_year: dict[tuple[int, str], int] = {}
    for off, body in zip(offsets, bodies):
        day = first_day + dt.timedelta(days=off)
        base = f"{day.isoformat()}-{body.id}"
        ident, n = base, 1
        while ident in taken:
            n += 1
            ident = f"{base}-{n}"
        taken.add(ident)
        key = (day.year, body.id)
        per_year[key] = per_year.get(key, 0) + 1
        plans.append(MeetingPlan(ident, body, day, per_year[key]))
    return plans


def make_votes(rng: random.Random, body: BodySpec, present: int, members: int,
               want: str) -> tuple[int, int, int, str]:
    """(for, against, abstain, outcome) with the outcome the body's rule gives."""
    for _ in range(8):
        voting = present - (rng.randrange(0, max(1, present // 20) + 1) if present > 10 else 0)
        if want == "adopted":
            votes_for = round(voting * rng.uniform(0.62, 0.97))
        else:
            votes_for = round(voting * rng.uniform(0.1, 0.48))
        rest = voting - votes_for
        against = rng.randint(0, rest)
        abstain = rest - against
        result = outcome_of(body, votes_for, votes_for + against + abstain, present, members)
        if result == want:
            return votes_for, against, abstain, result
    # Unanimous is always adopted (quorum is met); otherwise take what the rule says.
    if want == "adopted":
        return present, 0, 0, "adopted"
    return votes_for, against, abstain, result


def meeting_yaml(rng: random.Random, plan: MeetingPlan, next_decision: dict[int, int],
                 decisions: list[DecisionInfo]) -> str:
    body, day = plan.body, plan.date
    year = day.year
    members = body.members or 9
    needed = quorum_needed(body, members)
    present = rng.randint(needed, members) if members < 100 else rng.randint(needed, min(members, needed + 250))
    start, end = rng.choice(TIMES)
    nth = CN_NUM[plan.seq_in_year - 1] if plan.seq_in_year <= 10 else str(plan.seq_in_year)
    out = [
        f"id: {plan.id}",
        f"body: {body.id}",
        f"type: {body.meeting_type}",
        "title: " + tx(f"{year}年第{nth}次{body.title_zh}", f"{body.title_en} {year}/{plan.seq_in_year}"),
        f"date: {day.isoformat()}",
        f'start: "{start}"',
        f'end: "{end}"',
        "place: " + rng.choice(PLACES),
        "status: held",
        f"attendance: {{members: {members}, present: {present}, observers: {rng.randint(0, 30)}}}",
        "agenda:",
    ]
    n_items = rng.choices((2, 3, 4), (1, 3, 1))[0]
    adopted_here: list[str] = []
    topics = rng.sample(TOPICS, n_items)
    for i, topic in enumerate(topics):
        adopts = plan.adopts.get(i)
        if adopts:
            rule_zh, rule_en = RULE_TITLE[adopts[0]]
            out.append(f"  - id: a{i + 1}")
            out.append("    title: " + tx(f"审议《{rule_zh}》（{adopts[1]}年修订稿）",
                                          f"{rule_en}: {adopts[1]} amendment"))
            out.append(f"    raised_by: {{kind: committee, body: {RULE_OWNER_RAISER[adopts[0]]}, "
                       f"detail: {q('经协商和公示征求意见后提交')}}}")
            out.append("    background: " + block(
                f"修订稿已于会前公示{rng.randint(10, 30)}天，收到意见{rng.randint(3, 60)}条，采纳情况见修订说明。\n\n"
                f"**修订要点**：调整第{rng.randint(1, 8)}条和第{rng.randint(9, 14)}条，其余条文不变。", 6).rstrip("\n"))
            seq = next_decision.get(year, 0) + 1
            next_decision[year] = seq
            did = f"D{year}-{seq:04d}"
            votes_for, against, abstain, outcome = make_votes(rng, body, present, members, "adopted")
            assert outcome == "adopted"
            out += [
                "    decision:",
                f"      id: {did}",
                "      text: " + q(f"通过《{rule_zh}》（{adopts[1]}年修订版），自公布之日起30日后施行。"),
                f"      votes: {{for: {votes_for}, against: {against}, abstain: {abstain}}}",
                "      outcome: adopted",
                f"      adopts_rule: {{rule: {adopts[0]}, version: {q(adopts[1])}}}",
            ]
            adopted_here.append(did)
            decisions.append(DecisionInfo(did, year, None, 0))
            plan.decisions.append(did)
            continue
        zh_t, en_t, fund, lo, hi, groups = topic
        bno = rng.randint(1, 25)
        households = rng.randint(10, 60)
        zh_title, en_title = zh_t.format(b=bno), en_t.format(b=bno)
        kind, raised_body, detail = rng.choice(RAISED)
        out.append(f"  - id: a{i + 1}")
        out.append("    title: " + tx(zh_title, en_title))
        raised = f"{{kind: {kind}"
        if raised_body:
            raised += f", body: {raised_body}"
        raised += ", detail: " + q(detail.format(b=bno, n=households)) + "}"
        out.append("    raised_by: " + raised)
        background = (
            f"{year}年{day.month}月，{detail.format(b=bno, n=households)}，提出“{zh_title}”。"
            f"物业和业委会于{max(1, day.day - 3)}日现场查看，情况属实。\n\n"
            f"**现状**：相关设施已使用{rng.randint(5, 20)}年，近一年报修{rng.randint(3, 40)}次；"
            f"居民反映集中在安全和使用便利两方面。\n\n"
            f"- 询价{rng.randint(2, 4)}家，报价见附件；\n"
            f"- 资金拟从{FUND_NAME[fund]}列支；\n"
            f"- 工期约{rng.randint(1, 12)}周。"
        )
        out.append("    background: " + block(background, 6).rstrip("\n"))
        out.append("    options:")
        costs = []
        for j in range(2):
            cost = 0 if hi == 0 else int(rng.uniform(lo, hi) * (1.0 if j == 0 else 0.6)) // 10 * 10
            costs.append(cost)
            out.append(f"      - id: o{j + 1}")
            if j == 0:
                out.append("        title: " + tx(f"方案{CN_NUM[j]}：全面实施", "Option 1: do it all"))
                desc = f"一次性完成{zh_title}，质保期两年。"
            else:
                out.append("        title: " + tx(f"方案{CN_NUM[j]}：分步实施", "Option 2: step by step"))
                desc = f"先处理最急需的部分，其余{rng.randint(1, 3)}年内分批完成。"
            out.append("        description: " + q(desc))
            out.append(f"        cost: {cost}")
            out.append(f"        fund: {fund}")
            out.append("        effects:")
            for gzh, gen in groups[: rng.randint(1, 2)]:
                out.append("          - {group: " + tx(gzh.format(b=bno), gen.format(b=bno))
                           + ", effect: " + rng.choice(EFFECTS) + "}")
        r = rng.random()
        want = "adopted" if r < 0.82 else ("rejected" if r < 0.93 else "deferred")
        seq = next_decision.get(year, 0) + 1
        next_decision[year] = seq
        did = f"D{year}-{seq:04d}"
        out.append("    decision:")
        out.append(f"      id: {did}")
        if want == "deferred":
            out.append("      text: " + q("信息不足，暂缓表决，请物业补充报价后下次会议再议。"))
            out.append("      outcome: deferred")
            continue
        votes_for, against, abstain, outcome = make_votes(rng, body, present, members, want)
        chosen = rng.choice((0, 0, 1))
        if outcome == "adopted":
            out.append("      text: " + q(f"采纳方案{CN_NUM[chosen]}，{zh_title}，预算{costs[chosen]}元。"))
            out.append(f"      option: o{chosen + 1}")
        else:
            out.append("      text: " + q(f"{zh_title}未获通过。"))
        out.append(f"      votes: {{for: {votes_for}, against: {against}, abstain: {abstain}}}")
        out.append(f"      outcome: {outcome}")
        if outcome == "adopted":
            adopted_here.append(did)
            decisions.append(DecisionInfo(did, year, fund, costs[chosen]))
        plan.decisions.append(did)
    out.append("action_items:")
    for k in range(2):
        zh_o, en_o, owner_body = rng.choice(OWNERS)
        due = day + dt.timedelta(days=rng.randint(20, 90))
        out.append(f"  - id: t{k + 1}")
        out.append("    text: " + tx(f"落实第{k + 1}项议题并公示进展", f"Carry out item {k + 1} and publish progress"))
        out.append("    owner: " + tx(zh_o, en_o))
        out.append(f"    owner_body: {owner_body}")
        if k < len(adopted_here):
            out.append(f"    decision: {adopted_here[k]}")
        out.append(f"    due: {due.isoformat()}")
        if rng.random() < 0.9:
            done = min(day + dt.timedelta(days=rng.randint(5, 80)), LAST_DONE)
            out.append("    status: done")
            out.append(f"    done: {done.isoformat()}")
        else:
            out.append("    status: dropped")
            out.append("    note: " + tx("因方案调整不再执行", "Dropped after the plan changed"))
    minutes = (
        f"**出席**：应到{members}人，实到{present}人，符合议事规则。\n\n"
        f"**讨论**：与会人员就{len(topics)}项议题逐项发言，{rng.randint(2, 9)}名列席居民发言。"
        f"有意见认为应先公示报价再表决，主持人说明报价已在公示栏张贴{rng.randint(3, 10)}天。\n\n"
        f"**表决**：逐项表决，结果见各议题决议。会议纪要于会后7日内公示。"
    )
    out.append("minutes: " + block(minutes, 2).rstrip("\n"))
    return "\n".join(out) + "\n"


# --- rules, services, notices, forms ---------------------------------------------

RULES = (
    ("management-covenant", "样本小区管理规约", "Management covenant", "management-covenant", "yzdh"),
    ("residents-covenant", "样本社区居民公约", "Residents' covenant", "residents-covenant", "jmdb"),
    ("council-procedure", "居民议事会议事规则", "Rules of procedure of the council", "procedure-rules", "jmdb"),
    ("finance-rules", "公共收益管理办法", "Public revenue rules", "finance-rules", "ywh"),
)


RULE_TITLE = {r[0]: (r[1], r[2]) for r in RULES}
RULE_OWNER_RAISER = {"management-covenant": "ywh", "residents-covenant": "jwh", "council-procedure": "jwh",
                     "finance-rules": "ywh"}


def plan_rules(rng: random.Random, plans: list[MeetingPlan]) -> dict[str, list[MeetingPlan]]:
    """For each rule, the meetings that adopted its versions (distinct years, oldest first)."""
    chosen: dict[str, list[MeetingPlan]] = {}
    used: set[str] = set()
    for rule_id, *_, owner in RULES:
        candidates = [p for p in plans if p.body.id == owner and p.id not in used] or \
                     [p for p in plans if p.id not in used]
        by_year: dict[int, MeetingPlan] = {}
        for p in candidates:
            by_year.setdefault(p.date.year, p)
        years = sorted(by_year)
        if not years:
            chosen[rule_id] = []
            continue
        k = min(len(years), rng.randint(3, 5))
        step = len(years) / k
        picks = [by_year[years[int(i * step)]] for i in range(k)]
        for p in picks:
            used.add(p.id)
            p.adopts[0] = (rule_id, str(p.date.year))
        chosen[rule_id] = picks
    return chosen


def rule_yaml(rng: random.Random, spec: tuple[str, str, str, str, str], adopted: list[MeetingPlan]) -> str:
    rule_id, zh, en, kind, owner = spec
    out = [
        f"id: {rule_id}",
        "title: " + tx(zh, en),
        f"kind: {kind}",
        "status: in-force",
        f"body: {owner}",
        "summary: " + q(f"{zh}，规定相关主体的权利义务和议事程序。"),
        "versions:",
    ]
    versions: list[tuple[str, dt.date, MeetingPlan | None]] = [
        (str(p.date.year), p.date + dt.timedelta(days=30), p) for p in adopted
    ] or [("2007", dt.date(2007, 3, 1), None)]
    n_articles = rng.randint(8, 14)
    for v, effective, plan in versions:
        out.append(f"  - version: {q(v)}")
        out.append(f"    effective: {effective.isoformat()}")
        if plan is not None:
            out.append(f"    adopted_by: {{meeting: {plan.id}, decision: {plan.decisions[0]}}}")
        out.append("    note: " + q(f"{v}年修订：调整第{rng.randint(1, n_articles)}条。"))
        out.append("    articles:")
        n_articles = min(20, n_articles + rng.randint(0, 1))
        for a in range(1, n_articles + 1):
            out.append(f"      - number: {a}")
            out.append("        title: " + tx(f"第{a}条", f"Article {a}"))
            out.append("        text: " + q(f"本条规定第{a}项事项的办理要求：应当公开、公平，并在社区网站公示，公示期不少于7日。"))
    return "\n".join(out) + "\n"


def service_yaml(i: int) -> tuple[str, str]:
    cid, czh, cen = SERVICE_CATEGORIES[i % len(SERVICE_CATEGORIES)]
    sid = f"service-{i + 1:02d}"
    text = "\n".join([
        f"id: {sid}",
        "name: " + tx(f"{czh}服务{i + 1}", f"{cen} service {i + 1}"),
        f"category: {cid}",
        "summary: " + tx(f"为居民提供{czh}方面的咨询和办理。", f"Advice and help with {cen.lower()}."),
        "provider: " + tx("居委会一站式窗口", "Residents' committee service desk"),
        "provider_body: jwh",
        "place: " + tx("样本路1号一楼", "1 Sample Road, ground floor"),
        "hours:",
        '  - {days: [mon, tue, wed, thu, fri], opens: "08:30", closes: "12:00"}',
        '  - {days: [mon, tue, wed, thu, fri], opens: "13:30", closes: "17:30"}',
        "phone: 0571-8000 0108",
        "price: free",
        "eligibility: " + tx("本社区居民", "Residents of the community"),
        "documents:",
        "  - " + tx("本人身份证", "ID card"),
        "steps:",
        "  - " + tx("到窗口咨询", "Ask at the desk"),
        "  - " + tx("提交材料", "Hand in the papers"),
        "time_limit: " + tx("5个工作日", "5 working days"),
        "updated: 2026-06-30",
    ])
    return sid, text + "\n"


FORMS = (
    ("suggestion", "意见建议", "Suggestions", "suggestion"),
    ("request", "诉求反映", "Requests", "request"),
    ("agenda-proposal", "议题征集", "Propose an agenda item", "agenda-proposal"),
    ("signup", "活动报名", "Activity sign-up", "signup"),
    ("satisfaction", "满意度评价", "Satisfaction", "satisfaction"),
)


def form_yaml(spec: tuple[str, str, str, str], related: str) -> str:
    fid, zh, en, kind = spec
    return "\n".join([
        f"id: {fid}",
        "title: " + tx(zh, en),
        f"kind: {kind}",
        "purpose: " + tx(f"{zh}：请在这里告诉我们。", f"{en}: tell us here."),
        "privacy: " + tx("姓名和电话只发送给居委会，不会公开，保存180天后删除。",
                         "Your name and phone go only to the committee, are never published and are deleted after 180 days."),
        "retention_days: 180",
        "recipients: [jwh, ywh]",
        "reply_days: 10",
        "status: open",
        f"related: [{q(related)}]",
        "fields:",
        "  - name: topic",
        "    type: select",
        "    label: " + tx("类别", "Topic"),
        "    required: true",
        "    choices:",
        "      - {value: environment, label: " + tx("环境", "Environment") + "}",
        "      - {value: safety, label: " + tx("安全", "Safety") + "}",
        "      - {value: other, label: " + tx("其他", "Other") + "}",
        "  - name: content",
        "    type: textarea",
        "    label: " + tx("内容", "Details"),
        "    required: true",
        "    max_length: 2000",
        "  - name: rating",
        "    type: rating",
        "    label: " + tx("满意度", "Rating"),
        "    min: 1",
        "    max: 5",
        "  - name: name",
        "    type: text",
        "    label: " + tx("称呼", "Name"),
        "    max_length: 20",
        "    private: true",
        "  - name: phone",
        "    type: tel",
        "    label: " + tx("联系电话", "Phone"),
        "    pattern: " + q(r"^[0-9 +-]{7,20}$"),
        "    private: true",
    ]) + "\n"


def notice_yaml(i: int, day: dt.date, related: list[str]) -> tuple[str, str]:
    nid = f"{day.isoformat()}-notice-{i + 1:02d}"
    rel = ", ".join(q(r) for r in related)
    text = "\n".join([
        f"id: {nid}",
        "title: " + tx(f"公示第{i + 1}号", f"Public notice no. {i + 1}"),
        "category: " + ("finance" if i % 3 == 0 else "public-notice"),
        "issuer: " + ("ywh" if i % 2 else "jwh"),
        f"published: {day.isoformat()}",
        f"display_until: {(day + dt.timedelta(days=14)).isoformat()}",
        "body:",
        "  zh: " + block(f"现将有关事项公示如下。\n\n- 公示期14天；\n- 有异议的请在公示期内向居委会反映。\n\n详见相关会议和决议（第{i + 1}号）。", 4).rstrip("\n"),
        "  en: " + q("Details are in the related meeting and decision."),
        f"related: [{rel}]",
    ])
    return nid, text + "\n"


# --- budgets ------------------------------------------------------------------------

LINES_SCHEMA = """\
# Table Schema shared by every year's budget lines (<year>.csv).
# Copied from the demo project's data/budgets/budget-lines.schema.yaml.
fields:
  - name: id
    title: 编号
    description: Unique line id, e.g. 2025-GY-001 / 每行唯一编号
    type: string
    constraints: {required: true, pattern: "[A-Za-z0-9][A-Za-z0-9_.-]*"}
  - name: year
    title: 年度
    type: integer
    constraints: {required: true, minimum: 2000, maximum: 2100}
  - name: period
    title: 期间
    description: "The year (2025), a half (2025-H1), a quarter (2025-Q3) or a month (2025-07) / 年度、半年、季度或月份"
    type: string
    constraints: {required: true, pattern: "[0-9]{4}(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?"}
  - name: fund
    title: 资金
    description: A fund id from funds.csv / 资金编号
    type: string
    constraints: {required: true}
  - name: direction
    title: 收支
    description: income (收入) or expenditure (支出)
    type: string
    constraints: {required: true, enum: [income, expenditure]}
  - name: category
    title: 类别
    description: Classification, e.g. 办公经费, 活动经费, 停车收入 / 分类
    type: string
    constraints: {required: true}
  - name: item
    title: 项目
    type: string
    constraints: {required: true}
  - name: planned
    title: 预算金额（元）
    description: Budgeted amount in CNY, digits only / 预算金额，只填数字
    type: number
    constraints: {minimum: 0}
  - name: actual
    title: 实际金额（元）
    description: Actual amount in CNY; blank until known / 实际发生额，未发生留空
    type: number
    constraints: {minimum: 0}
  - name: source
    title: 资金来源
    type: string
  - name: decision
    title: 决议编号
    description: Id of the decision that approved it, e.g. D2025-03 / 批准该项的决议
    type: string
    constraints: {pattern: "[A-Za-z0-9][A-Za-z0-9_.-]*"}
  - name: note
    title: 备注
    type: string
primaryKey: [id]
foreignKeys:
  - fields: [fund]
    reference: {resource: funds, fields: [id]}
missingValues: [""]
"""

PACKAGE_HEAD = """\
# Budgets and accounts of the synthetic community, as a Frictionless Data Package.
# Each year's lines are in <year>.csv and share budget-lines.schema.yaml.
name: community-budgets
title: 社区预算与收支公开（性能测试数据）
description: >-
  Synthetic budgets (planned) and accounts (actual) for benchmarks, by year,
  fund, direction and category. Totals in totals.csv equal the sums of the lines.
licenses:
  - name: CC-BY-4.0
    path: https://creativecommons.org/licenses/by/4.0/
    title: Creative Commons Attribution 4.0
resources:
  - name: funds
    path: funds.csv
    title: 资金
    schema:
      fields:
        - {name: id, title: 编号, type: string, constraints: {required: true, pattern: "[a-z0-9][a-z0-9-]*"}}
        - {name: name, title: 名称, type: string, constraints: {required: true}}
        - {name: name_en, title: 英文名称, type: string}
        - {name: managed_by, title: 管理主体, type: string}
        - {name: description, title: 说明, type: string}
      primaryKey: [id]
      missingValues: [""]
  - name: totals
    path: totals.csv
    title: 公布的合计数
    schema:
      fields:
        - {name: year, title: 年度, type: integer, constraints: {required: true}}
        - {name: fund, title: 资金, type: string, constraints: {required: true}}
        - {name: direction, title: 收支, type: string, constraints: {required: true, enum: [income, expenditure]}}
        - {name: planned_total, title: 预算合计（元）, type: number, constraints: {minimum: 0}}
        - {name: actual_total, title: 实际合计（元）, type: number, constraints: {minimum: 0}}
        - {name: document, title: 公布依据, type: string}
      primaryKey: [year, fund, direction]
      foreignKeys:
        - fields: [fund]
          reference: {resource: funds, fields: [id]}
      missingValues: [""]
"""

#: (fund, direction) -> (weight, [(category, [items])], [sources], (low, high) CNY)
LINE_KINDS = {
    ("community-fund", "income"): (10, [("财政拨款", ["社区工作经费", "为民服务专项经费"]),
                                        ("补助收入", ["老年人助餐点补助", "文体活动补助"])],
                                   ["某街道办事处", "某区民政局"], (5000, 120000)),
    ("community-fund", "expenditure"): (28, [("办公经费", ["办公用品", "打印复印", "网络通信费"]),
                                             ("活动经费", ["重阳节敬老活动", "四点半课堂耗材", "文化节场地布置"]),
                                             ("服务经费", ["助餐点食材补贴", "志愿者保险", "独居老人探访"])],
                                        ["", "社区社会组织", "供应商"], (100, 20000)),
    ("public-revenue", "income"): (14, [("停车收入", ["地面停车位场地使用费", "临时停车费"]),
                                         ("经营收入", ["电梯广告费", "快递柜场地费", "充电设施场地费"]),
                                         ("利息收入", ["账户利息"])],
                                    ["物业服务企业代收", "广告公司", "银行"], (200, 60000)),
    ("public-revenue", "expenditure"): (34, [("维修养护", ["门禁维修", "路灯更换", "道闸维修", "排水泵更换"]),
                                              ("设施更新", ["监控系统升级", "儿童游乐设施", "充电端口扩容"]),
                                              ("管理成本", ["物业经营管理成本", "审计费"]),
                                              ("公益支出", ["困难业主慰问", "业主大会会务"])],
                                         ["物业服务企业", "施工单位", "审计机构"], (300, 30000)),
    ("maintenance", "income"): (4, [("维修资金", ["业主交存维修资金", "维修资金增值收益"])],
                                ["区住房主管部门"], (10000, 200000)),
    ("maintenance", "expenditure"): (10, [("房屋维修", ["外墙空鼓治理", "屋面防水翻新", "电梯部件更换", "雨水管网疏通"])],
                                     ["施工单位", "电梯维保单位"], (2000, 150000)),
}
PERIODS_SUFFIX = ("", "-H1", "-H2", "-Q1", "-Q2", "-Q3", "-Q4", *(f"-{m:02d}" for m in range(1, 13)))
NOTES = ("", "", "", "", "", "按合同分期支付", "含材料费, 人工费", "已验收", "质保金5%次年结清")


def fen_str(fen: int) -> str:
    return str(fen // 100) if fen % 100 == 0 else f"{fen // 100}.{fen % 100:02d}"


def budget_files(rng: random.Random, total_lines: int, decisions: list[DecisionInfo],
                 years: tuple[int, ...] = YEARS) -> tuple[dict[str, str], int]:
    """The CSV texts by file name, and how many lines cite a decision."""
    by_year: dict[int, list[str]] = {}
    by_year_pr: dict[int, list[str]] = {}
    for d in decisions:
        by_year.setdefault(d.year, []).append(d.id)
        if d.fund == "public-revenue":
            by_year_pr.setdefault(d.year, []).append(d.id)
    all_ids = [d.id for d in decisions]
    kinds = list(LINE_KINDS)
    weights = [LINE_KINDS[k][0] for k in kinds]
    header = "id,year,period,fund,direction,category,item,planned,actual,source,decision,note\n"
    files: dict[str, str] = {}
    totals: dict[tuple[int, str, str], list[int]] = {}
    cited = 0
    per_year = [total_lines // len(years)] * len(years)
    for i in range(total_lines - sum(per_year)):
        per_year[-1 - i] += 1
    for year, n in zip(years, per_year):
        buf = io.StringIO()
        buf.write(header)
        writer = csv.writer(buf, lineterminator="\n")
        seq = {"community-fund": 0, "public-revenue": 0, "maintenance": 0}
        pool = by_year_pr.get(year) or by_year.get(year) or all_ids
        other_pool = by_year.get(year) or all_ids
        chosen_kinds = rng.choices(kinds, weights, k=n)
        for fund, direction in chosen_kinds:
            _, cats, sources, (lo, hi) = LINE_KINDS[(fund, direction)]
            seq[fund] += 1
            category, items = rng.choice(cats)
            # log-uniform amounts: many small lines, a tail of large ones
            planned = int(math.exp(rng.uniform(math.log(lo), math.log(hi))))
            planned_fen = planned * 100
            r = rng.random()
            if year == years[-1] and r < 0.15:
                actual_fen = None  # not yet spent
            elif direction == "expenditure":
                actual_fen = planned_fen if r < 0.4 else int(planned_fen * rng.uniform(0.8, 1.0))
            else:
                actual_fen = int(planned_fen * rng.uniform(0.9, 1.1))
            decision = ""
            if fund == "public-revenue" and direction == "expenditure" and planned > THRESHOLD:
                if pool:
                    decision = rng.choice(pool)
                else:  # no meetings: stay under the threshold
                    planned_fen = THRESHOLD * 100
                    actual_fen = None if actual_fen is None else min(actual_fen, planned_fen)
            elif direction == "expenditure" and planned > 20000 and other_pool and rng.random() < 0.5:
                decision = rng.choice(other_pool)
            if decision:
                cited += 1
            key = (year, fund, direction)
            t = totals.get(key)
            if t is None:
                t = totals[key] = [0, 0]
            t[0] += planned_fen
            t[1] += actual_fen or 0
            writer.writerow((
                f"{year}-{FUND_CODE[fund]}-{seq[fund]:05d}", year, f"{year}{rng.choice(PERIODS_SUFFIX)}",
                fund, direction, category, rng.choice(items), fen_str(planned_fen),
                "" if actual_fen is None else fen_str(actual_fen), rng.choice(sources), decision,
                rng.choice(NOTES),
            ))
        files[f"{year}.csv"] = buf.getvalue()
    out = ["year,fund,direction,planned_total,actual_total,document"]
    for (year, fund, direction), (p, a) in sorted(totals.items()):
        out.append(f"{year},{fund},{direction},{fen_str(p)},{fen_str(a)},{year}年度收支决算公示")
    files["totals.csv"] = "\n".join(out) + "\n"
    funds = ["id,name,name_en,managed_by,description"]
    funds += [",".join(f) for f in FUNDS]
    files["funds.csv"] = "\n".join(funds) + "\n"
    package = [PACKAGE_HEAD.rstrip("\n")]
    for year in years:
        package += [f"  - name: lines-{year}", f"    path: {year}.csv", f"    title: {year} 年收支明细",
                    "    schema: budget-lines.schema.yaml"]
    files["datapackage.yaml"] = "\n".join(package) + "\n"
    files["budget-lines.schema.yaml"] = LINES_SCHEMA
    return files, cited


# --- the whole project ---------------------------------------------------------------

def make(out_dir: Path | str, budget_lines: int = 100_000, meetings: int = 5000, seed: int = 1,
         force: bool = False, years: int = len(YEARS), community: CommunitySpec = CommunitySpec()) -> dict[str, object]:
    """Write a complete, valid project at ``out_dir`` (``out_dir/data/…``); return a summary.
    ``years``: the last ``years`` of 2007–2026 (budget tables and meetings);
    ``community``: its id, names and address (the defaults give the trees of before).

    An existing ``out_dir/data`` is replaced only if this function made it (a
    marker file says so) or ``force`` is true.
    """
    t0 = time.perf_counter()
    out = Path(out_dir)
    data = out / "data"
    marker = out / MARKER
    if data.exists():
        if not (marker.exists() or force):
            raise SystemExit(f"{data} exists and was not made by this script; use --force to replace it")
        shutil.rmtree(data)
    marker.unlink(missing_ok=True)
    for sub in ("budgets", "meetings", "rules", "services", "notices", "forms"):
        (data / sub).mkdir(parents=True, exist_ok=True)

    span = YEARS[-max(1, min(years, len(YEARS))):]
    rng = random.Random(seed)
    (data / "community.yaml").write_text(community_yaml(community), encoding="utf-8")

    plans = plan_meetings(rng, meetings, dt.date(span[0], 1, 6) if span != YEARS else FIRST_DAY)
    rule_meetings = plan_rules(rng, plans)
    decisions: list[DecisionInfo] = []
    next_decision: dict[int, int] = {}
    meeting_bytes = 0
    mdir = data / "meetings"
    for plan in plans:
        text = meeting_yaml(rng, plan, next_decision, decisions)
        meeting_bytes += len(text.encode())
        (mdir / f"{plan.id}.yaml").write_text(text, encoding="utf-8")

    for spec in RULES:
        (data / "rules" / f"{spec[0]}.yaml").write_text(rule_yaml(rng, spec, rule_meetings[spec[0]]),
                                                       encoding="utf-8")
    services = []
    for i in range(8):
        sid, text = service_yaml(i)
        services.append(sid)
        (data / "services" / f"{sid}.yaml").write_text(text, encoding="utf-8")
    for i, spec in enumerate(FORMS):
        related = f"service:{services[i % len(services)]}" if i % 2 else f"rule:{RULES[i % len(RULES)][0]}"
        (data / "forms" / f"{spec[0]}.yaml").write_text(form_yaml(spec, related), encoding="utf-8")
    for i in range(12):
        day = dt.date(2014 + i, 1 + i, 10 + i)
        related = [f"budget:{span[i % len(span)]}", f"form:{FORMS[i % len(FORMS)][0]}"]
        if plans:
            p = plans[(i * 7919) % len(plans)]
            related.append(f"meeting:{p.id}")
            if p.decisions:
                related.append(f"decision:{p.decisions[0]}")
        nid, text = notice_yaml(i, day, related)
        (data / "notices" / f"{nid}.yaml").write_text(text, encoding="utf-8")

    files, cited = budget_files(rng, budget_lines, decisions, span)
    csv_bytes = 0
    for name, text in files.items():
        raw = text.encode()
        if name.endswith(".csv"):
            csv_bytes += len(raw)
        (data / "budgets" / name).write_bytes(raw)

    summary: dict[str, object] = {
        "generator_version": GENERATOR_VERSION, "budget_lines": budget_lines, "meetings": meetings, "seed": seed,
        "years": [span[0], span[-1]], "community": community.id, "decisions_adopted": len(decisions), "lines_citing_decision": cited,
        "meeting_yaml_bytes": meeting_bytes, "csv_bytes": csv_bytes,
        "seconds": round(time.perf_counter() - t0, 2),
    }
    marker.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    return summary


def read_marker(out_dir: Path | str) -> dict[str, object] | None:
    """The summary of the tree at ``out_dir`` if this script made it, else None."""
    try:
        return json.loads((Path(out_dir) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def verify(out_dir: Path | str) -> list[str]:
    """Validate the tree with frictionless and the project's YAML loader; return failures."""
    from frictionless import Package

    from generator import registry
    from generator.load import load_yaml_kinds

    failures = []
    report = Package(str(Path(out_dir) / "data" / "budgets" / "datapackage.yaml")).validate()
    if not report.valid:
        for task in report.tasks:
            failures += [f"{task.name}: {e.message}" for e in task.errors[:5]]
        failures += [e.message for e in report.errors[:5]]
    _docs, problems = load_yaml_kinds(Path(out_dir), registry.KINDS)
    failures += [f"{p.file}:{p.line}: {p.code} {p.params}" for p in problems[:20]]
    return failures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--budget-lines", type=int, default=100_000)
    ap.add_argument("--meetings", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--years", type=int, default=len(YEARS), help="the last N years of 2007–2026 (default all 20)")
    ap.add_argument("--force", action="store_true", help="replace OUT_DIR/data even if this script did not make it")
    ap.add_argument("--verify", action="store_true",
                    help="then validate with frictionless and generator.load (needs the project importable)")
    args = ap.parse_args(argv)
    summary = make(args.out_dir, args.budget_lines, args.meetings, args.seed, args.force, args.years)
    print(json.dumps(summary))
    if args.verify:
        failures = verify(args.out_dir)
        for f in failures:
            print("INVALID:", f, file=sys.stderr)
        print("verify:", "ok" if not failures else f"{len(failures)} failure(s)")
        return 1 if failures else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
