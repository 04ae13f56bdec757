"""Data downloads, the site's data package, Popolo, JSON-LD and the open-data page,
checked on the minimal sample built once for this module."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.kinds.common import Today
from generator.site import exports, jsonld

PROJECTS = Path(__file__).parent / "projects"
TODAY = dt.date(2026, 11, 22)
SITE_URL = "http://localhost:8000/"  # the default: the sample sets no site_url


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from generator.build import build

    base = tmp_path_factory.mktemp("exports")
    root = base / "minimal"
    shutil.copytree(PROJECTS / "minimal", root, ignore=shutil.ignore_patterns(".portal-*", "site"))
    saved, Today.value = Today.value, TODAY  # module fixtures run before the autouse fixed_today
    try:
        result = build(root, base / "site")
    finally:
        Today.value = saved
    return {"root": root, "site": result.out, "data": result.out / "data"}


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def by_id(rows: list[dict[str, str]], key: str = "id") -> dict[str, dict[str, str]]:
    return {r[key]: r for r in rows}


def soup(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")


def ld_json(page: BeautifulSoup) -> list[dict]:
    return [json.loads(s.string) for s in page.find_all("script", type="application/ld+json")]


# -- the data package ------------------------------------------------------------

EXPECTED_CSV = {"bodies.csv", "meetings.csv", "decisions.csv", "rules.csv", "rule-versions.csv", "notices.csv",
                "services.csv", "funds.csv", "totals.csv", "budget-lines.csv", "budget-lines-2024.csv",
                "approvals.csv", "contracts.csv", "matters.csv", "consultations.csv", "consultation-options.csv",
                "consultation-comments.csv",
                "round-proposals.csv"}


def test_every_dataset_is_downloadable_as_csv_and_json(built):
    names = {p.name for p in built["data"].iterdir()}
    assert EXPECTED_CSV <= names
    for stem in ("bodies", "meetings", "decisions", "rules", "notices", "services", "funds", "totals", "budget-lines"):
        assert f"{stem}.json" in names, stem
        json.loads((built["data"] / f"{stem}.json").read_text(encoding="utf-8"))
    assert {"datapackage.json", "popolo.json"} <= names


def test_datapackage_lists_every_csv_and_validates(built):
    from frictionless import Package

    descriptor = json.loads((built["data"] / "datapackage.json").read_text(encoding="utf-8"))
    listed = {r["path"] for r in descriptor["resources"]}
    on_disk = {p.name for p in built["data"].glob("*.csv")}
    assert listed == on_disk == EXPECTED_CSV
    for r in descriptor["resources"]:
        assert r["bytes"] == (built["data"] / r["path"]).stat().st_size
        assert r["schema"]["fields"], r["name"]
    report = Package(str(built["data"] / "datapackage.json")).validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])
    assert report.stats["tasks"] == len(EXPECTED_CSV)


def test_datapackage_declares_types_and_keys(built):
    descriptor = json.loads((built["data"] / "datapackage.json").read_text(encoding="utf-8"))
    res = {r["name"]: r for r in descriptor["resources"]}
    decisions = res["decisions"]["schema"]
    types = {f["name"]: f["type"] for f in decisions["fields"]}
    assert (types["date"], types["for"], types["spending"], types["outcome"]) == ("date", "integer", "number", "string")
    assert decisions["primaryKey"] == ["id"]
    fks = {fk["fields"][0]: fk["reference"] for fk in decisions["foreignKeys"]}
    assert fks["meeting"] == {"resource": "meetings", "fields": ["id"]}
    assert fks["adopts_rule"] == {"resource": "rules", "fields": ["id"]}
    lines_fks = {fk["fields"][0]: fk["reference"]["resource"] for fk in res["budget-lines"]["schema"]["foreignKeys"]}
    assert lines_fks == {"fund": "funds", "decision": "decisions"}
    assert res["rule-versions"]["schema"]["primaryKey"] == ["rule", "version"]
    assert res["meetings"]["schema"]["foreignKeys"][0]["reference"]["resource"] == "bodies"
    assert res["funds"]["schema"]["fields"][0]["title"] == "编号"  # from the source package


def test_a_broken_reference_fails_validation(built, tmp_path):
    """The foreign keys are real: a decision pointing at no meeting is caught."""
    from frictionless import Package

    copy = tmp_path / "data"
    shutil.copytree(built["data"], copy)
    path = copy / "decisions.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("D2024-02,2024-03-10-jwh,", "D2024-02,no-such-meeting,"),
                    encoding="utf-8")
    descriptor = json.loads((copy / "datapackage.json").read_text(encoding="utf-8"))
    for r in descriptor["resources"]:
        r.pop("bytes")  # the edit changed the size
    (copy / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    report = Package(str(copy / "datapackage.json")).validate()
    assert not report.valid
    assert {e.type for task in report.tasks for e in task.errors} == {"foreign-key"}


# -- CSV and JSON ------------------------------------------------------------------

def test_csv_is_plain_utf8_with_default_language_text(built):
    raw = (built["data"] / "notices.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    row = read_csv(built["data"] / "notices.csv")[0]
    assert row["title"] == "门禁更换公示"
    assert "body" not in row
    assert row["related"] == "meeting:2024-03-10-jwh decision:D2024-02 budget:2024"
    assert row["url"] == SITE_URL + "notices/2024-001/"


def test_decision_rows(built):
    rows = by_id(read_csv(built["data"] / "decisions.csv"))
    assert list(rows) == ["D2024-01", "D2024-02"]
    d2 = rows["D2024-02"]
    assert (d2["meeting"], d2["date"], d2["item"], d2["item_title"]) == ("2024-03-10-jwh", "2024-03-10", "a2", "更换单元门禁")
    assert (d2["for"], d2["against"], d2["abstain"], d2["outcome"]) == ("4", "1", "1", "adopted")
    assert (d2["option"], d2["option_title"], d2["option_cost"]) == ("o1", "全部更换", "8000")
    assert (d2["spending_planned"], d2["spending"], d2["budget_lines"]) == ("8000", "7600", "2024-003")
    assert d2["url"] == SITE_URL + "meetings/2024-03-10-jwh/#d2024-02"
    d1 = rows["D2024-01"]
    assert (d1["for"], d1["against"], d1["abstain"]) == ("5", "1", "0")
    assert (d1["spending"], d1["option"], d1["adopts_rule"], d1["adopts_version"]) == ("", "", "covenant", "2024")


def test_decisions_json_keeps_maps_and_numbers(built):
    records = {r["id"]: r for r in json.loads((built["data"] / "decisions.json").read_text(encoding="utf-8"))}
    d2 = records["D2024-02"]
    assert d2["votes"] == {"for": 4, "against": 1, "abstain": 1}
    assert d2["spending"] == {"planned": 8000, "actual": 7600, "lines": ["2024-003"]}
    assert d2["option"]["effects"] == [{"group": "全体业主", "effect": "使用公共收益"}]
    assert records["D2024-01"]["spending"] is None


def test_budget_tables_keep_source_values_verbatim(built):
    source = built["root"] / "data" / "budgets"
    assert (built["data"] / "funds.csv").read_bytes() == (source / "funds.csv").read_bytes()
    assert (built["data"] / "totals.csv").read_bytes() == (source / "totals.csv").read_bytes()
    combined = read_csv(built["data"] / "budget-lines.csv")
    assert combined == read_csv(built["data"] / "budget-lines-2024.csv")
    lines = by_id(combined)
    assert list(lines) == ["2024-001", "2024-002", "2024-003", "2024-004"]
    assert lines["2024-002"]["actual"] == "31500.50"
    assert lines["2024-003"]["decision"] == "D2024-02"
    assert lines["2024-004"]["note"] == "备注含逗号, 以及\n换行"


def test_budget_json_is_typed(built):
    records = {r["id"]: r for r in json.loads((built["data"] / "budget-lines.json").read_text(encoding="utf-8"))}
    assert records["2024-002"]["actual"] == 31500.5
    assert records["2024-002"]["planned"] == 30000 and isinstance(records["2024-002"]["planned"], int)
    assert records["2024-002"]["year"] == 2024
    assert records["2024-001"]["decision"] is None
    totals = json.loads((built["data"] / "totals.json").read_text(encoding="utf-8"))
    assert [t["planned_total"] for t in totals] == [2000, 30000, 11000]


def test_meetings_rules_services_and_bodies(built):
    data = built["data"]
    meeting = read_csv(data / "meetings.csv")[0]
    assert (meeting["id"], meeting["body"], meeting["title"], meeting["start"], meeting["end"]) == (
        "2024-03-10-jwh", "jwh", "三月居委会会议", "19:00", "21:00")
    assert (meeting["members"], meeting["present"], meeting["decisions"]) == ("7", "6", "D2024-01 D2024-02")
    full = json.loads((data / "meetings.json").read_text(encoding="utf-8"))[0]
    assert [a["id"] for a in full["agenda"]] == ["a1", "a2"]

    rule = read_csv(data / "rules.csv")[0]
    assert (rule["id"], rule["title"], rule["current_version"], rule["versions"]) == ("covenant", "居民公约", "2024", "1")
    version = read_csv(data / "rule-versions.csv")[0]
    assert (version["rule"], version["effective"], version["adopted_decision"], version["articles"]) == (
        "covenant", "2024-04-01", "D2024-01", "2")
    rules_json = json.loads((data / "rules.json").read_text(encoding="utf-8"))
    assert rules_json[0]["title"] == {"zh": "居民公约", "en": "Residents' covenant"}
    assert [a["text"] for a in rules_json[0]["versions"][0]["articles"]] == ["爱护公共环境。", "邻里互助。"]

    service = read_csv(data / "services.csv")[0]
    assert (service["name"], service["category_name"], service["hours"], service["price"]) == (
        "老年助餐", "养老服务", "mon,tue,wed,thu,fri 11:00-12:30", "low-cost")
    services_json = json.loads((data / "services.json").read_text(encoding="utf-8"))
    assert services_json[0]["name"] == {"zh": "老年助餐", "en": "Meals for older residents"}
    assert services_json[0]["steps"] == ["到服务中心登记", "领取餐卡"]

    bodies = by_id(read_csv(data / "bodies.csv"))
    assert bodies["jwh"]["name"] == "居委会" and bodies["ywh"]["members"] == "5"
    notices_json = json.loads((data / "notices.json").read_text(encoding="utf-8"))
    assert notices_json[0]["title"] == {"zh": "门禁更换公示", "en": "Door access replacement"}
    assert notices_json[0]["body"].startswith("经居委会会议表决")


# -- Popolo ----------------------------------------------------------------------------

def test_popolo_parses_and_ids_resolve(built):
    popolo = json.loads((built["data"] / "popolo.json").read_text(encoding="utf-8"))
    orgs = {o["id"]: o for o in popolo["organizations"]}
    events = {e["id"]: e for e in popolo["events"]}
    motions = {m["id"]: m for m in popolo["motions"]}
    votes = {v["motion_id"]: v for v in popolo["vote_events"]}
    assert set(orgs) == {"jwh", "ywh"}
    assert orgs["jwh"]["name"] == "居委会"
    assert orgs["jwh"]["other_names"] == [{"name": "Residents' committee", "note": "en"}]
    assert set(events) == {"2024-03-10-jwh"}
    event = events["2024-03-10-jwh"]
    assert (event["start_date"], event["end_date"], event["location"]) == (
        "2024-03-10T19:00:00+08:00", "2024-03-10T21:00:00+08:00", "社区活动室")
    assert set(motions) == set(votes) == {"D2024-01", "D2024-02"}
    for m in motions.values():
        assert m["organization_id"] in orgs and m["legislative_session_id"] in events
        assert m["result"] == "pass"
    for v in votes.values():
        assert v["motion_id"] in motions and v["organization_id"] in orgs and v["legislative_session_id"] in events
    assert motions["D2024-02"]["text"] == "采纳方案一"
    assert votes["D2024-02"]["counts"] == [{"option": "yes", "value": 4}, {"option": "no", "value": 1},
                                           {"option": "abstain", "value": 1}]
    assert votes["D2024-01"]["counts"][0] == {"option": "yes", "value": 5}


# -- JSON-LD ---------------------------------------------------------------------------

def test_meeting_page_has_event_jsonld(built):
    (event,) = ld_json(soup(built["site"], "meetings/2024-03-10-jwh/index.html"))
    assert event["@context"] == "https://schema.org" and event["@type"] == "Event"
    assert event["startDate"] == "2024-03-10T19:00:00+08:00"
    assert event["endDate"] == "2024-03-10T21:00:00+08:00"
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert event["location"] == {"@type": "Place", "name": "社区活动室", "address": "测试路1号"}
    assert event["organizer"]["@type"] == "Organization" and event["organizer"]["name"] == "居委会"
    assert event["url"] == SITE_URL + "meetings/2024-03-10-jwh/"
    (en,) = ld_json(soup(built["site"], "en/meetings/2024-03-10-jwh/index.html"))
    assert en["organizer"]["name"] == "Residents' committee"
    assert en["url"] == SITE_URL + "en/meetings/2024-03-10-jwh/"


def test_service_page_has_government_service_jsonld(built):
    (svc,) = ld_json(soup(built["site"], "services/meal/index.html"))
    assert svc["@type"] == "GovernmentService"
    assert (svc["name"], svc["description"]) == ("老年助餐", "为老年居民提供午餐。")
    assert svc["provider"] == {"@type": "Organization", "name": "社区食堂", "identifier": "jwh"}
    assert svc["areaServed"]["name"] == "测试社区"
    channel = svc["availableChannel"]
    assert channel["@type"] == "ServiceChannel"
    assert channel["servicePhone"]["telephone"] == "0571-8888 0001"
    assert channel["serviceLocation"]["name"] == "社区服务中心一楼"
    (hours,) = svc["hoursAvailable"]
    assert hours["@type"] == "OpeningHoursSpecification"
    assert hours["dayOfWeek"][0] == "https://schema.org/Monday" and len(hours["dayOfWeek"]) == 5
    assert (hours["opens"], hours["closes"]) == ("11:00", "12:30")
    (en,) = ld_json(soup(built["site"], "en/services/meal/index.html"))
    assert (en["name"], en["serviceType"]) == ("Meals for older residents", "Elderly care")


def _meeting(**changes):
    from generator.kinds.meeting.model import Meeting

    data = {"id": "m1", "body": "jwh", "type": "committee", "title": "会议", "date": "2025-01-05",
            "place": "活动室", "status": "planned", "agenda": [{"id": "a1", "title": "议题",
                                                               "raised_by": {"kind": "committee"}}]}
    return Meeting.model_validate({**data, **changes})


def test_jsonld_escapes_markup_safely():
    title = '</script><script>alert("x")</script> & <!-- 会议'
    block = str(jsonld.meeting(_meeting(title=title), "https://x.cn/meetings/m1/", "zh"))
    inner = block.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert "<" not in inner and ">" not in inner and "&" not in inner
    assert inner.isascii()  # Chinese as \uXXXX: page-text scanners never see it twice
    assert "\\u003c/script\\u003e" in inner
    assert json.loads(inner)["name"] == title


def test_jsonld_cancelled_meeting_without_time():
    data = json.loads(str(jsonld.meeting(_meeting(status="cancelled"), "", "zh")).split(">", 1)[1][: -len("</script>")])
    assert data["eventStatus"] == "https://schema.org/EventCancelled"
    assert data["startDate"] == "2025-01-05"
    assert data["organizer"]["name"] == "jwh"  # no bodies given: the id
    assert "url" not in data


# -- the open-data page ----------------------------------------------------------------

def test_data_page_lists_downloads_with_sizes(built):
    site = built["site"]
    page = soup(site, "data/index.html")
    links = {a["href"]: a for a in page.select("table.downloads a[href]")}
    files = sorted(p.name for p in built["data"].iterdir() if p.suffix in (".csv", ".json"))
    assert sorted(links) == files
    for href, a in links.items():
        size = a.find_parent("tr").find_all("td")[-1].get_text(strip=True)
        assert size == exports._size((built["data"] / href).stat().st_size), href
    en = soup(site, "en/data/index.html")
    en_links = [a["href"] for a in en.select("table.downloads a[href]")]
    assert sorted(en_links) == sorted(f"../../data/{f}" for f in files)
    assert all((site / "en" / "data" / href).resolve().is_file() for href in en_links)


def test_data_page_has_dictionary_and_feed_links(built):
    site = built["site"]
    zh = soup(site, "data/index.html")
    decisions = zh.find(id="decisions").find_next("table", class_="dictionary")
    rows = {tr.find("code").get_text(): [td.get_text(" ", strip=True) for td in tr.find_all("td")]
            for tr in decisions.select("tbody tr")}
    assert rows["for"][1] == "赞成" and rows["for"][2].startswith("整数")
    assert rows["spending"][1] == "相关实际支出合计（元）" and "关联该决议" in rows["spending"][3]
    lines = zh.find(id="budget-lines").find_next("table", class_="dictionary")
    assert "预算金额（元）" in lines.get_text()  # title from the package's schema
    en = soup(site, "en/data/index.html")
    en_rows = en.find(id="decisions").find_next("table", class_="dictionary").get_text(" ")
    assert "For" in en_rows and "whole number" in en_rows
    for page, prefix in ((zh, site / "data"), (en, site / "en" / "data")):
        feeds = [a["href"] for a in page.select("ul.feeds a")]
        assert feeds == ["../feeds/notices.xml", "../feeds/decisions.xml", "../feeds/meetings.ics"]
        assert all((prefix / href).resolve().is_file() for href in feeds)


def test_datasets_for_the_page_match_the_written_files(built):
    from generator.pipeline import load_and_check

    checked = load_and_check(built["root"], jobs=1)
    sets = {d["name"]: d for d in exports.datasets(checked.project, checked.index)}
    assert sets["decisions"]["title"] == {"zh": "决议", "en": "Decisions"}
    assert [f["path"] for f in sets["budget-lines"]["files"]] == [
        "budget-lines.csv", "budget-lines-2024.csv", "budget-lines.json"]
    for d in sets.values():
        for f in d["files"]:
            assert f["bytes"] == (built["data"] / f["path"]).stat().st_size, f["path"]
    fields = {f["name"]: f for f in sets["decisions"]["tables"][0]["fields"]}
    assert fields["outcome"]["type"] == "string" and fields["outcome"]["required"]
