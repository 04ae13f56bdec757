"""Lighthouse (npm ``lighthouse@12``, mobile preset) on one page of every type of
the demo community, served with gzip as a static host serves it.

    .venv/bin/python bench/bench_lighthouse.py            # build the demo, run, write bench/results/
    .venv/bin/python bench/bench_lighthouse.py --runs 3   # median of 3 runs per page
    .venv/bin/python bench/bench_lighthouse.py --pages home,notice --no-write

Steps: copies ``data/``, ``content/`` and ``mkdocs.yml`` to a temporary folder
and builds them (``generator.build.build``, as ``portal build`` does) for the
local addresses below; serves the site with the small gzip server of this file
and starts the form endpoint (``portal endpoint``), so forms pages fetch their
token as in production; runs Lighthouse with Debian's Chromium
(``CHROME_PATH=/usr/bin/chromium``, ``--headless --no-sandbox --disable-gpu``)
on each page; prints a Markdown table and writes it with the raw numbers to
``bench/results/lighthouse-<date>.json``.

Columns: the four category scores (0–100), bytes transferred on a cold load
(``total-byte-weight``: compressed sizes as sent, all requests the page makes
until the network is idle, search index included), requests, and requests to
any host other than the site's and the endpoint's (must stay 0).

Why a Python server and not nginx: it needs no root, no config file and no free
port 80, runs the same on every machine and in CI, and compresses as nginx with
``gzip on; gzip_comp_level 6`` does for the same text types; what Lighthouse
measures is the bytes, which are the same. (STACK-NOTES: ``python3 -m
http.server`` does not compress, so its byte counts are 3–5× too high.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gzip
import io
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
LIGHTHOUSE = REPO / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
#: Page label → (language, page type as in tests/site_fixtures.page_type); the first page of that type.
PAGES = {
    "home": ("zh", "home"), "home (en)": ("en", "home"), "notice": ("zh", "notices/*"),
    "meeting": ("zh", "meetings/*"), "rule": ("zh", "rules/*"), "budget year": ("zh", "budgets/*"),
    "service": ("zh", "services/*"), "form": ("zh", "forms/*"), "requests": ("zh", "requests/"),
    "data": ("zh", "data/"), "notice (en)": ("en", "notices/*"),
}
COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".csv", ".webmanifest", ".map")


class GzipHandler(SimpleHTTPRequestHandler):
    """Static files; text types gzipped (level 6) when the client accepts gzip."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def send_head(self):  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()  # the stdlib's redirect to the folder
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.is_file() and path.suffix in COMPRESSIBLE):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        return io.BytesIO(body)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def page_type(rel: str) -> str:
    sys.path.insert(0, str(REPO / "tests"))
    from site_fixtures import page_type as kind  # the tests' own definition of page types

    return kind(rel)


def pick_pages(out: Path, wanted: list[str]) -> dict[str, str]:
    """Label → relative path of the page (``notices/x/index.html``)."""
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("index.html"))
    chosen = {}
    for label in wanted:
        lang, kind = PAGES[label]
        match = [rel for rel in files if page_type(rel) == kind and rel.startswith("en/") == (lang == "en")]
        if match:
            chosen[label] = match[0]
    return chosen


def run_lighthouse(url: str, out_json: Path) -> dict:
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    cmd = ["node", str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out_json}",
           "--only-categories=" + ",".join(CATEGORIES),
           "--chrome-flags=--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
           "--disable-background-networking --disable-component-update --disable-sync"]
    subprocess.run(cmd, env=env, check=True, timeout=300, stdout=subprocess.DEVNULL)
    return json.loads(out_json.read_text(encoding="utf-8"))


def summarize(report: dict, own_hosts: set[str]) -> dict:
    requests = report["audits"]["network-requests"]["details"]["items"]
    third = [r["url"] for r in requests
             if urlsplit(r["url"]).scheme in ("http", "https") and urlsplit(r["url"]).netloc not in own_hosts]
    failed = {}  # audits that cost points outside performance: what to fix for 100
    for c in CATEGORIES[1:]:
        for ref in report["categories"][c]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref.get("weight") and audit.get("score") is not None and audit["score"] < 1:
                failed[ref["id"]] = f"{c}: {audit['title']}"
    return {
        "scores": {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES},
        "bytes": int(report["audits"]["total-byte-weight"]["numericValue"]),
        "requests": len(requests),
        "third_party_requests": len(third),
        "third_party_urls": third,
        "fcp_ms": round(report["audits"]["first-contentful-paint"]["numericValue"]),
        "lcp_ms": round(report["audits"]["largest-contentful-paint"]["numericValue"]),
        "tbt_ms": round(report["audits"]["total-blocking-time"]["numericValue"]),
        "cls": round(report["audits"]["cumulative-layout-shift"]["numericValue"], 3),
        "failed_audits": failed,
    }


