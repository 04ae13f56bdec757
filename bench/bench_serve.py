"""Benchmark ``portal serve``: seconds from saving an edited notice to the page showing it.

    .venv/bin/python bench/bench_serve.py                       # a street community, 356 pages (zh+en)
    .venv/bin/python bench/bench_serve.py --project .           # the demo at the repository root
    .venv/bin/python bench/bench_serve.py --edits 5 --years 10

The project is copied to a temporary folder (the demo's files are never touched).
Two servers, one after the other, in the same run:

(a) **portal**: ``portal serve`` on the copy; a notice's title is changed and the
    notice page is fetched every 50 ms until it shows the new title (each edit
    waits for the previous one to be served);
(c) with ``--before DIR``: (a) again first, with the code of another checkout (e.g.
    main before a change), on the same copy;
(b) **baseline**: mkdocs' own ``serve`` (the same dirty-rebuild mode ``portal serve``
    uses) on the Markdown and configuration ``portal serve`` left behind, without
    its serve-only hook (``generator.site.serve_hooks``): the Markdown page of the
    same notice is edited and polled the same way.

The ratio (a)/(b) is what the portal adds to mkdocs' own live preview; the issue's
goal is (a) ≤ 2 s. Results: ``bench/results/serve-<date>.json`` and a line each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable

import yaml

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
from generator.site.mkdocs_hooks import GENERATED_LIST  # noqa: E402

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}
POLL_S = 0.05


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8", "replace"))
    except OSError:
        return ""


def wait_for(test: Callable[[], bool], timeout: float) -> float:
    """Seconds until ``test()`` held (polled every ``POLL_S``); raises on timeout."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if test():
            return time.perf_counter() - start
        time.sleep(POLL_S)
    raise TimeoutError(f"not seen within {timeout} s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (``/proc``): unlike wall time,
    it does not grow when other work shares the cores."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def edits(path: Path, url: str, n: int, edit: Callable[[str, str], str], settle: float,
          pid: int) -> tuple[list[float], list[float]]:
    """Edit ``path`` ``n`` times (each a new marker), timing until ``url`` shows it:
    wall seconds, and the server's CPU seconds over the same span."""
    seconds, cpu = [], []
    for i in range(n):
        marker = f"BENCHMARK-EDIT-{os.getpid()}-{i}-{time.time_ns()}"
        text = path.read_text(encoding="utf-8")
        before = cpu_seconds(pid)
        path.write_text(edit(text, marker), encoding="utf-8")
        seconds.append(wait_for(lambda m=marker: m in fetch(url), timeout=120))  # type: ignore[misc]
        cpu.append(cpu_seconds(pid) - before)
        time.sleep(settle)  # let the server finish its reload before the next edit
    return seconds, cpu


