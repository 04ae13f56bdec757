"""Benchmark of the submission endpoint (``POST /forms/{form_id}``) against a bare ASGI hello-world.

What it measures, on this machine, with the load generator (wrk) on the same machine:

- sustained *durable* submissions per second (201 answers: each one is committed
  with ``synchronous=FULL`` before it is acknowledged) and wrk's p50/p75/p90/p99
  latency, at 10 and 100 concurrent connections;
- the same for ``bench/hello_asgi.py`` on the same server (``python -m endpoint.workers``:
  uvicorn, one SO_REUSEPORT socket per worker, as ``portal endpoint`` runs it; same flags),
  in the same run, and the ratio endpoint / hello;
- durability: the rows stored for a run (matched by the run's unique ``_idem``
  prefix) equal the 201 answers wrk counted; a final crash check kills the server
  with SIGKILL in the middle of a run and checks every acknowledged submission is
  still in the database.

Everything the endpoint checks stays on: full validation against the compiled spec
(the minimal project's ``suggestion`` form), the honeypot field (sent, empty), the
signed time token (pre-signed 10 s in the past, so ``min_seconds`` keeps its
default of 3 s and is really checked), the origin allow-list (``PORTAL_SITE_URL``
set, ``Origin`` header sent) and the rate limiter, whose limits are set so high
that it never refuses (all wrk connections come from 127.0.0.1; the default of 10
per minute would answer 429). ``--rate-per-minute 0`` turns the limiter off instead.

Needs ``wrk`` (Debian: ``apt-get install -y wrk``); ``--profile`` needs ``py-spy``.

    .venv/bin/python bench/bench_endpoint.py                 # 20 s per point, workers 1 and 2
    .venv/bin/python bench/bench_endpoint.py --duration 5 --workers 1
    .venv/bin/python bench/bench_endpoint.py --profile --py-spy /path/to/py-spy
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FORM_ID = "suggestion"
FORM_YAML = ROOT / "tests" / "projects" / "minimal" / "data" / "forms" / "suggestion.yaml"
SECRET = "bench-secret-not-for-production"
SITE_URL = "https://bench.example.org"
TEXT = "三号楼楼道的灯坏了一个星期，晚上很黑，老人上下楼不安全，请尽快安排维修。谢谢！"

# wrk script: POST an urlencoded submission with a unique _idem per request
# (run prefix - thread id - counter), count answers by status, print a JSON summary.
LUA = r"""
-- args: path, run prefix, token, urlencoded text, origin
threads = {}
nthreads = 0
counter = 0
created, other2xx, non2xx = 0, 0, 0
first_error = ""

function setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
  table.insert(threads, thread)
end

function init(args)
  path, prefix, token, text, origin = args[1], args[2], args[3], args[4], args[5]
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Accept"] = "application/json"
  wrk.headers["Origin"] = origin
  head = "topic=environment&text=" .. text .. "&phone=13800138000&website=&_token=" .. token
    .. "&_idem=" .. prefix .. "-" .. tid .. "-"
end

function request()
  counter = counter + 1
  return wrk.format(nil, path, nil, head .. counter)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  elseif status >= 200 and status < 300 then
    other2xx = other2xx + 1
  else
    non2xx = non2xx + 1
    if first_error == "" then
      first_error = status .. " " .. string.sub(body or "", 1, 200)
    end
  end
end

function done(summary, latency, requests)
  local c, o, n, sent, err = 0, 0, 0, 0, ""
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    o = o + t:get("other2xx")
    n = n + t:get("non2xx")
    sent = sent + t:get("counter")
    if err == "" then err = t:get("first_error") end
  end
  err = string.gsub(err, '[%c"\\]', " ")
  io.write(string.format(
    'BENCH_JSON {"created": %d, "other2xx": %d, "non2xx": %d, "requests_built": %d, '
    .. '"responses": %d, "duration_us": %d, "errors": {"connect": %d, "read": %d, "write": %d, '
    .. '"status": %d, "timeout": %d}, "latency_us": {"p50": %d, "p75": %d, "p90": %d, "p99": %d, '
    .. '"p99.9": %d, "max": %d, "mean": %.1f}, "first_error": "%s"}\n',
    c, o, n, sent, summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(75), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean, err))
