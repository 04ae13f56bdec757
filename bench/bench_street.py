"""Benchmark a whole street (issue #20): 30 communities × 10 years, ≥ 10,000 pages (zh+en).

    .venv/bin/python bench/bench_street.py                        # 30 × 10, every step below
    .venv/bin/python bench/bench_street.py --communities 2 --years 1 --words 5   # smoke run, a few minutes
    .venv/bin/python bench/bench_street.py --street               # `portal build STREET` (once it exists)
    .venv/bin/python bench/bench_street.py --only check,search    # some steps only

The street comes from ``bench/make_street.py`` (reused under ``bench/scale-data/``
while its marker matches). Steps, each in a fresh process tree under a small
wrapper that samples the tree's memory (``/proc``, every 50 ms):

(a) **bare**: ``mkdocs build`` (mkdocs-material) of the Markdown and configuration
    the portal build left in each community's ``.portal-build/<lang>/``, zh and en
    started together (as ``bench/bench_build.py`` does);
(b) **build**: ``portal build`` from cold (``.portal-build/`` and ``site/`` removed);
(c) **no-op rebuild**: ``portal build`` again, nothing changed;
(d) **one notice edited**: one notice's text changed, then ``portal build``;
(e) **peak memory**: the largest sum of RSS over the tree seen by the sampler, and
    the sum over its processes of their high-water marks (``VmHWM``, an upper bound);
(f) **check**: ``portal check`` cold (check cache removed) and warm after one
    meeting file was edited;
(g) **first search query**: for the 50 commonest words of the zh pages (and of the
    en pages), Chromium (Playwright, ``/usr/bin/chromium``) opens the search page
    in a fresh context, types the word, waits for results and sums the bytes of
    every Pagefind response (its index files are compressed by Pagefind itself,
    so these are the bytes a phone fetches; counted at the test server, which
    also sees the requests of Pagefind's worker) and of the street's index (its
    JSON as stored: a host that compresses JSON sends less). With ``--street``,
    three ways: one community's own search page, the street's search page
    (``/search/``: the street's own index, ``generator.street.search_index``), and, to
    compare, one Pagefind index over the whole street site (built here into
    ``site/_bench_one_index/``, its indexing time reported; never published).

By default every community is built on its own (``portal build communities/<id>``)
and (b)–(f) are summed over them; ``--street`` runs ``portal build STREET`` instead,
which needs ``street.yaml`` support in ``generator.cli`` (detected; the script says
when it is missing). Results: ``bench/results/street-<date>.json`` and a table.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import functools
import http.server
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(BENCH))
SAMPLE_S = 0.05
QUIET_ENV = {"NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
STEPS = ("build", "bare", "noop", "edit", "check", "search")


# --- the wrapper: one process tree, its time and memory ---------------------------------

def _tree(pid: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as f:
                    stat = f.read()
                kids.setdefault(int(stat[stat.rindex(b")") + 2:].split(None, 2)[1]), []).append(int(entry.name))
            except (OSError, ValueError):
                continue
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += kids.get(p, [])
    return found


def _status_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of ``pid`` in KiB (0, 0 once it is gone)."""
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except OSError:
        pass
    return rss, hwm


def wrap(cmd: list[str]) -> None:
    """Run ``cmd``; print one JSON line: wall, CPU (the tree's), peak memory, output tail."""
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_tree, hwm_by_pid = 0, {}  # type: ignore[var-annotated]
    out_chunks: list[str] = []
    err_chunks: list[str] = []
    readers = [threading.Thread(target=lambda s=s, c=c: c.append(s.read() if s else ""))  # type: ignore[misc]
               for s, c in ((proc.stdout, out_chunks), (proc.stderr, err_chunks))]
    for reader in readers:  # both pipes drained while it runs: a full one would stall it
        reader.start()
    while proc.poll() is None:
        total = 0
        for pid in _tree(proc.pid):
            rss, hwm = _status_kb(pid)
            total += rss
            hwm_by_pid[pid] = max(hwm_by_pid.get(pid, 0), hwm)
        peak_tree = max(peak_tree, total)
        time.sleep(SAMPLE_S)
    wall = time.perf_counter() - t0
    for reader in readers:
        reader.join()
    err = "".join(err_chunks)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "rc": proc.returncode, "wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_tree_mb": peak_tree / 1024, "hwm_sum_mb": sum(hwm_by_pid.values()) / 1024,
        "max_proc_mb": usage.ru_maxrss / 1024, "loadavg_before": load,
        "stdout_tail": "".join(out_chunks)[-1500:], "stderr_tail": err[-3000:],
    }))