def retitle(text: str, marker: str) -> str:
    """A notice file with its title (both languages) replaced by ``marker``."""
    data = yaml.safe_load(text)
    data["title"] = {"zh": marker, "en": marker} if isinstance(data["title"], dict) else marker
    return str(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def project(args: argparse.Namespace, tmp: Path) -> Path:
    if args.project:  # what a project is made of (the repository root also holds the portal itself)
        copy = tmp / "project"
        copy.mkdir()
        for name in ("data", "content", "mkdocs.yml"):
            source = args.project / name
            if source.is_dir():
                shutil.copytree(source, copy / name)
            elif source.is_file():
                shutil.copy(source, copy / name)
        return copy
    subprocess.run([sys.executable, str(BENCH / "make_street.py"), str(tmp / "street"), "--communities", "1",
                    "--years", str(args.years)], check=True, env=ENV, stdout=subprocess.DEVNULL)
    return next((tmp / "street" / "communities").iterdir())


def run(cmd: list[str], log: Path, code: Path = ROOT) -> subprocess.Popen[bytes]:
    """``cmd`` started in ``code`` (``python -m generator`` imports the generator found there)."""
    with log.open("wb") as out:
        return subprocess.Popen(cmd, cwd=code, env=ENV, stdout=out, stderr=subprocess.STDOUT)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, help="a community project (default: a generated one)")
    parser.add_argument("--years", type=int, default=10, help="years of the generated community")
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--settle", type=float, default=1.0, help="seconds between edits")
    parser.add_argument("--before", type=Path, help="also run portal serve from this checkout (e.g. /work/main)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as name:
        tmp = Path(name)
        root = project(args, tmp)
        notice = sorted((root / "data" / "notices").glob("*.yaml"))[-1]
        url = ""

        def portal_serve(code: Path, log: str) -> tuple[float, list[float], list[float]]:
            nonlocal url
            shutil.rmtree(root / ".portal-build", ignore_errors=True)
            port = free_port()
            url = f"http://127.0.0.1:{port}/notices/{notice.stem}/"
            started = time.perf_counter()
            proc = run([sys.executable, "-m", "generator", "serve", str(root), "--port", str(port),
                        "--endpoint-port", "0"], tmp / log, code)
            try:
                wait_for(lambda: "</html>" in fetch(url), timeout=300)
                start_s = time.perf_counter() - started
                time.sleep(args.settle)
                return (start_s, *edits(notice, url, args.edits, retitle, args.settle, proc.pid))
            finally:
                stop(proc)

        before: tuple[float, list[float], list[float]] | None = None
        if args.before:  # (c) the same with another checkout's code, e.g. main before a change
            before = portal_serve(args.before.resolve(), "before-serve.log")
        start_s, portal, portal_cpu = portal_serve(ROOT, "portal-serve.log")
        pages = sum(1 for _ in (root / ".portal-build").glob("serve-*/docs/**/*.md"))
        # (b) mkdocs alone on what portal serve left: the same Markdown and configuration.
        work = next((root / ".portal-build").glob("serve-*"))
        bare = tmp / "bare"
        shutil.copytree(work / "docs", bare / "docs")
        config = yaml.safe_load((work / "mkdocs.yml").read_text(encoding="utf-8"))
        config["docs_dir"], config["site_dir"] = str(bare / "docs"), str(bare / "site")
        # mkdocs' own serve: without the hook that makes portal serve's rebuilds cheaper
        config["hooks"] = [h for h in config["hooks"] if not h.endswith("serve_hooks.py")]
        (bare / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        if (work / GENERATED_LIST).exists():  # the portal's hook sanitizes the pages it does not list
            shutil.copy(work / GENERATED_LIST, bare / GENERATED_LIST)
        page = bare / "docs" / "notices" / f"{notice.stem}.md"
        port = free_port()
        url = f"http://127.0.0.1:{port}/notices/{notice.stem}/"
        proc = run([sys.executable, "-m", "mkdocs", "serve", "-f", str(bare / "mkdocs.yml"), "--dirty",
                    "-a", f"127.0.0.1:{port}"], tmp / "mkdocs-serve.log")
        try:
            wait_for(lambda: "</html>" in fetch(url), timeout=300)
            time.sleep(args.settle)
            baseline, baseline_cpu = edits(page, url, args.edits,
                                           lambda text, marker: text.replace("\n\n", f"\n\n{marker}\n\n", 1),
                                           args.settle, proc.pid)
        finally:
            stop(proc)
    result: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "project": str(args.project or f"make_street 1 × {args.years} years"),
        "pages_one_language": pages, "start_s": round(start_s, 2),
        "portal_s": [round(s, 2) for s in portal], "mkdocs_s": [round(s, 2) for s in baseline],
        "portal_median_s": round(statistics.median(portal), 2),
        "mkdocs_median_s": round(statistics.median(baseline), 2),
        "portal_cpu_s": [round(s, 2) for s in portal_cpu], "mkdocs_cpu_s": [round(s, 2) for s in baseline_cpu],
        "load_average": os.getloadavg()[0],
    }
    result["ratio"] = round(result["portal_median_s"] / result["mkdocs_median_s"], 2)
    result["cpu_ratio"] = round(statistics.median(portal_cpu) / statistics.median(baseline_cpu), 2)
    if before is not None:
        result["before"] = {"code": str(args.before), "start_s": round(before[0], 2),
                            "portal_s": [round(s, 2) for s in before[1]], "portal_cpu_s": [round(s, 2) for s in before[2]],
                            "portal_median_s": round(statistics.median(before[1]), 2),
                            "cpu_median_s": round(statistics.median(before[2]), 2)}
    out = BENCH / "results" / f"serve-{dt.date.today().isoformat()}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