end
"""


# --- helpers -----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_spec(site: Path) -> dict[str, Any]:
    import yaml

    from generator.forms_spec import compile_forms
    from generator.kinds.form.model import Form

    form = Form.model_validate(yaml.safe_load(FORM_YAML.read_text(encoding="utf-8")))
    spec = compile_forms([form])
    (site / "forms").mkdir(parents=True, exist_ok=True)
    (site / "forms" / "spec.json").write_text(json.dumps(spec, ensure_ascii=False, indent=1), encoding="utf-8")
    return spec


def descendants(pid: int) -> list[int]:
    """pid and all its descendants (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(parents.get(p, []))
    return out


def cpu_seconds(pids: list[int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def others_busy_pct(pids: list[int], seconds: float = 2.0) -> float:
    """CPU in use by everything but ``pids`` over ``seconds``, in % of one core."""
    b0, t0 = cpu_times()
    own0 = cpu_seconds(pids)
    time.sleep(seconds)
    b1, t1 = cpu_times()
    cores = (os.cpu_count() or 1)
    busy = 100 * cores * (b1 - b0) / max(1, t1 - t0)
    return max(0.0, busy - 100 * (cpu_seconds(pids) - own0) / seconds)


def wait_quiet(pids: list[int], limit: float, patience: float) -> float:
    """Wait (at most ``patience`` s) until the rest of the machine uses less than ``limit`` % of a core."""
    deadline = time.monotonic() + patience
    while True:
        others = others_busy_pct(pids)
        if others <= limit or time.monotonic() >= deadline:
            return round(others, 1)
        print(f"# waiting: other processes use {others:.0f}% CPU", flush=True)
        time.sleep(5)


class Server:
    def __init__(self, app: str, workers: int, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.log = log
        # What `portal endpoint --workers N` runs (uvicorn with uvloop and httptools).
        cmd = [sys.executable, "-m", "endpoint.workers", app, "--host", "127.0.0.1", "--port", str(self.port),
               "--workers", str(workers), "--log-level", "warning"]
        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.pids: list[int] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited ({self.proc.returncode}): {self.log.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(self.url + path, timeout=2).read()
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit(f"server did not start in {timeout} s: {self.log.read_text()[-2000:]}")
        time.sleep(0.5)  # let every worker come up
        self.pids = descendants(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def kill(self) -> None:
        """SIGKILL the whole server (supervisor and workers): a crash, no graceful shutdown."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def post(url: str, fields: dict[str, str]) -> tuple[int, dict[str, Any]]:
    req = urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode(), method="POST",
                                 headers={"Accept": "application/json", "Origin": SITE_URL,
                                          "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def run_wrk(wrk: str, script: Path, url: str, prefix: str, token: str, connections: int, threads: int,
            duration: float) -> dict[str, Any]:
    cmd = [wrk, "-t", str(threads), "-c", str(connections), "-d", f"{duration:g}s", "--timeout", "10s",
           "--latency", "-s", str(script), url + f"/forms/{FORM_ID}", "--",
           f"/forms/{FORM_ID}", prefix, token, urllib.parse.quote(TEXT), SITE_URL]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = parse_wrk(out)
    result["wrk_cpu_s"] = round((after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), 2)
    result["wrk_command"] = " ".join(cmd[:12] + ["<url> -- <path> <prefix> <token> <text> <origin>"])
    return result


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(out: str) -> dict[str, Any]:
    """Requests/sec and the --latency distribution from wrk's text, plus the script's JSON summary."""
    m = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M)
    text_latency = {f"p{p}": float(v) * UNITS[u]
                    for p, v, u in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)}
    j = re.search(r"^BENCH_JSON (.*)$", out, re.M)
    if not m or not j or len(text_latency) != 4:
        raise SystemExit(f"cannot read wrk output:\n{out}")
    summary = json.loads(j.group(1))
    seconds = summary["duration_us"] / 1e6
    return {"requests_per_s": float(m.group(1)), "created_per_s": round(summary["created"] / seconds, 1),
            "latency_ms": {k: round(v, 3) for k, v in text_latency.items()},
            "latency_ms_exact": {k: round(v / 1000, 3) for k, v in summary["latency_us"].items()},
            "seconds": round(seconds, 3), **{k: summary[k] for k in
                                             ("created", "other2xx", "non2xx", "responses", "requests_built", "errors",
                                              "first_error")},
            "wrk_output": out.split("BENCH_JSON")[0].strip()}


def rows_with_prefix(db: Path, prefix: str) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        return conn.execute("SELECT COUNT(*) FROM submissions WHERE substr(idem_key, 1, ?) = ?",
                            (len(prefix) + 1, prefix + "-")).fetchone()[0]


def fsync_probe(directory: Path, n: int = 200) -> float:
    """Mean milliseconds of one small append + fsync in ``directory`` (the floor of a commit)."""
    path = directory / "fsync-probe"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        start = time.perf_counter()
        for _ in range(n):
            os.write(fd, b"x" * 4096)
            os.fsync(fd)
        return (time.perf_counter() - start) / n * 1000
    finally:
        os.close(fd)
        path.unlink()


def machine(tmp: Path, wrk: str) -> dict[str, Any]:
    import httptools
    import starlette
    import uvicorn
    import uvloop

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    fs = subprocess.run(["df", "-T", str(tmp)], capture_output=True, text=True).stdout.splitlines()[-1].split()
    wrk_version = subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout.splitlines()[0]
    return {"cpu": cpu, "cpus": os.cpu_count(), "mem_gib": round(int(mem) / 2**20, 1),
            "kernel": platform.release(), "python": platform.python_version(),
            "uvicorn": uvicorn.__version__, "starlette": starlette.__version__, "uvloop": uvloop.__version__,
            "httptools": httptools.__version__, "wrk": wrk_version.split(" [")[0],
            "db_filesystem": f"{fs[1]} on {fs[0]}", "fsync_ms": round(fsync_probe(tmp), 3),
            "loadavg_at_start": os.getloadavg()}


# --- profiling -----------------------------------------------------------------------------

def profile_summary(raw: Path, top: int = 15) -> dict[str, Any]:
    """Per thread: its share of samples, and the top functions by self and by inclusive samples
    (in % of that thread's samples), from py-spy's collapsed stacks recorded with --threads."""
    threads: dict[str, dict[str, Counter[str]]] = {}
    totals: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count_s = line.rpartition(" ")
        if not stack or not count_s.isdigit():
            continue
        count = int(count_s)
        head, *frames = stack.split(";")
        name = head.split(": ", 1)[1] if ": " in head else head  # "thread (1234): MainThread"
        name = "anyio-worker" if "WorkerThread" in stack else name
        t = threads.setdefault(name, {"self": Counter(), "incl": Counter()})
        totals[name] += count
        if frames:
            t["self"][frames[-1]] += count
        for f in set(frames):
            t["incl"][f] += count
    grand = sum(totals.values()) or 1
    out: dict[str, Any] = {"samples": grand, "threads": {}}
    for name, n in totals.most_common():
        def pct(c: Counter[str], n: int = n) -> dict[str, float]:
            return {k: round(100 * v / n, 1) for k, v in c.most_common(top)}

        own = Counter({k: v for k, v in threads[name]["incl"].items()
                       if any(m in k for m in ("endpoint/", "generator/", "starlette/", "uvicorn/protocols",
                                               "json/", "urllib/", "sqlite", "_Tx", "Queue", "random",
                                               "anyio", "jinja2"))})
        out["threads"][name] = {"share_pct": round(100 * n / grand, 1), "self_pct": pct(threads[name]["self"]),
                                "inclusive_pct": pct(own)}
    return out


# --- the run -------------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=float, default=20, help="seconds per measured point (default 20)")
    ap.add_argument("--connections", default="10,100", help="comma-separated wrk connection counts")
    ap.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    ap.add_argument("--workers", default="1,2", help="comma-separated worker process counts")
    ap.add_argument("--warmup", type=float, default=3, help="seconds of warm-up load before measuring")
    ap.add_argument("--rate-per-minute", type=float, default=1e9,
                    help="PORTAL_RATE_PER_MINUTE (default 1e9: the limiter runs but never refuses; 0: off)")
    ap.add_argument("--crash-check", type=float, default=8,
                    help="seconds of a run at max connections whose server is SIGKILLed half-way (0: skip)")
    ap.add_argument("--quiet", type=float, default=30,
                    help="before each point, wait until other processes use less than this %% of a core (0: don't)")
    ap.add_argument("--patience", type=float, default=120, help="longest wait for --quiet, seconds")
    ap.add_argument("--targets", default="hello,endpoint", help="servers to measure, in order")
    ap.add_argument("--endpoint-app", default="endpoint.asgi:app",
                    help="ASGI app to measure as the endpoint (to try a change, e.g. a module on PYTHONPATH)")
    ap.add_argument("--no-breakdown", dest="breakdown", action="store_false",
                    help="skip the in-process CPU cost breakdown of one submission")
    ap.add_argument("--profile", action="store_true", help="py-spy the 1-worker endpoint at max connections")
    ap.add_argument("--py-spy", default=shutil.which("py-spy") or "py-spy")
    ap.add_argument("--wrk", default=shutil.which("wrk") or "wrk")
    ap.add_argument("--tmp", type=Path, default=None, help="folder for the spec and databases (default: a new temp dir)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / f"endpoint-{dt.date.today()}.json")
    args = ap.parse_args()
    if not shutil.which(args.wrk):
        raise SystemExit("wrk not found: apt-get install -y wrk")
    conns = [int(c) for c in args.connections.split(",")]
    workers_list = [int(w) for w in args.workers.split(",")]

    from endpoint.abuse import check_token, sign_token
    from endpoint.settings import Settings

    tmp = args.tmp or Path(tempfile.mkdtemp(prefix="portal-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    site = tmp / "site"
    build_spec(site)
    script = tmp / "submit.lua"
    script.write_text(LUA, encoding="utf-8")
    defaults = Settings()
    token = sign_token(SECRET.encode(), FORM_ID, time.time() - 10)  # issued 10 s ago: passes min_seconds
    assert check_token(SECRET.encode(), FORM_ID, token, defaults.min_seconds, defaults.token_hours * 3600,
                       defaults.static_token_days * 86400) is None
    info = machine(tmp, args.wrk)
    print(f"# {info['cpus']} x {info['cpu']}, {info['mem_gib']} GiB, Python {info['python']}, uvicorn "
          f"{info['uvicorn']}, {info['wrk']}; db on {info['db_filesystem']} (fsync {info['fsync_ms']} ms)",
          flush=True)
    run_id = f"{int(time.time())}"
    results: dict[str, Any] = {
        "date": dt.datetime.now().isoformat(timespec="seconds"), "machine": info,
        "settings": {"duration_s": args.duration, "wrk_threads": args.threads, "connections": conns,
                     "workers": workers_list, "endpoint_app": args.endpoint_app, "rate_per_minute": args.rate_per_minute,
                     "rate_burst": int(min(args.rate_per_minute, 1e9)) if args.rate_per_minute else None,
                     "min_seconds": defaults.min_seconds, "token_issued_s_ago": 10, "site_url": SITE_URL,
                     "sqlite": "WAL, synchronous=FULL", "server": "python -m endpoint.workers APP --workers N --log-level warning",
                     "form": FORM_ID},
        "runs": [], "checks": {}, "profile": None, "crash_check": None, "breakdown": None}
    if args.breakdown:
        if args.quiet:
            wait_quiet([], args.quiet, args.patience)
        results["breakdown"] = breakdown(site, token, tmp)

    def env_for(db: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
        env.update(PORTAL_SITE=str(site), PORTAL_DB=f"sqlite:///{db}", PORTAL_SECRET=SECRET,
                   PORTAL_SITE_URL=SITE_URL, PORTAL_RATE_PER_MINUTE=f"{args.rate_per_minute:g}",
                   PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        if args.rate_per_minute:
            env["PORTAL_RATE_BURST"] = str(int(min(args.rate_per_minute, 1e9)))
        return env

    for workers in workers_list:
        for target in args.targets.split(","):
            db = tmp / f"bench-w{workers}.db"
            app = "bench.hello_asgi:app" if target == "hello" else args.endpoint_app
            server = Server(app, workers, env_for(db), tmp / f"{target}-w{workers}.log")
            try:
                server.wait_ready("/health" if target == "endpoint" else "/")
                if target == "endpoint" and workers == workers_list[0]:
                    results["checks"] = smoke(server.url, token, run_id)
                warm = f"{run_id}w{workers}warm"
                run_wrk(args.wrk, script, server.url, warm, token, max(conns), args.threads, args.warmup)
                for c in conns:
                    prefix = f"{run_id}w{workers}c{c}"
                    quiet_before = wait_quiet(server.pids, args.quiet, args.patience) if args.quiet else None
                    cpu0, (b0, t0) = cpu_seconds(server.pids), cpu_times()
                    r = run_wrk(args.wrk, script, server.url, prefix, token, c, args.threads, args.duration)
                    (b1, t1), server_cpu = cpu_times(), cpu_seconds(server.pids) - cpu0
                    r["server_cpu_pct"] = round(100 * server_cpu / r["seconds"], 1)
                    r["server_cpu_ms_per_request"] = round(1000 * server_cpu / max(1, r["responses"]), 3)
                    machine_pct = 100 * (os.cpu_count() or 1) * (b1 - b0) / max(1, t1 - t0)
                    r["others_cpu_pct"] = round(max(0.0, machine_pct - r["server_cpu_pct"]
                                                    - 100 * r["wrk_cpu_s"] / r["seconds"]), 1)
                    r["others_cpu_pct_before"] = quiet_before
                    r.update(target=target, workers=workers, connections=c, loadavg=os.getloadavg())
                    if target == "endpoint":
                        # Every 201 must be a row. wrk stops with up to one request per connection sent but
                        # unanswered: those may be stored too (never acknowledged, so never promised).
                        r["rows"] = rows_with_prefix(db, prefix)
                        r["lost"] = max(0, r["created"] - r["rows"])
                        r["unanswered_at_stop"] = r["requests_built"] - r["responses"]
                        r["durable_ok"] = (r["lost"] == 0 and r["other2xx"] == 0 and r["non2xx"] == 0
                                           and r["rows"] - r["created"] <= r["unanswered_at_stop"])
                    results["runs"].append(r)
                    print(row_text(r), flush=True)
                if args.profile and target == "endpoint" and workers == 1:
                    results["profile"] = profile(args, server, script, token, f"{run_id}prof", tmp)
            finally:
                server.stop()
            if target == "endpoint":  # after a graceful stop: still every acknowledged row
                for r in results["runs"]:
                    if r["target"] == "endpoint" and r["workers"] == workers:
                        r["rows_after_stop"] = rows_with_prefix(db, f"{run_id}w{workers}c{r['connections']}")

    if args.crash_check:
        results["crash_check"] = crash_check(args, env_for(tmp / "bench-crash.db"), tmp, script, token, run_id,
                                             max(conns), max(workers_list))
    ratios(results)
    table(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"\nresults: {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    print(f"work dir: {tmp}")
    ok = all(r.get("durable_ok", True) for r in results["runs"]) and (
        results["crash_check"] is None or results["crash_check"]["lost"] == 0)
    print("durability: every acknowledged submission is in the database" if ok
          else "durability: FAILED (see results)")
    return 0 if ok else 1


def breakdown(site: Path, token: str, tmp: Path) -> dict[str, float]:
    """In-process CPU cost of one submission and of its parts, no HTTP server (best of 3, µs)."""
    import asyncio

    import uvloop
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from bench.hello_asgi import app as hello_app
    from endpoint import abuse
    from endpoint.app import SECURITY_HEADERS, create_app
    from endpoint.formdata import parse_urlencoded
    from endpoint.settings import Settings
    from endpoint.store import Store
    from portal_core.forms import validate
    from portal_core.receipts import new_receipt

    spec = json.loads((site / "forms" / "spec.json").read_text(encoding="utf-8"))
    form = spec["forms"][FORM_ID]
    qs = (f"topic=environment&text={urllib.parse.quote(TEXT)}&phone=13800138000&website=&_token={token}"
          "&_idem=breakdown-")
    data = urllib.parse.parse_qs(qs, keep_blank_values=True)
    secret = SECRET.encode()

    def per_call(fn: Any, n: int = 5000) -> float:
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            for _ in range(n):
                fn()
            best = min(best, (time.process_time() - start) / n)
        return round(best * 1e6, 1)

    class NoStore:
        dialect = "none"

        def start(self) -> None: ...

        def stop(self) -> None: ...

        async def add(self, sub: Any) -> tuple[str, bool]:
            return "AAAA-BBBB-CC", True

    async def echo(request: Any) -> Any:
        await request.body()
        return JSONResponse({"receipt": "AAAA-BBBB-CC", "created": True, "status_url": "/receipts/AAAA-BBBB-CC"},
                            status_code=201, headers=SECURITY_HEADERS)

    settings = Settings(secret=SECRET, site_url=SITE_URL, rate_per_minute=1e9, rate_burst=10**9)
    starlette_cors = Starlette(routes=[Route("/forms/{form_id}", echo, methods=["POST"])], middleware=[
        Middleware(CORSMiddleware, allow_origins=[SITE_URL], allow_methods=["GET", "POST"],
                   allow_headers=["Content-Type", "Accept", "Accept-Language"], max_age=600)])
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": f"/forms/{FORM_ID}", "raw_path": f"/forms/{FORM_ID}".encode(), "query_string": b"",
             "root_path": "", "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
             "headers": [(b"host", b"127.0.0.1:8000"), (b"content-type", b"application/x-www-form-urlencoded"),
                         (b"accept", b"application/json"), (b"origin", SITE_URL.encode()),
                         (b"content-length", str(len(qs) + 8).encode())]}

    def asgi_cost(app: Any, concurrency: int = 1, n: int = 4000, store: Any = None) -> float:
        counter = iter(range(10**9))

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": f"{qs}{next(counter)}".encode(), "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and message["status"] != 201:
                raise RuntimeError(f"status {message['status']}")

        async def worker(k: int) -> None:
            for _ in range(k):
                await app(dict(scope, state={}), receive, send)

        async def run() -> float:
            await worker(200)
            best = float("inf")
            for _ in range(3):
                start = time.process_time()
                await asyncio.gather(*(worker(n // concurrency) for _ in range(concurrency)))
                best = min(best, (time.process_time() - start) / n)
            return best

        if store is not None:
            store.start()
        try:
            return round(uvloop.run(run()) * 1e6, 1)
        finally:
            if store is not None:
                store.stop()

    store = Store(f"sqlite:///{tmp / 'breakdown.db'}")
    real = create_app(settings, spec, store=store)
    out = {
        "parse_qs (urlencoded body, stdlib)": per_call(lambda: urllib.parse.parse_qs(qs, keep_blank_values=True,
                                                                                     max_num_fields=200)),
        "parse_urlencoded (endpoint/formdata.py)": per_call(lambda: parse_urlencoded(qs)),
        "validate (spec)": per_call(lambda: validate(form, data)),
        "check_token (HMAC)": per_call(lambda: abuse.check_token(secret, FORM_ID, token, 3, 43200, 5184000)),
        "new_receipt (writer thread)": per_call(new_receipt),
        "JSONResponse with security headers": per_call(
            lambda: JSONResponse({"receipt": "AAAA-BBBB-CC", "created": True}, status_code=201,
                                 headers=SECURITY_HEADERS)),
        "ASGI hello (no server)": asgi_cost(hello_app),
        "Starlette + CORS, read body, JSONResponse": asgi_cost(starlette_cors),
        "endpoint app, store.add a no-op": asgi_cost(create_app(settings, spec, store=NoStore())),
        "endpoint app + real Store (group commit), 100 concurrent": asgi_cost(real, 100, 6000, store),
    }
    print("\n# CPU per submission in-process, no HTTP server (µs, best of 3; process CPU: all threads)")
    for k, v in out.items():
        print(f"  {v:8.1f}  {k}")
    return out


def smoke(url: str, token: str, run_id: str) -> dict[str, Any]:
    """The checks are on: a good submission is stored, a bad one of each kind is refused."""
    good = {"topic": "environment", "text": TEXT, "phone": "13800138000", "website": "", "_token": token}
    from endpoint.abuse import sign_token

    cases = {
        "good": dict(good, _idem=f"{run_id}smoke-good"),
        "missing_token": {k: v for k, v in good.items() if k != "_token"},
        "fresh_token_too_fast": dict(good, _token=sign_token(SECRET.encode(), FORM_ID)),
        "forged_token": dict(good, _token=sign_token(b"wrong", FORM_ID, time.time() - 10)),
        "honeypot_filled": dict(good, website="http://spam.example"),
        "invalid_choice": dict(good, topic="nope"),
        "missing_text": {k: v for k, v in good.items() if k != "text"},
        "bad_phone": dict(good, phone="call me"),
    }
    out = {}
    for name, fields in cases.items():
        status, body = post(f"{url}/forms/{FORM_ID}", fields)
        out[name] = {"status": status, "error": body.get("error"), "reason": body.get("reason")}
    req = urllib.request.Request(f"{url}/forms/{FORM_ID}", method="POST", data=b"topic=other&text=x",
                                 headers={"Accept": "application/json", "Origin": "https://evil.example"})
    try:
        urllib.request.urlopen(req, timeout=10)
        out["foreign_origin"] = {"status": 201}
    except urllib.error.HTTPError as exc:
        out["foreign_origin"] = {"status": exc.code}
    expected = {"good": 201, "missing_token": 400, "fresh_token_too_fast": 400, "forged_token": 400,
                "honeypot_filled": 400, "invalid_choice": 422, "missing_text": 422, "bad_phone": 422,
                "foreign_origin": 403}
    bad = {k: v for k, v in out.items() if v["status"] != expected[k]}
    if bad:
        raise SystemExit(f"the endpoint's checks do not behave as expected: {bad}")
    print("# checks on: " + ", ".join(f"{k} {v['status']}" for k, v in out.items()), flush=True)
    return out


def profile(args: argparse.Namespace, server: Server, script: Path, token: str, prefix: str,
            tmp: Path) -> dict[str, Any]:
    """py-spy the 1-worker endpoint under max-connection load, twice: every thread, idle included (where
    the time goes, waits too), then only the thread holding the GIL (where the CPU goes)."""
    out: dict[str, Any] = {}
    seconds = max(5.0, args.duration / 2)
    conns = max(server_conns(args))
    for mode, flags in (("wall", ["--threads", "--idle"]), ("gil", ["--threads", "--gil"])):
        raw = tmp / f"profile-{mode}.txt"
        spy = subprocess.Popen([args.py_spy, "record", "--pid", str(server.proc.pid), "--duration",
                                f"{seconds:g}", "--rate", "100", "--nonblocking", *flags, "--format", "raw",
                                "-o", str(raw)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(0.5)
        r = run_wrk(args.wrk, script, server.url, f"{prefix}{mode}", token, conns, args.threads, seconds)
        _, err = spy.communicate(timeout=60)
        if spy.returncode != 0 or not raw.exists():
            out[mode] = {"error": err.decode()[-1000:]}
            continue
        summary = profile_summary(raw)
        summary.update(created_per_s_while_profiled=r["created_per_s"], raw=str(raw))
        out[mode] = summary
        print(f"\n# profile {mode} (py-spy {' '.join(flags)}; endpoint 1 worker, {conns} connections, "
              f"{r['created_per_s']:.0f}/s while profiled; % of the thread's samples)")
        for name, t in summary["threads"].items():
            print(f"  thread {name}: {t['share_pct']}% of samples")
            for k, v in list(t["self_pct"].items())[:12]:
                print(f"    self {v:5.1f}%  {k}")
    return out


def server_conns(args: argparse.Namespace) -> list[int]:
    return [int(c) for c in args.connections.split(",")]


def crash_check(args: argparse.Namespace, env: dict[str, str], tmp: Path, script: Path, token: str,
                run_id: str, connections: int, workers: int) -> dict[str, Any]:
    """SIGKILL the endpoint (every process) half-way through a run: every 201 wrk saw must be in the database."""
    db = Path(env["PORTAL_DB"].removeprefix("sqlite:///"))
    server = Server(args.endpoint_app, workers, env, tmp / "crash.log")
    server.wait_ready("/health")
    prefix = f"{run_id}crash"

    killer = threading.Timer(args.crash_check / 2, server.kill)
    killer.start()
    r = run_wrk(args.wrk, script, server.url, prefix, token, connections, args.threads, args.crash_check)
    killer.join()
    rows = rows_with_prefix(db, prefix)
    out = {"seconds": args.crash_check, "killed_after_s": args.crash_check / 2, "connections": connections,
           "workers": workers,
           "acknowledged": r["created"], "rows": rows, "lost": max(0, r["created"] - rows),
           "unacknowledged_but_stored": max(0, rows - r["created"]), "socket_errors": r["errors"]}
    print(f"# crash check: SIGKILL after {out['killed_after_s']:g} s; {out['acknowledged']} acknowledged, "
          f"{rows} rows in the database, lost {out['lost']}", flush=True)
    return out


def ratios(results: dict[str, Any]) -> None:
    hello = {(r["workers"], r["connections"]): r for r in results["runs"] if r["target"] == "hello"}
    for r in results["runs"]:
        h = hello.get((r["workers"], r["connections"]))
        if r["target"] == "endpoint" and h:
            r["ratio_to_hello"] = round(r["created_per_s"] / h["created_per_s"], 3)


def row_text(r: dict[str, Any]) -> str:
    lat = r["latency_ms"]
    durable = "" if r["target"] == "hello" else f"  rows {r['rows']} lost {r['lost']}"
    return (f"{r['target']:8} w{r['workers']} c{r['connections']:<4} {r['created_per_s']:9.1f}/s  "
            f"p50 {lat['p50']:7.2f}  p99 {lat['p99']:7.2f} ms  non2xx {r['non2xx']}  "
            f"server cpu {r['server_cpu_pct']:.0f}% ({r['server_cpu_ms_per_request']:.3f} ms/req)  "
            f"wrk cpu {100 * r['wrk_cpu_s'] / r['seconds']:.0f}%  others {r['others_cpu_pct']:.0f}%{durable}")


def table(results: dict[str, Any]) -> None:
    print("\n| server | workers | conns | 201/s | p50 ms | p75 ms | p90 ms | p99 ms | ratio | server CPU "
          "(ms/req) | wrk CPU | others' CPU | acknowledged / rows |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results["runs"]:
        lat = r["latency_ms"]
        ok = "" if r["target"] == "hello" else (
            f"{r['created']} / {r['rows']}" + ("" if r["durable_ok"] else " **FAILED**"))
        print(f"| {r['target']} | {r['workers']} | {r['connections']} | {r['created_per_s']:,.0f} | "
              f"{lat['p50']:.2f} | {lat['p75']:.2f} | {lat['p90']:.2f} | {lat['p99']:.2f} | "
              f"{r.get('ratio_to_hello', '')} | {r['server_cpu_pct']:.0f}% ({r['server_cpu_ms_per_request']:.2f}) | "
              f"{100 * r['wrk_cpu_s'] / r['seconds']:.0f}% | {r['others_cpu_pct']:.0f}% | {ok} |")
    crash = results.get("crash_check")
    if crash:
        print(f"\ncrash check (SIGKILL after {crash['killed_after_s']:g} s at {crash['connections']} connections): "
              f"{crash['acknowledged']} acknowledged, {crash['rows']} rows, lost {crash['lost']}")


if __name__ == "__main__":
    sys.exit(main())
