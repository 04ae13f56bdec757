"""Online ballots on a real PostgreSQL server (started by the test, as in
``tests/test_endpoint_postgres.py``): the store's migration to the ballot tables,
issue → vote → export, and the same code sent twenty times at once by real
parallel HTTP requests: exactly one ballot (the row lock of the code's UPDATE)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sys
from pathlib import Path

import httpx
import psycopg
import pytest

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_ballots import NO_LIMITS, ballot_site, cli, issue, token, vote  # noqa: E402
from test_endpoint import JSON, RECEIPT, Endpoint  # noqa: E402
from test_endpoint_postgres import Postgres  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:.*was deleted while still open:ResourceWarning")


@pytest.fixture(scope="module")
def postgres():
    pg = Postgres().start()
    yield pg
    pg.stop()


@pytest.fixture(scope="module")
def server(postgres: Postgres, tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("ballots-pg")
    ep = Endpoint(ballot_site(base), postgres.new_database(), base / "server.log", **NO_LIMITS).start()
    yield ep
    ep.stop()


def rows(url: str, query: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchall()


def test_round_trip_on_postgres(server: Endpoint, tmp_path: Path) -> None:
    assert rows(server.db, "SELECT MAX(version) FROM schema_migrations") == [(4,)]
    codes = issue(server, "2027-rank", 2, tmp_path)
    with server.client() as c:
        r = vote(c, "2027-rank", codes[0], headers=JSON, **{"rank.p3": "1", "rank.p1": "2"})
        assert r.status_code == 201 and RECEIPT.match(r.json()["receipt"])
        assert vote(c, "2027-rank", codes[0], headers=JSON, **{"rank.p3": "1", "rank.p1": "2"}).status_code == 409
        assert vote(c, "2027-rank", codes[1], **{"rank.p2": "1", "rank.p4": "2", "rank.p1": "3"}).status_code == 200
        assert c.get(f"/ballots/2027-rank/receipts/{r.json()['receipt']}", headers=JSON).json()["counted"] is True
    done = cli(server, "ballots", "export", "2027-rank")
    assert done.returncode == 0, done.stderr
    exported = list(csv.DictReader(io.StringIO(done.stdout)))
    assert sorted((e["project"], e["value"]) for e in exported) == [("p1", "2"), ("p1", "3"), ("p2", "1"),
                                                                    ("p3", "1"), ("p4", "2")]
    assert [e["ballot"] for e in exported] == sorted(e["ballot"] for e in exported)
    columns = rows(server.db, "SELECT column_name FROM information_schema.columns WHERE table_name = 'ballots'")
    assert {c[0] for c in columns} == {"round_id", "id", "cast_on", "choices_json"}
    stored = json.dumps(rows(server.db, "SELECT * FROM ballots") + rows(server.db, "SELECT * FROM ballot_codes"))
    assert all(code not in stored and code.replace("-", "") not in stored for code in codes)


def test_the_same_code_twenty_times_at_once_counts_once_on_postgres(server: Endpoint, tmp_path: Path) -> None:
    codes = issue(server, "2027-approval", 3, tmp_path)

    async def burst(code: str) -> list[int]:
        async with httpx.AsyncClient(base_url=server.url, timeout=30, limits=httpx.Limits(max_connections=20)) as c:
            tasks = [c.post("/ballots/2027-approval", headers=JSON,
                            data={"code": code, "project": "p2", "_token": token("2027-approval")}) for _ in range(20)]
            return [r.status_code for r in await asyncio.gather(*tasks)]

    for code in codes:
        assert sorted(asyncio.run(burst(code))) == [201] + [409] * 19
    assert rows(server.db, "SELECT COUNT(*) FROM ballots WHERE round_id = '2027-approval'") == [(3,)]
    assert rows(server.db, "SELECT COUNT(*) FROM ballot_receipts WHERE round_id = '2027-approval'") == [(3,)]
    assert rows(server.db, "SELECT state, COUNT(*) FROM ballot_codes WHERE round_id = '2027-approval' "
                           "GROUP BY state") == [("spent", 3)]
