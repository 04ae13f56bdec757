"""Participatory budgeting rounds (民生微实事, issue #21): counting with pabutools
against hand-computed results and real Pabulib files, the .pb round trip checked
by pabulib-checker, the round's checks at file:line, and the result page that
says why a project with more votes than a funded one was not funded."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from pabulib.checker import Checker

from generator.cli import main
from generator.kinds.round import pb
from generator.kinds.round.counting import count_round, explain, select
from generator.kinds.round.model import Round
from tests.conftest import SampleProject

PABULIB = Path(__file__).parent / "data" / "pabulib"
REAL = sorted(PABULIB.glob("*.pb"))

ROUND = """\
id: r1
title: {zh: 2027年民生微实事, en: Small projects 2027}
fund: community-fund
budget: 100000
cap_per_project: 50000
caps_per_category: {服务类: 30000}
vote: {type: approval, min_choices: 1, max_choices: 2, online: true}
counting: {rule: greedy}
state: voting
stages: {vote_from: 2026-11-20, vote_until: 2026-11-30}
proposals:
  - {id: P01, title: 楼道扶手, category: 工程类, cost: 46000, proposer: resident, review: {eligible: true}}
  - {id: P02, title: 健身器材, category: 工程类, cost: 42000, proposer: resident, review: {eligible: true}}
  - {id: P03, title: 助餐服务, category: 服务类, cost: 24000, proposer: committee, review: {eligible: true}}
  - {id: P04, title: 阅读角, category: 服务类, cost: 8000, proposer: resident, review: {eligible: true}}
  - {id: P05, title: 电梯维修, category: 工程类, cost: 38000, proposer: resident,
     review: {eligible: false, reason: 属于物业服务范围}}
"""

# P01: 4 votes, P02: 3, P03: 2, P04: 1 → P01 + P02 (88,000), P03 does not fit (12,000 left), P04 does
BALLOTS = "ballot,project,value\n" + "".join(
    f"{b},{p},1\n" for b, ps in {"A1": "P01 P02", "A2": "P01 P02", "A3": "P01 P03", "A4": "P01 P03",
                                 "A5": "P02 P04"}.items() for p in ps.split())


def round_model(text: str = ROUND) -> Round:
    return Round(**yaml.safe_load(text))


# --- counting -------------------------------------------------------------------------


def test_greedy_by_hand_skips_a_project_the_budget_cannot_pay():
    costs = {"a": 50, "b": 40, "c": 30, "d": 20}
    votes = {"a": 10, "b": 9, "c": 7, "d": 2}
    selected = select(costs, 100, "approval", "greedy", None, [], votes)
    assert sorted(selected) == ["a", "b"]  # c (7 votes) does not fit in the 10 left, d neither
    result = explain(costs, [], 100, votes, selected, None)
    c = next(ln for ln in result.lines if ln.id == "c")
    assert (c.funded, c.reason, c.remaining) == (False, "over-budget", 10)
    assert result.left == 10


def test_greedy_funds_a_cheaper_project_with_fewer_votes_and_says_why_the_other_was_not():
    result = count_round(round_model(), [(b, p, v) for b, p, v in _rows(BALLOTS)])
    assert result.selected == ["P01", "P02", "P04"]
    p03 = next(ln for ln in result.lines if ln.id == "P03")
    assert p03.votes == 2 and not p03.funded and p03.beaten_by == ["P04"] and p03.remaining == 12000
    assert result.spent == 96000 and result.left == 4000
    p05 = next(ln for ln in result.lines if ln.id == "P05")
    assert p05.reason == "ineligible" and p05.votes is None  # never a zero for "not voted on"


def test_threshold_drops_projects_below_it():
    costs = {"a": 50, "b": 40, "c": 5}
    assert select(costs, 100, "approval", "greedy-threshold", 3, [], {"a": 10, "b": 9, "c": 2}) == ["a", "b"]


def test_equal_shares_by_hand():
    # 4 voters, budget 100 (25 each). a: cost 60, approved by v1..v3 (75 available) → funded;
    # b: cost 40, approved by v4 only (25) → not by shares; add1 completion raises shares until
    # the outcome would overspend, and a+b = 100 fits: both funded.
    rows = [("v1", "a", 1), ("v2", "a", 1), ("v3", "a", 1), ("v4", "b", 1)]
    assert sorted(select({"a": 60, "b": 40}, 100, "approval", "equal-shares", None, rows, {})) == ["a", "b"]
    rows = [("v1", "a", 1), ("v2", "a", 1), ("v3", "a", 1), ("v4", "b", 1)]
    assert select({"a": 60, "b": 50}, 100, "approval", "equal-shares", None, rows, {}) == ["a"]


def test_cumulative_points_count_as_points():
    rows = [("v1", "a", 3), ("v1", "b", 2), ("v2", "b", 5), ("v3", "c", 5)]
    # points: b 7, c 5, a 3; budget 100: b (60) then c (50) does not fit, a (30) does
    assert select({"a": 30, "b": 60, "c": 50}, 100, "cumulative", "greedy", None, rows, {}) == ["b", "a"]


@pytest.mark.parametrize("path", REAL, ids=[p.stem for p in REAL])
def test_real_pabulib_files_reproduce_their_selected_projects(path: Path):
    doc, rows, published = pb.import_pb(path.read_text(encoding="utf-8"), "r", "community-fund")
    assert published, "the file publishes its selected projects"
    result = count_round(Round(**doc), rows)
    assert sorted(result.selected) == sorted(published)


def test_real_files_cover_the_vote_types_and_rules():
    kinds = {(pb.import_pb(p.read_text(encoding="utf-8"), "r", "f")[0]["vote"]["type"],
              pb.import_pb(p.read_text(encoding="utf-8"), "r", "f")[0]["counting"]["rule"]) for p in REAL}
    assert {("approval", "greedy"), ("approval", "greedy-threshold"), ("approval", "equal-shares"),
            ("cumulative", "greedy")} <= kinds


# --- Pabulib export -----------------------------------------------------------------


def _rows(text: str) -> list[tuple[str, str, int]]:
    return [(r["ballot"], r["project"], int(r["value"])) for r in csv.DictReader(text.splitlines())]


def _checker_errors(text: str) -> dict:
    """pabulib-checker's findings for one file: {"errors": {...}, "warnings": {...}}, or {} when valid."""
    results = Checker().process_files([text])
    assert results["metadata"]["processed"] == 1
    found = next(v["results"] for v in results.values() if isinstance(v, dict) and "results" in v)
    if results["metadata"]["valid"] == 1:
        assert not isinstance(found, dict) or not found.get("errors"), found
        return {}
    assert isinstance(found, dict), found
    return found


