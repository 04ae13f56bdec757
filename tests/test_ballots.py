"""Online ballots with one code per household, end to end on SQLite: codes issued by
``portal-endpoint ballots issue`` (a real subprocess), ballots cast at the real
endpoint server, exported by ``portal-endpoint ballots export``.

- issue → vote → export for approval, cumulative and ordinal rounds;
- a spent code (409, "此投票码已使用", nothing about the ballot), a mistyped code and a
  code of no household (422, the ballot shown again as typed), closed and not yet
  open rounds, invalid choices, a token to confirm;
- the same code sent twenty times at once: exactly one ballot;
- the database holds no code, no client address and no time finer than the day;
  the printed sheet holds the codes and nothing personal;
- wrong codes run into the per-client and per-round limits; revoked codes; receipts;
- a server killed in a burst of votes: every acknowledged ballot is stored, and a
  code is spent if and only if its ballot is.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_endpoint import HTML, JSON, RECEIPT, SECRET, Endpoint, make_project, write_spec  # noqa: E402

from endpoint.ballot_codes import check, code_hash, new_code  # noqa: E402
from portal_core.china_time import TZ  # noqa: E402
from portal_core.tokens import sign_token  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CODE = re.compile(r"^[34679ACDEFGHJKMNPQRTWXY]{4}-[34679ACDEFGHJKMNPQRTWXY]{4}-[34679ACDEFGHJKMNPQRTWXY]{4}$")
TODAY = dt.datetime.now(TZ).date()
OPEN = {"opens": (TODAY - dt.timedelta(days=1)).isoformat(), "closes": (TODAY + dt.timedelta(days=10)).isoformat()}
TITLES = {"p1": {"zh": "加装楼道扶手", "en": "Stair handrails"}, "p2": {"zh": "修缮儿童游乐场", "en": "Playground repair"},
          "p3": {"zh": "增设休息座椅", "en": "More benches"}, "p4": {"zh": "垃圾分类亭", "en": "Recycling kiosk"}}
ROUNDS: dict[str, dict[str, Any]] = {
    "2027-approval": {"type": "approval", "projects": ["p1", "p2", "p3", "p4"], "min_choices": None,
                      "max_choices": 2, "points": None, **OPEN, "title": {"zh": "2027年民生微实事", "en": "2027 small projects"},
                      "titles": TITLES},
    "2027-points": {"type": "cumulative", "projects": ["p1", "p2", "p3"], "min_choices": None, "max_choices": None,
                    "points": 10, **OPEN},
    "2027-rank": {"type": "ordinal", "projects": ["p1", "p2", "p3", "p4"], "min_choices": 2, "max_choices": 3,
                  "points": None, **OPEN},
    "2026-closed": {"type": "approval", "projects": ["p1", "p2"], "min_choices": None, "max_choices": None,
                    "points": None, "opens": "2026-01-01", "closes": (TODAY - dt.timedelta(days=1)).isoformat()},
    "2028-future": {"type": "approval", "projects": ["p1", "p2"], "min_choices": None, "max_choices": None,
                    "points": None, "opens": (TODAY + dt.timedelta(days=1)).isoformat(), "closes": "2099-12-31"},
}
NO_LIMITS = {"ballot_misses_per_minute": 0, "ballot_round_misses_per_minute": 0}


def ballot_site(base: Path, rounds: dict[str, Any] = ROUNDS) -> Path:
    """A built site's spec with the forms of the sample project and the ``ballots`` rounds."""
    site = write_spec(make_project(base / "project"), base / "site")
    path = site / "forms" / "spec.json"
    spec = json.loads(path.read_text(encoding="utf-8"))
    spec["ballots"] = rounds
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    return site