def table(rows: dict[str, dict]) -> str:
    lines = ["| page | perf | a11y | best practices | SEO | bytes on a cold load | requests | third-party |",
             "|---|---|---|---|---|---|---|---|"]
    for label, r in rows.items():
        s = r["scores"]
        lines.append(f"| {label} (`{r['path']}`) | {s['performance']} | {s['accessibility']} | {s['best-practices']} "
                     f"| {s['seo']} | {r['bytes'] / 1024:.0f} KB | {r['requests']} | {r['third_party_requests']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", default=",".join(PAGES), help="comma-separated labels: " + ", ".join(PAGES))
    ap.add_argument("--runs", type=int, default=1, help="runs per page; the median run (by performance) is kept")
    ap.add_argument("--no-write", action="store_true", help="print only")
    args = ap.parse_args(argv)
    assert LIGHTHOUSE.is_file(), "node_modules/lighthouse missing: run scripts/setup --test"
    sys.path.insert(0, str(REPO))
    from generator.build import build

    with tempfile.TemporaryDirectory(prefix="bench-lighthouse-") as tmp:
        base = Path(tmp)
        root = base / "demo"
        root.mkdir()
        for name in ("data", "content"):
            if (REPO / name).is_dir():
                shutil.copytree(REPO / name, root / name)
        shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
        out = base / "site"
        out.mkdir()
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(GzipHandler, directory=str(out)))
        httpd.daemon_threads = True
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        site_url = f"http://127.0.0.1:{httpd.server_address[1]}/"
        ep_port = free_port()
        os.environ.setdefault("PORTAL_SECRET", "bench-lighthouse-not-secret")
        t0 = time.monotonic()
        build(root, out, site_url=site_url, endpoint_url=f"http://127.0.0.1:{ep_port}")
        print(f"built the demo in {time.monotonic() - t0:.1f} s → {site_url}", file=sys.stderr)
        endpoint = subprocess.Popen(
            [sys.executable, "-m", "generator", "endpoint", "--site", str(out), "--db",
             f"sqlite:///{base / 'submissions.db'}", "--port", str(ep_port), "--site-url", site_url],
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", ep_port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.2)
            own = {urlsplit(site_url).netloc, f"127.0.0.1:{ep_port}"}
            rows: dict[str, dict] = {}
            for label, rel in pick_pages(out, [p.strip() for p in args.pages.split(",") if p.strip()]).items():
                url = site_url + rel.removesuffix("index.html")
                runs = []
                for i in range(args.runs):
                    runs.append(summarize(run_lighthouse(url, base / f"lh-{i}.json"), own))
                runs.sort(key=lambda r: r["scores"]["performance"])
                row = {"path": "/" + rel.removesuffix("index.html"), **runs[len(runs) // 2]}
                if args.runs > 1:
                    row["performance_runs"] = [r["scores"]["performance"] for r in runs]
                    row["bytes_median"] = statistics.median(r["bytes"] for r in runs)
                rows[label] = row
                print(f"{label}: {row['scores']} {row['bytes'] / 1024:.0f} KB", file=sys.stderr)
        finally:
            endpoint.terminate()
            endpoint.wait(10)
            httpd.shutdown()
            httpd.server_close()
    md = table(rows)
    print(md)
    if not args.no_write:
        version = json.loads((LIGHTHOUSE.parent.parent / "package.json").read_text())["version"]
        chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                                text=True).stdout.strip()
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"lighthouse-{dt.date.today().isoformat()}.json"
        path.write_text(json.dumps({
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "commit": commit,
            "lighthouse": version, "chromium": chromium, "preset": "mobile (Lighthouse default)",
            "server": "bench_lighthouse.GzipHandler (gzip level 6 on text types)", "runs_per_page": args.runs,
            "pages": rows, "table": md}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"\nwritten: {path.relative_to(REPO)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