def test_exported_pb_passes_pabulib_checker_and_reimports():
    r = round_model()
    rows = _rows(BALLOTS)
    result = count_round(r, rows)
    text = pb.export(r, rows, result, unit="Hehuali")
    errors = _checker_errors(text)
    assert not errors.get("errors"), errors
    doc, back, selected = pb.import_pb(text, "r1", "community-fund")
    assert sorted(selected) == sorted(result.selected)
    assert sorted(back) == sorted(rows)
    assert [p["id"] for p in doc["proposals"]] == ["P01", "P02", "P03", "P04"]  # eligible only


def test_checker_catches_a_wrong_selected_column():
    r = round_model()
    rows = _rows(BALLOTS)
    text = pb.export(r, rows, count_round(r, rows), unit="Hehuali").replace(";阅读角;服务类;1", ";阅读角;服务类;0")
    errors = _checker_errors(text)["errors"]
    assert "greedy rule not followed" in errors, errors


def test_import_command_writes_a_round_that_checks(minimal: SampleProject):
    source = PABULIB / "Poland_Warszawa_2017_Aleksandrow.pb"
    res = CliRunner().invoke(main, ["round", "import", str(source), "--project", str(minimal.root), "--id", "waw"])
    assert res.exit_code == 0, res.output
    assert (minimal.root / "data/rounds/waw.ballots.csv").read_text().startswith("ballot,project,value\n")
    report = minimal.check()
    assert not [p for p in report.problems if p.file.startswith("data/rounds/")], report.problems
    again = CliRunner().invoke(main, ["round", "import", str(source), "--project", str(minimal.root), "--id", "waw",
                                      "--lang", "en"])
    assert again.exit_code == 2 and "exists and was not overwritten" in again.output


# --- checks ---------------------------------------------------------------------------


def _codes(project: SampleProject) -> list[tuple[str, str, int | None, str]]:
    return [(p.code, p.file, p.line, p.severity) for p in project.check().problems if p.file.startswith("data/rounds")]


def test_valid_round_with_ballots_checks_clean(minimal: SampleProject):
    minimal.write("data/rounds/r1.yaml", ROUND)
    minimal.write("data/rounds/r1.ballots.csv", BALLOTS)
    assert _codes(minimal) == []


def test_over_cap_must_be_reviewed_ineligible(minimal: SampleProject):
    minimal.write("data/rounds/r1.yaml", ROUND.replace("cost: 24000", "cost: 34000"))  # 服务类 cap 30000
    p = minimal.only("round.over-cap")
    assert (p.file, p.line, p.severity) == ("data/rounds/r1.yaml", 14, "error")  # P03, 服务类