def measure(cmd: list[str], check: bool = True) -> dict[str, Any]:
    env = {**os.environ, **QUIET_ENV}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "_wrap", "--", *cmd],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0 or not proc.stdout.strip():
        raise SystemExit(f"wrapper failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    if check and result["rc"] != 0:
        raise SystemExit(f"{' '.join(cmd)} failed (exit {result['rc']}):\n{result['stdout_tail']}\n"
                         f"{result['stderr_tail']}")
    return result


def portal(*args: str) -> list[str]:
    return [sys.executable, "-m", "generator", *args]


def bare_cmd(project: Path, dest: Path) -> list[str]:
    """zh and en mkdocs builds started together, as one tree (a shell waits for both)."""
    configs = sorted((project / ".portal-build").glob("*/mkdocs.yml"))
    mkdocs = str(BIN / "mkdocs")
    script = " & ".join(f"'{mkdocs}' build -q -f '{c}' -d '{dest / c.parent.name}'" for c in configs)
    return ["sh", "-c", f"{script} & wait"]


def total(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Runs one after the other (one per community): times add up, memory is the largest."""
    return {"wall_s": sum(r["wall_s"] for r in runs), "cpu_s": sum(r["cpu_s"] for r in runs),
            "peak_tree_mb": max(r["peak_tree_mb"] for r in runs), "hwm_sum_mb": max(r["hwm_sum_mb"] for r in runs),
            "max_proc_mb": max(r["max_proc_mb"] for r in runs), "runs": len(runs),
            "loadavg_max": max(r["loadavg_before"] for r in runs)}


# --- the street --------------------------------------------------------------------------

def street_supported() -> bool:
    """Whether ``portal build`` takes a street (``street.yaml``) yet."""
    try:
        source = (ROOT / "generator" / "cli.py").read_text(encoding="utf-8")
    except OSError:
        return False
    return "street.yaml" in source or "STREET_FILE" in source


def ensure_street(args: argparse.Namespace) -> tuple[Path, dict[str, Any]]:
    from make_street import VERSION, make_street, read_marker

    out = args.data_dir / f"street-c{args.communities}-y{args.years}-s{args.seed}"
    marker = read_marker(out)
    want = {"version": VERSION, "communities": args.communities, "years": args.years, "seed": args.seed}
    if args.regenerate or not marker or any(marker.get(k) != v for k, v in want.items()):
        marker = make_street(out, args.communities, args.years, args.seed, force=True)
    return out, marker


def communities(street: Path) -> list[Path]:
    return sorted(p for p in (street / "communities").iterdir() if (p / "data").is_dir())


def edit_first(folder: Path, old: str, new: str) -> Path:
    """Change the first file of ``folder`` whose text holds ``old`` (a real edit, not a touch)."""
    for path in sorted(folder.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if old in text:
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
            return path
    raise SystemExit(f"nothing to edit in {folder}")


def count_pages(site: Path) -> dict[str, int]:
    html = [p for p in site.rglob("index.html") if "/assets/" not in p.as_posix()]
    en = sum(1 for p in html if "en" in p.relative_to(site).parts[:2])  # /en/… or, in a street, /<id>/en/…
    return {"html_pages": len(html), "en": en, "zh": len(html) - en}


# --- search ------------------------------------------------------------------------------

def common_words(site: Path, lang: str, count: int) -> list[str]:
    """The ``count`` words found on the most pages (document frequency) of ``lang``:
    jieba words of 2–4 Han characters for zh, words of 4+ letters for en."""
    from bs4 import BeautifulSoup

    frequency: collections.Counter[str] = collections.Counter()
    base = site / "en" if lang == "en" else site
    pages = [p for p in base.rglob("index.html") if lang == "en" or p.relative_to(site).parts[:1] != ("en",)]
    if lang == "zh":
        import jieba

        jieba.setLogLevel(60)
    for path in pages[:: max(1, len(pages) // 400)]:  # a sample of at most ~400 pages
        article = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").select_one("article")
        if article is None:
            continue
        text = article.get_text(" ")
        if lang == "zh":
            words = {w for w in jieba.cut(text) if 2 <= len(w) <= 4 and re.fullmatch(r"[\u4e00-\u9fff]+", w)}
        else:
            words = {w.lower() for w in re.findall(r"\b[A-Za-z]{4,}\b", text)}
        frequency.update(words)
    return [w for w, _ in frequency.most_common(count)]


def first_queries(site: Path, words: dict[str, list[str]],
                  prefix: str = "") -> dict[str, dict[str, tuple[list[tuple[str, int]], int]]]:
    """Per language and word: the files (path, bytes sent) fetched under ``/pagefind/`` (and the
    street's ``/search-index/``) by the
    first query on the search page under ``prefix`` (``""``: the site's own; ``"<id>/"``: a
    community's in a street), each in a fresh browser context, and how many results it showed."""
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    out: dict[str, dict[str, tuple[list[tuple[str, int]], int]]] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for lang, wordlist in words.items():
                out[lang] = {}
                for word in wordlist:
                    ctx = browser.new_context(locale="zh-CN")
                    try:
                        page = ctx.new_page()
                        _QuietHandler.served.clear()
                        page.goto(url + prefix + ("en/" if lang == "en" else "") + "search/",
                                  wait_until="networkidle")
                        page.locator("#search-q").fill(word)
                        page.keyboard.press("Enter")
                        try:
                            page.wait_for_function(
                                "() => document.querySelectorAll('.search-results a').length > 0", timeout=20000)
                            found = page.locator(".search-results a").count()
                        except Exception:  # noqa: BLE001 - no results is a result
                            found = 0
                        page.wait_for_load_state("networkidle")
                        out[lang][word] = ([(path, n) for path, n in list(_QuietHandler.served)
                                            if "/pagefind/" in path or "/search-index/" in path], found)
                    finally:
                        ctx.close()
            browser.close()
    finally:
        server.shutdown()
    return out


def first_query_bytes(site: Path, words: dict[str, list[str]], prefix: str = "") -> dict[str, Any]:
    """Per language: bytes of Pagefind files fetched by the first query of each word
    (``first_queries``), with their median, maximum and minimum."""
    out: dict[str, Any] = {}
    for lang, queries in first_queries(site, words, prefix).items():
        per_word = {word: {"bytes": sum(n for _, n in fetched), "requests": len(fetched), "results_shown": found}
                    for word, (fetched, found) in queries.items()}
        sizes = [v["bytes"] for v in per_word.values()]
        out[lang] = {"words": per_word, "median_bytes": statistics.median(sizes) if sizes else 0,
                     "max_bytes": max(sizes, default=0), "min_bytes": min(sizes, default=0),
                     "no_results": [w for w, v in per_word.items() if not v["results_shown"]]}
    return out


ONE_INDEX = "_bench_one_index"


def one_street_index(site: Path, first: str) -> dict[str, Any]:
    """For comparison with the street search (each community's index merged at query time):
    one Pagefind index over every page of the street site, as a street build would have to
    redo after any edit. Its search pages are the first community's, pointed at that index."""
    sys.path.insert(0, str(ROOT))
    from generator.site.search import PAGEFIND_ARGS, find_pagefind

    command = find_pagefind(ROOT)
    if command is None:
        raise SystemExit("pagefind not found (npm install)")
    out = site / ONE_INDEX
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    done = subprocess.run([command, "--site", str(site), "--output-path", str(out / "pagefind"), *PAGEFIND_ARGS],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"pagefind failed: {done.stderr}")
    for lang_dir in ("", "en/"):
        page = (site / first / lang_dir / "search" / "index.html").read_text(encoding="utf-8")
        page = re.sub(r'data-pagefind(-zh)?="[^"]*"', f'data-pagefind\\1="/{ONE_INDEX}/pagefind/pagefind.js"', page)
        page = page.replace('src="../assets/', f'src="/{first}assets/').replace('src="../../assets/', f'src="/{first}assets/')
        target = out / lang_dir / "search" / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
    size = sum(p.stat().st_size for p in (out / "pagefind").rglob("*") if p.is_file())
    return {"seconds": seconds, "index_bytes": size}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site and counts the bytes of each file sent: what the browser's
    dedicated worker (Pagefind runs in one) fetches is seen here, whatever the page sees."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm"}
    served: list[tuple[str, int]] = []

    def copyfile(self, source: Any, outputfile: Any) -> None:
        data = source.read()
        outputfile.write(data)
        _QuietHandler.served.append((self.path, len(data)))

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


# --- main --------------------------------------------------------------------------------

def run(args: argparse.Namespace) -> dict[str, Any]:
    street, marker = ensure_street(args)
    members = communities(street)
    print(f"street: {street} ({len(members)} communities × {args.years} years, "
          f"estimate {marker.get('pages_estimate')} pages)", flush=True)
    results: dict[str, Any] = {"street": str(street), "data": marker, "mode": "street" if args.street else
                               "per-community"}
    use_street = args.street
    if use_street and not street_supported():
        print("note: portal build does not take a street yet (no street.yaml in generator.cli): "
              "building each community instead", flush=True)
        use_street = False
        results["mode"] = "per-community (street build not available)"
    steps = set(args.only.split(",")) if args.only else set(STEPS)

    def builds(label: str) -> dict[str, Any]:
        if use_street:
            r = measure(portal("build", str(street)))
            print(f"  {label}: {r['wall_s']:.1f} s wall, {r['cpu_s']:.1f} s CPU, peak {r['peak_tree_mb']:.0f} MB",
                  flush=True)
            return total([r])
        runs = [measure(portal("build", str(m))) for m in members]
        t = total(runs)
        print(f"  {label}: {t['wall_s']:.1f} s wall, {t['cpu_s']:.1f} s CPU over {len(runs)} builds, "
              f"peak {t['peak_tree_mb']:.0f} MB", flush=True)
        return t

    if "build" in steps or "bare" in steps or "search" in steps:
        for m in [street, *members]:
            shutil.rmtree(m / ".portal-build", ignore_errors=True)
            shutil.rmtree(m / "site", ignore_errors=True)
        # the theme probe's store and the compiled templates (generator.site.compiled) are shared by
        # every project of the user: a cold build starts without them
        from generator.loading.cache import user_store
        from generator.site.compiled import RECORDS

        shutil.rmtree(user_store("theme-probe"), ignore_errors=True)
        for record in RECORDS:
            user_store(record).unlink(missing_ok=True)
        results["build"] = builds("(b) portal build, cold")
        sites = [street / "site"] if use_street else [m / "site" for m in members]
        pages = [count_pages(s) for s in sites if s.is_dir()]
        results["pages"] = {k: sum(p[k] for p in pages) for k in ("html_pages", "zh", "en")}
        print(f"  pages built: {results['pages']}", flush=True)
    if "bare" in steps:
        dest = args.data_dir / "street-bare-out"
        runs = []
        for m in members:
            shutil.rmtree(dest, ignore_errors=True)
            runs.append(measure(bare_cmd(m, dest)))
        shutil.rmtree(dest, ignore_errors=True)
        results["bare"] = total(runs)
        print(f"  (a) bare mkdocs-material: {results['bare']['wall_s']:.1f} s wall, "
              f"{results['bare']['cpu_s']:.1f} s CPU", flush=True)
    if "noop" in steps:
        results["noop"] = builds("(c) no-op rebuild")
    if "edit" in steps:
        edited = edit_first(members[0] / "data" / "notices", "公示期14天", "公示期15天")
        results["edit"] = builds(f"(d) rebuild after editing {edited.relative_to(street)}") if use_street else \
            total([measure(portal("build", str(members[0])))])
        if not use_street:
            print(f"  (d) rebuild of {members[0].name} after editing {edited.name}: "
                  f"{results['edit']['wall_s']:.1f} s wall, {results['edit']['cpu_s']:.1f} s CPU", flush=True)
        edited.write_text(edited.read_text(encoding="utf-8").replace("公示期15天", "公示期14天", 1), encoding="utf-8")
    if "check" in steps:
        for m in members:
            shutil.rmtree(m / ".portal-build" / "cache", ignore_errors=True)
        cold = total([measure(portal("check", str(m))) for m in members])
        edited = edit_first(members[0] / "data" / "meetings", "符合议事规则", "符合议事规则。")
        warm_one = measure(portal("check", str(members[0])))
        warm = total([measure(portal("check", str(m))) for m in members[1:]] + [warm_one])
        edited.write_text(edited.read_text(encoding="utf-8").replace("符合议事规则。", "符合议事规则", 1),
                          encoding="utf-8")
        results["check"] = {"cold": cold, "warm_edited_community": warm_one, "warm_all": warm}
        print(f"  (f) portal check: cold {cold['wall_s']:.1f} s wall / {cold['cpu_s']:.1f} s CPU in all; "
              f"after one edit: that community {warm_one['wall_s']:.2f} s wall / {warm_one['cpu_s']:.2f} s CPU, "
              f"all {warm['wall_s']:.1f} s wall / {warm['cpu_s']:.1f} s CPU", flush=True)
    if "search" in steps:
        site = street / "site" if use_street else members[0] / "site"
        first = f"{members[0].name}/" if use_street else ""
        words = {lang: common_words(site / first, lang, args.words) for lang in ("zh", "en")}
        ways = {"community": first}
        if use_street and (site / "search" / "index.html").is_file():
            ways["street"] = ""
            results["search_one_index"] = one_street_index(site, first)
            ways["one-index"] = f"{ONE_INDEX}/"
            print(f"  (g) one index over the whole street (for comparison): pagefind "
                  f"{results['search_one_index']['seconds']:.1f} s", flush=True)
        for way, prefix in ways.items():
            key = "search" if way == "community" else f"search_{way.replace('-', '_')}"
            results[key] = {"site": str(site), "page": prefix + "search/", **first_query_bytes(site, words, prefix)}
            for lang in ("zh", "en"):
                s = results[key][lang]
                print(f"  (g) first query, {way} search, {lang}, {len(words[lang])} commonest words: "
                      f"median {s['median_bytes'] / 1024:.0f} KB, max {s['max_bytes'] / 1024:.0f} KB, "
                      f"no results for {len(s['no_results'])}", flush=True)
        shutil.rmtree(site / ONE_INDEX, ignore_errors=True)
    memory = [results[k] for k in ("build", "noop", "edit", "bare") if k in results]
    if memory:
        results["peak_memory"] = {"peak_tree_mb": max(m["peak_tree_mb"] for m in memory),
                                  "hwm_sum_mb": max(m["hwm_sum_mb"] for m in memory),
                                  "max_proc_mb": max(m["max_proc_mb"] for m in memory)}
        print(f"  (e) peak memory: tree {results['peak_memory']['peak_tree_mb']:.0f} MB "
              f"(sum of VmHWM ≤ {results['peak_memory']['hwm_sum_mb']:.0f} MB), "
              f"largest process {results['peak_memory']['max_proc_mb']:.0f} MB", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_wrap"]:
        wrap(argv[2:] if argv[1:2] == ["--"] else argv[1:])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--communities", type=int, default=30)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--words", type=int, default=50, help="commonest words per language for (g) (default 50)")
    ap.add_argument("--street", action="store_true", help="portal build STREET instead of each community")
    ap.add_argument("--only", help=f"comma-separated steps of {','.join(STEPS)} (default all)")
    ap.add_argument("--data-dir", type=Path, default=BENCH / "scale-data")
    ap.add_argument("--regenerate", action="store_true")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    results = run(args)
    results.update(date=dt.datetime.now().isoformat(timespec="seconds"), seconds=time.perf_counter() - t0,
                   params={k: str(v) for k, v in vars(args).items()}, cores=os.cpu_count(),
                   loadavg_end=os.getloadavg())
    out = args.json or BENCH / "results" / f"street-{dt.date.today().isoformat()}"\
        f"{'' if (args.communities, args.years) == (30, 10) else f'-{args.communities}x{args.years}'}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
