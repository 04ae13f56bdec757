"""Ballots against form submissions on the same endpoint, in the same run.

Starts ``portal endpoint`` on SQLite (``synchronous=FULL``) with the minimal project's
forms and one approval round; issues N codes with ``portal-endpoint ballots issue``;
then sends N ballots (each spends its code and stores the ballot in its own
transaction, wrong-code limits on) and N submissions of the suggestion form (group
commit), each at C concurrent connections, and prints both rates and their ratio
(ballots / submissions). Every ballot must be counted (201) and every code spent once.

    .venv/bin/python bench/bench_ballots.py --n 400 --concurrency 20
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from bench_endpoint import build_spec, free_port  # noqa: E402

from portal_core.tokens import sign_token  # noqa: E402

SECRET = "bench-ballots-secret"


async def burst(url: str, bodies: list[dict[str, str]], path: str, concurrency: int) -> tuple[float, list[int]]:
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        async def one(body: dict[str, str]) -> int:
            async with gate:
                r = await client.post(path, data=body, headers={"Accept": "application/json"})
                return r.status_code

        start = time.perf_counter()
        statuses = await asyncio.gather(*(one(b) for b in bodies))
        return time.perf_counter() - start, list(statuses)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-ballots-"))
    site = tmp / "site"
    spec = build_spec(site)
    today = dt.date.today()
    spec["ballots"] = {"r": {"type": "approval", "projects": ["p1", "p2", "p3"], "min_choices": None,
                             "max_choices": 2, "points": None, "opens": (today - dt.timedelta(days=2)).isoformat(),
                             "closes": (today + dt.timedelta(days=2)).isoformat()}}
    (site / "forms" / "spec.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    db = f"sqlite:///{tmp / 'votes.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(PORTAL_SECRET=SECRET, PORTAL_DB=db, PORTAL_SITE=str(site), PORTAL_RATE_PER_MINUTE="0",
               PORTAL_MIN_SECONDS="0")
    issued = subprocess.run([sys.executable, "-m", "endpoint.cli", "ballots", "issue", "r", "--households",
                             str(args.n)], env=env, capture_output=True, text=True, check=True, cwd=REPO)
    codes = [row["code"] for row in csv.DictReader(io.StringIO(issued.stdout))]
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "generator", "endpoint", "--site", str(site), "--db", db,
                               "--port", str(port)], env=env, cwd=REPO, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        ballot_token = sign_token(SECRET.encode(), "ballot:r", time.time() - 10)
        form_token = sign_token(SECRET.encode(), "suggestion", time.time() - 10)
        ballots = [{"code": c, "project": "p2", "_token": ballot_token} for c in codes]
        forms = [{"topic": "environment", "text": f"路灯坏了 {i}", "_token": form_token, "_idem": f"b-{i}"}
                 for i in range(args.n)]
        form_s, form_statuses = asyncio.run(burst(url, forms, "/forms/suggestion", args.concurrency))
        ballot_s, ballot_statuses = asyncio.run(burst(url, ballots, "/ballots/r", args.concurrency))
    finally:
        server.terminate()
        server.wait(30)
    status = subprocess.run([sys.executable, "-m", "endpoint.cli", "ballots", "status", "r"], env=env,
                            capture_output=True, text=True, check=True, cwd=REPO).stdout.strip()
    assert ballot_statuses == [201] * args.n and form_statuses == [201] * args.n, (ballot_statuses[:5], form_statuses[:5])
    print(f"n={args.n} concurrency={args.concurrency}")
    print(f"submissions: {args.n / form_s:8.1f}/s   ballots: {args.n / ballot_s:8.1f}/s   "
          f"ratio ballots/submissions: {form_s / ballot_s:.3f}")
    print(status)
    return 0


if __name__ == "__main__":
    sys.exit(main())