def test_ineligible_without_reason_is_an_error(minimal: SampleProject):
    minimal.write("data/rounds/r1.yaml", ROUND.replace(", reason: 属于物业服务范围", ""))
    assert minimal.only("round.reason-missing").line == 17  # P05 review


def test_ballots_naming_unknown_or_ineligible_projects_and_too_many_choices(minimal: SampleProject):
    minimal.write("data/rounds/r1.yaml", ROUND)
    minimal.write("data/rounds/r1.ballots.csv", BALLOTS + "B1,P09,1\nB2,P05,1\nB3,P01,1\nB3,P02,1\nB3,P03,1\n")
    codes = _codes(minimal)
    assert ("round.ballot-unknown", "data/rounds/r1.ballots.csv", 12, "error") in codes
    assert ("round.ballot-ineligible", "data/rounds/r1.ballots.csv", 13, "error") in codes
    assert ("round.ballot-choices", "data/rounds/r1.ballots.csv", 14, "error") in codes


def test_cumulative_over_points_is_an_error(minimal: SampleProject):
    text = ROUND.replace("vote: {type: approval, min_choices: 1, max_choices: 2, online: true}",
                         "vote: {type: cumulative, min_choices: 1, points: 5}")
    minimal.write("data/rounds/r1.yaml", text)
    minimal.write("data/rounds/r1.ballots.csv", "ballot,project,value\nA,P01,4\nA,P02,3\n")
    assert minimal.only("round.ballot-points").line == 2


def test_counted_round_without_votes_is_a_governance_gap(minimal: SampleProject):
    from generator.messages import GOVERNANCE

    minimal.write("data/rounds/r1.yaml", ROUND.replace("state: voting", "state: closed"))
    p = minimal.only("round.result-missing")
    assert p.severity == "warning" and "round.result-missing" in GOVERNANCE


def test_bad_ballot_row_is_reported_at_its_line(minimal: SampleProject):
    minimal.write("data/rounds/r1.yaml", ROUND)
    minimal.write("data/rounds/r1.ballots.csv", "ballot,project,value\nA,P01,one\n")
    p = minimal.only("round.ballot-row")
    assert (p.file, p.line) == ("data/rounds/r1.ballots.csv", 2)
    assert not minimal.check().problems or all(q.code != "file.unexpected" for q in minimal.check().problems)


# --- site -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def round_site(tmp_path_factory: pytest.TempPathFactory):
    from site_fixtures import TODAY, _build, _copy_minimal

    root = _copy_minimal(tmp_path_factory, "site-round")
    (root / "data/rounds").mkdir()
    (root / "data/rounds/r1.yaml").write_text(ROUND, encoding="utf-8")
    (root / "data/rounds/r1.ballots.csv").write_text(BALLOTS, encoding="utf-8")
    closed = ROUND.replace("id: r1", "id: r0").replace("state: voting", "state: counted")
    (root / "data/rounds/r0.yaml").write_text(closed, encoding="utf-8")
    (root / "data/rounds/r0.ballots.csv").write_text(BALLOTS, encoding="utf-8")
    site, server = _build("round", root, root.parent / "site", TODAY)
    yield site
    server.close()


def test_result_page_explains_a_project_with_more_votes_that_was_not_funded(round_site):
    soup = round_site.soup("rounds/r0/index.html")
    rows = {tr.find("td").get_text(" ", strip=True).split()[0]: [td.get_text(" ", strip=True) for td in tr.find_all("td")]
            for tr in soup.select("article table tr") if tr.find("td")}
    assert rows["P03"][4] == "未获资助"
    assert rows["P03"][5] == "票数高于 P04，但剩余预算 ¥12,000 不足其成本 ¥24,000"
    assert rows["P04"][4] == "获得资助"
    assert rows["P05"][2] == "—" and rows["P05"][5] == "审核未通过：属于物业服务范围"
    en = round_site.soup("en/rounds/r0/index.html").get_text(" ", strip=True)
    assert "more votes than P04, but the ¥12,000 left was less than its cost of ¥24,000" in en


def test_pb_download_and_ballot_spec(round_site):
    text = (round_site.out / "data/rounds/r0.pb").read_text(encoding="utf-8")
    assert not _checker_errors(text).get("errors")
    spec = json.loads((round_site.out / "forms/spec.json").read_text(encoding="utf-8"))
    assert spec["ballots"] == {"r1": {"type": "approval", "projects": ["P01", "P02", "P03", "P04"],
                                      "min_choices": 1, "max_choices": 2, "points": None,
                                      "opens": "2026-11-20", "closes": "2026-11-30",
                                      "title": {"zh": "2027年民生微实事", "en": "Small projects 2027"},
                                      "titles": {"P01": "楼道扶手", "P02": "健身器材", "P03": "助餐服务", "P04": "阅读角"}}}