def cli(ep: Endpoint, *args: str, secret: str | None = SECRET) -> subprocess.CompletedProcess[str]:
    """``portal-endpoint`` as the committee runs it on the server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(PORTAL_DB=ep.db, PORTAL_SITE=str(ep.site))
    if secret is not None:
        env["PORTAL_SECRET"] = secret
    return subprocess.run([sys.executable, "-m", "endpoint.cli", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)


def issue(ep: Endpoint, round_id: str, n: int, tmp: Path) -> list[str]:
    out = tmp / f"{round_id}-{time.monotonic_ns()}.csv"
    done = cli(ep, "ballots", "issue", round_id, "--households", str(n), "--out", str(out))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["round"] for r in rows] == [round_id] * n
    return [r["code"] for r in rows]


def token(round_id: str, age: float = 5.0, kind: str = "t") -> str:
    return sign_token(SECRET.encode(), f"ballot:{round_id}", time.time() - age, kind)


def vote(client: httpx.Client, round_id: str, code: str, headers: dict[str, str] = HTML,
         **choices: Any) -> httpx.Response:
    data: dict[str, Any] = {"code": code, "_token": token(round_id), **choices}
    return client.post(f"/ballots/{round_id}", data=data, headers=headers)


def export(ep: Endpoint, round_id: str, *extra: str) -> list[dict[str, str]]:
    done = cli(ep, "ballots", "export", round_id, *extra)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ballot,project,value\n")
    return list(csv.DictReader(io.StringIO(done.stdout)))


def sql(ep: Endpoint, query: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(ep.db_path, timeout=30)
    try:
        return conn.execute(query, args).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("ballots")
    ep = Endpoint(ballot_site(base), f"sqlite:///{base / 'votes.db'}", base / "server.log", **NO_LIMITS).start()
    yield ep
    ep.stop()


@pytest.fixture
def client(server: Endpoint):
    with server.client() as c:
        yield c


# -- codes ----------------------------------------------------------------------------------

def test_codes_are_readable_checked_and_told_apart_from_typos() -> None:
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000 and all(CODE.match(c) and check(c) == "ok" for c in codes)
    code = sorted(codes)[0]
    raw = code.replace("-", "")
    assert check(code.lower().replace("-", " ")) == "ok"
    for i in range(12):  # every single wrong symbol is a typo, never another code
        for sym in "34679ACDEFGHJKMNPQRTWXY":
            if sym != raw[i]:
                assert check(raw[:i] + sym + raw[i + 1:]) == "typo"
    assert check(raw[:5] + "0" + raw[6:]) == "symbol" and check(raw[:11]) == "length" and check(" - ") == "missing"


# -- round trips ------------------------------------------------------------------------------

def test_approval_issue_vote_export(server: Endpoint, client: httpx.Client, tmp_path: Path) -> None:
    codes = issue(server, "2027-approval", 3, tmp_path)
    assert len(set(codes)) == 3 and all(CODE.match(c) for c in codes)
    r = vote(client, "2027-approval", codes[0].lower().replace("-", " "), project=["p1", "p3"])
    assert r.status_code == 200, r.text
    assert "您的选票已计入" in r.text and "加装楼道扶手" in r.text and "增设休息座椅" in r.text
    receipt = re.search(r"<strong>([^<]+)</strong>", r.text).group(1)
    assert RECEIPT.match(receipt)
    r = vote(client, "2027-approval", codes[1], headers={**JSON, "Accept-Language": "en"}, project="p2")
    assert r.status_code == 201 and r.json()["choices"] == {"p2": 1} and RECEIPT.match(r.json()["receipt"])
    rows = export(server, "2027-approval")
    ballots: dict[str, set[str]] = {}
    for row in rows:
        assert row["value"] == "1"
        ballots.setdefault(row["ballot"], set()).add(row["project"])
    assert sorted(ballots.values(), key=len) == [{"p2"}, {"p1", "p3"}]
    assert [r["ballot"] for r in rows] == sorted(r["ballot"] for r in rows)  # by the random id, not casting order
    assert all(code.replace("-", "") not in json.dumps(rows) for code in codes)
    # the receipt proves the ballot was counted, and says nothing of it
    page = client.get(f"/ballots/2027-approval/receipts/{receipt}", headers=HTML)
    assert page.status_code == 200 and "已计入" in page.text and "扶手" not in page.text
    assert client.get(f"/ballots/2027-approval/receipts/{receipt}", headers=JSON).json()["counted"] is True
    assert client.get(f"/ballots/2027-points/receipts/{receipt}", headers=JSON).status_code == 404
    done = cli(server, "ballots", "status", "2027-approval")
    assert done.returncode == 0 and "已发 3 个投票码，已用 2 个，作废 0 个；收到 2 张选票" in done.stdout


def test_cumulative_issue_vote_export(server: Endpoint, client: httpx.Client, tmp_path: Path) -> None:
    codes = issue(server, "2027-points", 2, tmp_path)
    r = vote(client, "2027-points", codes[0], **{"points.p1": "7", "points.p2": "3", "points.p3": ""})
    assert r.status_code == 200 and "p1：7 分" in r.text and "p2：3 分" in r.text and "p3" not in r.text
    r = vote(client, "2027-points", codes[1], headers=JSON, **{"points.p1": "0", "points.p3": " 10 "})
    assert r.status_code == 201 and r.json()["choices"] == {"p3": 10}
    rows = export(server, "2027-points")
    assert sorted((r["project"], r["value"]) for r in rows) == [("p1", "7"), ("p2", "3"), ("p3", "10")]
    assert len({r["ballot"] for r in rows}) == 2


def test_ordinal_issue_vote_export(server: Endpoint, client: httpx.Client, tmp_path: Path) -> None:
    codes = issue(server, "2027-rank", 1, tmp_path)
    r = vote(client, "2027-rank", codes[0], headers=JSON, **{"rank.p4": "1", "rank.p2": "2", "rank.p1": "3",
                                                             "rank.p3": ""})
    assert r.status_code == 201 and list(r.json()["choices"].items()) == [("p4", 1), ("p2", 2), ("p1", 3)]
    out = server.db_path.parent / "rank.ballots.csv"
    receipts = server.db_path.parent / "rank.receipts.csv"
    done = cli(server, "ballots", "export", "2027-rank", "--out", str(out), "--receipts", str(receipts))
    assert done.returncode == 0 and "第 2027-rank 轮投票到" in done.stderr  # still open: not final
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert sorted((r["project"], r["value"]) for r in rows) == [("p1", "3"), ("p2", "2"), ("p4", "1")]
    assert receipts.read_text(encoding="utf-8") == f"receipt\n{r.json()['receipt']}\n"


# -- the code's answers -------------------------------------------------------------------------

def test_a_spent_code_is_refused_and_says_nothing_of_the_ballot(server: Endpoint, client: httpx.Client,
                                                                 tmp_path: Path) -> None:
    [code] = issue(server, "2027-approval", 1, tmp_path)
    assert vote(client, "2027-approval", code, project="p4").status_code == 200
    r = vote(client, "2027-approval", code, project="p1")
    assert r.status_code == 409 and "此投票码已使用" in r.text
    assert "垃圾分类亭" not in r.text and "p4" not in r.text
    r = vote(client, "2027-approval", code, headers={**JSON, "Accept-Language": "en"}, project="p1")
    assert r.status_code == 409 and r.json()["error"] == "code_spent" and "already been used" in r.json()["message"]


def test_a_typo_is_told_apart_from_a_wrong_code_and_the_ballot_is_kept(server: Endpoint, client: httpx.Client,
                                                                        tmp_path: Path) -> None:
    [code] = issue(server, "2027-points", 1, tmp_path)
    swapped = code[1] + code[0] + code[2:] if code[0] != code[1] else code[:5] + code[6] + code[5] + code[7:]
    r = vote(client, "2027-points", swapped, **{"points.p1": "4", "points.p2": "6"})
    assert r.status_code == 422 and "投票码有输错的地方" in r.text
    assert f'value="{swapped}"' in r.text and 'name="points.p1"' in r.text and 'value="4"' in r.text
    assert 'value="6"' in r.text and "<script" not in r.text
    other = new_code()  # a well-formed code of no household
    r = vote(client, "2027-points", other, **{"points.p1": "4"})
    assert r.status_code == 422 and "没有这个投票码" in r.text and f'value="{other}"' in r.text
    r = vote(client, "2027-points", "K7QM-4XRA-3PC0", headers=JSON, **{"points.p1": "4"})
    assert r.status_code == 422 and "不含" not in r.json()["problems"][0] and "0、1" in r.json()["problems"][0]
    assert vote(client, "2027-points", code, **{"points.p1": "4"}).status_code == 200  # still unspent


def test_closed_and_not_yet_open_rounds(server: Endpoint, client: httpx.Client) -> None:
    r = vote(client, "2026-closed", new_code(), project="p1")
    assert r.status_code == 410 and "已经结束" in r.text
    r = vote(client, "2028-future", new_code(), headers=JSON, project="p1")
    assert r.status_code == 403 and r.json()["error"] == "not_open"
    r = vote(client, "no-such-round", new_code(), headers=JSON, project="p1")
    assert r.status_code == 404 and r.json()["error"] == "unknown_round"


@pytest.mark.parametrize("round_id, choices, message", [
    ("2027-approval", {"project": ["p1", "p2", "p3"]}, "最多只能选择 2 个项目（现在选了 3 个）"),
    ("2027-approval", {}, "请至少选择 1 个项目"),
    ("2027-approval", {"project": ["p1", "p9"]}, "“p9”不是这一轮可投的项目"),
    ("2027-approval", {"project": ["p1", "p1"]}, "同一个项目只能选一次"),
    ("2027-points", {"points.p1": "8", "points.p2": "5"}, "总分最多 10 分，现在是 13 分"),
    ("2027-points", {"points.p1": "-2"}, "的分数请填写 0 或正整数"),
    ("2027-points", {"points.p1": "1.5"}, "的分数请填写 0 或正整数"),
    ("2027-rank", {"rank.p1": "1", "rank.p2": "3"}, "排名请从 1 开始连续填写"),
    ("2027-rank", {"rank.p1": "1", "rank.p2": "1"}, "排名请从 1 开始连续填写"),
    ("2027-rank", {"rank.p1": "1"}, "请至少选择 2 个项目"),
    ("2027-rank", {"rank.p1": "1", "rank.p2": "2", "rank.p3": "3", "rank.p4": "4"}, "最多只能选择 3 个项目"),
    ("2027-rank", {"rank.p1": "9"}, "的排名请填写 1 到 4 的整数"),
])
def test_invalid_choices_are_refused_and_the_code_stays_unspent(server: Endpoint, client: httpx.Client,
                                                                 tmp_path: Path, round_id: str,
                                                                 choices: dict[str, Any], message: str) -> None:
    [code] = issue(server, round_id, 1, tmp_path)
    r = vote(client, round_id, code, **choices)
    assert r.status_code == 422 and message in r.text, r.text
    assert f'value="{code}"' in r.text
    hashed = code_hash(SECRET.encode(), round_id, code)
    assert sql(server, "SELECT state FROM ballot_codes WHERE code_hash = ?", (hashed,)) == [("issued",)]


def test_a_token_problem_shows_the_ballot_to_confirm(server: Endpoint, client: httpx.Client, tmp_path: Path) -> None:
    [code] = issue(server, "2027-approval", 1, tmp_path)
    r = client.post("/ballots/2027-approval", data={"code": code, "project": "p2"}, headers=HTML)
    assert r.status_code == 422 and "请核对内容" in r.text and 'value="p2" checked' in r.text
    fresh = re.search(r'name="_token" value="([^"]+)"', r.text).group(1)
    time.sleep(0.6)  # the endpoint's min_seconds
    r = client.post("/ballots/2027-approval", data={"code": code, "project": "p2", "_token": fresh}, headers=HTML)
    assert r.status_code == 200 and "您的选票已计入" in r.text
    static = client.post("/ballots/2027-approval", data={"code": new_code(), "project": "p2",
                                                          "_token": token("2027-points", kind="s")}, headers=JSON)
    assert static.status_code == 422 and static.json()["reason"] == "invalid"  # signed for another round


def test_a_revoked_code_is_refused(server: Endpoint, client: httpx.Client, tmp_path: Path) -> None:
    kept, lost = issue(server, "2027-rank", 2, tmp_path)
    done = cli(server, "ballots", "revoke", "2027-rank", lost.lower())
    assert done.returncode == 0 and "已作废 1 个投票码" in done.stdout
    r = vote(client, "2027-rank", lost, **{"rank.p1": "1", "rank.p2": "2"})
    assert r.status_code == 409 and "此投票码已作废" in r.text
    assert vote(client, "2027-rank", kept, **{"rank.p1": "1", "rank.p2": "2"}).status_code == 200
    again = cli(server, "ballots", "revoke", "2027-rank", kept)  # spent: cannot be revoked
    assert again.returncode == 1 and "未作废" in again.stderr


def test_the_same_code_twenty_times_at_once_counts_once(server: Endpoint, tmp_path: Path) -> None:
    [code] = issue(server, "2027-approval", 1, tmp_path)

    async def burst() -> list[int]:
        async with httpx.AsyncClient(base_url=server.url, timeout=30,
                                     limits=httpx.Limits(max_connections=20)) as c:
            tasks = [c.post("/ballots/2027-approval", headers=JSON,
                            data={"code": code, "project": ["p1", "p2"][i % 2], "_token": token("2027-approval")})
                     for i in range(20)]
            return [r.status_code for r in await asyncio.gather(*tasks)]

    before = sql(server, "SELECT COUNT(*) FROM ballots WHERE round_id = '2027-approval'")[0][0]
    statuses = await_(burst())
    assert sorted(statuses) == [201] + [409] * 19
    assert sql(server, "SELECT COUNT(*) FROM ballots WHERE round_id = '2027-approval'")[0][0] == before + 1


def await_(coro: Any) -> Any:
    return asyncio.run(coro)


# -- what is kept, what is printed -----------------------------------------------------------------

def test_the_database_holds_no_code_no_address_no_time_of_day(server: Endpoint, client: httpx.Client,
                                                              tmp_path: Path) -> None:
    codes = issue(server, "2027-points", 2, tmp_path)
    for code in codes:
        assert vote(client, "2027-points", code, **{"points.p2": "5"}).status_code == 200
    columns = {row[1] for row in sql(server, "PRAGMA table_info(ballots)")}
    assert columns == {"round_id", "id", "cast_on", "choices_json"}
    assert {row[1] for row in sql(server, "PRAGMA table_info(ballot_codes)")} == {"round_id", "code_hash", "state",
                                                                                    "issued_on"}
    assert {row[1] for row in sql(server, "PRAGMA table_info(ballot_receipts)")} == {"round_id", "receipt"}
    for _, ballot_id, cast_on, choices in sql(server, "SELECT * FROM ballots"):
        assert re.fullmatch(r"[0-9a-f]{16}", ballot_id) and cast_on == dt.date.fromisoformat(cast_on).isoformat()
        assert json.loads(choices)
    blob = b"".join(p.read_bytes() for p in server.db_path.parent.glob(server.db_path.name + "*")
                    if p.is_file() and not p.name.endswith(".lock"))
    assert blob  # the database file and its write-ahead log
    for code in codes:
        assert code.encode() not in blob and code.replace("-", "").encode() not in blob
    assert b"127.0.0.1" not in blob.replace(b"ballot-miss", b"")  # not even in rate buckets: limits are off here
    hashed = [code_hash(SECRET.encode(), "2027-points", c) for c in codes]
    assert sorted(sql(server, "SELECT state FROM ballot_codes WHERE code_hash IN (?, ?)", tuple(hashed))) == [
        ("spent",), ("spent",)]


def test_the_printable_sheet_holds_the_codes_and_nothing_personal(server: Endpoint, tmp_path: Path) -> None:
    sheet, out = tmp_path / "slips.html", tmp_path / "codes.csv"
    done = cli(server, "ballots", "issue", "2027-approval", "--households", "9", "--sheet", str(sheet), "--out",
               str(out), "--url", "https://qingshi.example.cn/rounds/2027-approval/ballot/")
    assert done.returncode == 0, done.stderr
    codes = [r["code"] for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))]
    html = sheet.read_text(encoding="utf-8")
    assert len(codes) == 9 and all(html.count(c) == 1 for c in codes)
    assert html.count('class="slip"') == 9 and "@page { size: A4" in html and "2027年民生微实事" in html
    assert "https://qingshi.example.cn/rounds/2027-approval/ballot/" in html and "纸质投票" in html
    assert "<script" not in html and "src=" not in html and "@import" not in html
    url = "https://qingshi.example.cn/rounds/2027-approval/ballot/"
    assert re.findall(r"https?://[^\s<，。]*", html) == [url] * 9  # the ballot page's address only: nothing fetched
    # Nothing differs from slip to slip but the code: no household is named on its slip.
    slips = re.findall(r'<section class="slip">(.*?)</section>', html, re.S)
    assert len(slips) == 9 and len({slip.replace(code, "CODE") for slip, code in zip(slips, codes)}) == 1
    assert oct(sheet.stat().st_mode)[-3:] == "600" and oct(out.stat().st_mode)[-3:] == "600"


def test_issue_refuses_without_a_secret_or_an_unknown_round(server: Endpoint, tmp_path: Path) -> None:
    done = cli(server, "ballots", "issue", "2027-approval", "--households", "2", secret=None)
    assert done.returncode == 1 and "PORTAL_SECRET" in done.stderr and "Traceback" not in done.stderr
    done = cli(server, "ballots", "issue", "no-such", "--households", "2")
    assert done.returncode == 1 and "no-such" in done.stderr and "Traceback" not in done.stderr


# -- limits --------------------------------------------------------------------------------------

def test_wrong_codes_run_into_the_client_limit(tmp_path: Path) -> None:
    ep = Endpoint(ballot_site(tmp_path), f"sqlite:///{tmp_path / 'limited.db'}", tmp_path / "server.log",
                  ballot_misses_per_minute=1, ballot_misses_burst=3, ballot_round_misses_per_minute=0).start()
    try:
        good = issue(ep, "2027-approval", 2, tmp_path)
        with ep.client() as c:
            assert vote(c, "2027-approval", good[0], headers=JSON, project="p1").status_code == 201  # costs nothing
            statuses = [vote(c, "2027-approval", new_code(), headers=JSON, project="p1").status_code
                        for _ in range(4)]
            assert statuses == [422, 422, 422, 429]
            # refused before the code is looked at: even a good code waits
            r = vote(c, "2027-approval", good[1], headers=JSON, project="p1")
            assert r.status_code == 429 and "输错投票码的次数太多" in r.json()["message"]
    finally:
        ep.stop()


def test_wrong_codes_run_into_the_round_limit(tmp_path: Path) -> None:
    ep = Endpoint(ballot_site(tmp_path), f"sqlite:///{tmp_path / 'limited.db'}", tmp_path / "server.log",
                  ballot_misses_per_minute=0, ballot_round_misses_per_minute=1, ballot_round_misses_burst=2).start()
    try:
        with ep.client() as c:
            statuses = [vote(c, "2027-points", new_code(), headers=JSON, **{"points.p1": "1"}).status_code
                        for _ in range(3)]
            assert statuses == [422, 422, 429]
            # another round has its own bucket
            assert vote(c, "2027-rank", new_code(), headers=JSON, **{"rank.p1": "1", "rank.p2": "2"}
                        ).status_code == 422
    finally:
        ep.stop()


# -- durability ----------------------------------------------------------------------------------

def test_acknowledged_ballots_survive_a_kill(tmp_path: Path) -> None:
    ep = Endpoint(ballot_site(tmp_path), f"sqlite:///{tmp_path / 'kill.db'}", tmp_path / "server.log",
                  **NO_LIMITS).start()
    codes = issue(ep, "2027-approval", 120, tmp_path)
    acked: dict[str, str] = {}

    async def burst() -> None:
        gate = asyncio.Semaphore(20)
        async with httpx.AsyncClient(base_url=ep.url, timeout=20) as c:
            async def one(code: str) -> None:
                async with gate:
                    try:
                        r = await c.post("/ballots/2027-approval", headers=JSON,
                                         data={"code": code, "project": "p3", "_token": token("2027-approval")})
                    except httpx.TransportError:
                        return
                    if r.status_code == 201:
                        acked[code] = r.json()["receipt"]
                        if len(acked) == 40 and ep.proc is not None:
                            ep.kill()

            await asyncio.gather(*(one(code) for code in codes))

    try:
        asyncio.run(burst())
    finally:
        ep.stop()
    assert len(acked) >= 40
    stored = {r[0] for r in sql(ep, "SELECT receipt FROM ballot_receipts WHERE round_id = '2027-approval'")}
    assert set(acked.values()) <= stored
    spent = sql(ep, "SELECT COUNT(*) FROM ballot_codes WHERE round_id = '2027-approval' AND state = 'spent'")[0][0]
    ballots = sql(ep, "SELECT COUNT(*) FROM ballots WHERE round_id = '2027-approval'")[0][0]
    assert spent == ballots == len(stored)
    assert sql(ep, "PRAGMA integrity_check") == [("ok",)]