def test_ballot_page_is_a_plain_form(round_site):
    soup = round_site.soup("rounds/r1-ballot/index.html")
    form = soup.select_one("article form")
    assert form["method"] == "post" and form["action"].endswith("/ballots/r1?lang=zh")
    assert [i["value"] for i in form.select("input[type=checkbox]")] == ["P01", "P02", "P03", "P04"]
    assert form.select_one("input[name=code]") is not None
    shown = [i for i in form.select("input") if i.get("type") != "hidden" and not i.find_parent(class_="hp")]
    assert shown and all(soup.find("label", attrs={"for": i["id"]}) for i in shown)
    # what the endpoint's anti-abuse checks read (endpoint.abuse): token, honeypot, language
    assert {"_token", "_lang", "website"} <= {i["name"] for i in form.select("input")}


def test_downloads_list_each_proposal_with_votes_and_funding(round_site):
    rows = list(csv.DictReader((round_site.out / "data/round-proposals.csv").read_text(encoding="utf-8-sig").splitlines()))
    by = {(r["round"], r["id"]): r for r in rows}
    assert by[("r0", "P03")]["votes"] == "2" and by[("r0", "P03")]["funded"] == "false"
    assert by[("r0", "P04")]["funded"] == "true"
    assert by[("r0", "P05")]["votes"] == "" and by[("r0", "P05")]["eligible"] == "false"  # never a 0
    assert by[("r1", "P01")]["votes"] == "" and by[("r1", "P01")]["funded"] == ""  # still voting: no running tally
    assert not (round_site.out / "data/rounds/r1.pb").exists()
    package = json.loads((round_site.out / "data/datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in package["resources"] if r["name"] == "round-proposals")
    assert resource["schema"]["primaryKey"] == ["round", "id"]


def test_round_downloads_validate_as_a_data_package(round_site):
    from frictionless import Package

    report = Package(str(round_site.out / "data/datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_ballot_form_works_without_javascript_on_a_phone(round_site):
    from playwright.sync_api import sync_playwright
    from site_fixtures import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740}).new_page()
        page.goto(round_site.url + "rounds/r1-ballot/")
        page.get_by_label("投票码").fill("ABCD-1234")
        page.get_by_label("P03 助餐服务").check()
        assert page.get_by_label("P03 助餐服务").is_checked()
        assert page.get_by_role("button", name="提交选票").is_visible()
        page.goto(round_site.url + "rounds/r0/")
        assert page.get_by_text("票数高于 P04，但剩余预算 ¥12,000 不足其成本 ¥24,000").is_visible()
        browser.close()


def test_show_of_hands_counts_export_as_a_valid_pb_that_counts_the_same():
    text = ROUND.replace("online: true}", "meeting: 2026-11-20-assembly}").replace("state: voting", "state: counted")
    for pid, n in (("P01", 30), ("P02", 25), ("P03", 20), ("P04", 5)):
        text = text.replace(f"{{id: {pid},", f"{{id: {pid}, votes: {n},")
    r = round_model(text)
    result = count_round(r, [])
    assert result.selected == ["P01", "P02", "P04"]
    exported = pb.export(r, [], result, unit="hehuali")
    assert _checker_errors(exported).get("errors") is None
    doc, rows, selected = pb.import_pb(exported, "again", "community-fund")
    assert count_round(Round(**doc), rows).selected == result.selected == selected


def test_street_facts_compare_the_budget_put_to_the_vote_and_never_a_partial_count(round_site):
    from site_fixtures import TODAY

    from generator.kinds.base import PageContext
    from generator.kinds.round.street import facts
    from generator.pipeline import load_and_check

    checked = load_and_check(round_site.root)
    found = {(f.metric, f.year): f.value for f in facts(PageContext(checked.project, checked.index, TODAY)).figures}
    assert found[("round.budget", 2026)] == 200000  # r0 (counted) and r1 (still voting), 100,000 each
    # r0's count selected 96,000 of projects, but r1 is not counted: the year's funded figure is unknown, not 96,000
    assert found[("round.funded", 2026)] is None


def test_a_round_voting_online_is_on_the_home_page_with_its_ballot(round_site):
    block = round_site.soup("index.html").select_one("#small-projects")
    assert block is not None
    items = block.find_next("ul").select("li")
    assert len(items) == 1  # r0 is counted: only the round still voting
    text = items[0].get_text(" ", strip=True)
    assert "投票中 · 截止 2026年11月30日" in text
    assert [a["href"] for a in items[0].select("a")] == ["rounds/r1/", "rounds/r1-ballot/"]
