"""Benchmark ``portal build`` against a bare mkdocs-material build of the same Markdown.

    .venv/bin/python bench/bench_build.py                 # ≈100, 1,000 and 5,000 pages
    .venv/bin/python bench/bench_build.py --quick         # ≈100 pages only (smoke run)
    .venv/bin/python bench/bench_build.py --sizes 1000 --repeat 3 --profile

For each size (pages in total, both languages) it generates, or reuses, a valid
synthetic project under ``bench/scale-data/build-<size>/`` with
``bench/make_scale_data.py`` (mostly one page per meeting and language, so the
meeting count is chosen to give the wanted number of pages; budget lines grow
with the meetings, ``--lines-per-meeting``), then measures, each in a fresh
process tree started through a small wrapper:

(a) ``portal``: the full build, ``generator.build.build(project)`` (what
    ``portal build`` calls; the CLI adds only messages), from a cold state:
    ``.portal-build/`` and ``site/`` are removed first. The breakdown comes
    from ``BuildResult.seconds`` (check, render, mkdocs, total); extras = total
    − check − render − mkdocs (feeds, downloads, Open311, forms spec, swap).
    The generator's own share is (check + render + extras) / total.
(b) ``bare``: mkdocs-material alone on the *same* Markdown and configuration
    that (a) left behind, ``mkdocs build -f .portal-build/<lang>/mkdocs.yml``
    for every language, started together in parallel (as ``portal build`` runs
    them), output to a scratch folder.
(c) ``noprune`` (only sizes ≤ ``--noprune-max``, default 1,000 pages): as (b)
    with ``navigation.prune`` removed from ``theme.features``.

Wall time is the wrapper's, from starting the process tree to its end
(interpreter start-up and imports included). Memory: the wrapper samples the
resident set size of the whole process tree from ``/proc`` every 50 ms
(``peak tree``: the sum over the processes alive at once; psutil is not a
dependency) and reads ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``
after the tree ended (``max proc``: the largest single process). CPU is the
tree's user + system time from the same getrusage call.

Reported per size: pages, wall time, ms/page, the ratio portal/bare, the
generator's share, peak memory and the search index size (``site/search/
search_index.json`` and ``site/en/search/search_index.json``, raw and gzip -6).
Linearity: ms/page at the largest size against the smallest, and the marginal
cost per page between consecutive sizes (which leaves out the fixed start-up).

``--profile`` also profiles the render step (``render_site`` for every
language, cProfile, after an unprofiled ``load_and_check``) at the largest
size and reports the top functions by cumulative time.

Results go to stdout as a table and to ``bench/results/build-<date>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BIN = Path(sys.executable).parent
#: Pages per language that do not depend on the number of meetings, for the
#: data ``make_scale_data`` writes (index pages 11, notices 12, rules 4, forms 5,
#: services 8, budget years 20, receipt 1). Only used to choose the meeting
#: count; the pages actually built are counted and reported.
FIXED_PAGES_PER_LANG = 61
LANGS = 2  #: zh and en (checked against community.yaml below)
GOALS = {"generator_share_pct": 10.0, "ms_per_page_at_5000": 12.0}
SAMPLE_S = 0.05  #: memory sampling interval of the wrapper
QUIET_ENV = {"NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}


# --- wrapper: run a command, watch its process tree ------------------------------------

def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split(None, 2)[1])
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


def _tree_rss_kb(pid: int) -> int:
    kids = _children_map()
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += kids.get(p, [])
        try:
            with open(f"/proc/{p}/statm", "rb") as f:
                total += int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
        except OSError:
            pass
    return total


def wrap(cmd: list[str]) -> None:
    """Run ``cmd``; print one JSON line: wall, CPU and memory of its tree, its last stdout line."""
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    sampling = Path("/proc/self/stat").exists()
    # Sample until the child exits; drain its (small) output afterwards.
    while proc.poll() is None:
        if sampling:
            peak = max(peak, _tree_rss_kb(proc.pid))
        time.sleep(SAMPLE_S)
    wall = time.perf_counter() - t0
    out, err = proc.communicate()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = out.strip().splitlines()
    child: Any = None
    if lines:
        try:
            child = json.loads(lines[-1])
        except ValueError:
            child = None
    print(json.dumps({
        "rc": proc.returncode, "wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_tree_mb": peak / 1024 if sampling else None, "max_proc_mb": usage.ru_maxrss / 1024,  # Linux: KiB
        "loadavg_before": load, "child": child, "stderr_tail": err[-3000:] if proc.returncode else "",
    }))


def measure(cmd: list[str]) -> dict[str, Any]:
    """Run ``cmd`` under a fresh wrapper process (so RUSAGE_CHILDREN covers only this tree)."""
    env = {**os.environ, **QUIET_ENV}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "_wrap", "--", *cmd],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0 or not proc.stdout.strip():
        raise SystemExit(f"wrapper failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if result["rc"] != 0:
        raise SystemExit(f"{' '.join(cmd)} failed (exit {result['rc']}):\n{result['stderr_tail']}")
    return result


# --- children -----------------------------------------------------------------------------

def child_portal(project: Path) -> None:
    """The full build, as ``portal build PROJECT`` runs it; print BuildResult as JSON."""
    t0 = time.perf_counter()
    from generator.build import build

    t1 = time.perf_counter()
    result = build(project)
    print(json.dumps({"pages": result.pages, "seconds": result.seconds, "import_s": t1 - t0,
                      "warnings": len(result.report.warnings) if result.report else 0}))


def child_bare(project: Path, dest: Path, variant: str) -> None:
    """``mkdocs build`` for every language of ``project/.portal-build``, in parallel."""
    work = project / ".portal-build"
    configs = sorted(work.glob("*/mkdocs.yml"))
    if variant == "noprune":
        configs = [c.with_name("mkdocs.noprune.yml") for c in configs]
    procs = []
    for config in configs:
        out = dest / config.parent.name
        procs.append(subprocess.Popen([str(BIN / "mkdocs"), "build", "-q", "-f", str(config), "-d", str(out)],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    failed = []
    for p in procs:
        _, err = p.communicate()
        if p.returncode:
            failed.append(err[-2000:])
    if failed:
        sys.stderr.write("\n".join(failed))
        raise SystemExit(1)
    print(json.dumps({"languages": [c.parent.name for c in configs]}))


def child_profile(project: Path, top: int) -> None:
    """cProfile the render step (render_site for every language) after an unprofiled check."""
    import cProfile
    import io
    import pstats

    from generator.build import languages, render_site
    from generator.pipeline import load_and_check
    from portal_core.languages import lang_url

    checked = load_and_check(project)
    langs = languages(checked)
    site_url = checked.project.community.site_url or "http://localhost:8000/"
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    pages = 0
    for lang in langs:
        files = render_site(checked, lang, lang_url(site_url, lang, langs), secret="x")
        pages += sum(1 for name in files if name.endswith(".md"))
    prof.disable()
    seconds = time.perf_counter() - t0
    stats = pstats.Stats(prof)
    rows = []
    for (file, line, func), (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append({"function": f"{_short(file)}:{line}({func})", "calls": nc, "tottime_s": round(tt, 3),
                     "cumtime_s": round(ct, 3)})
    rows.sort(key=lambda r: -r["cumtime_s"])
    by_tot = sorted(rows, key=lambda r: -r["tottime_s"])[:top]
    text = io.StringIO()
    pstats.Stats(prof, stream=text).sort_stats("cumulative").print_stats(60)
    (BENCH / "out").mkdir(exist_ok=True)
    (BENCH / "out" / "build-render-profile.txt").write_text(text.getvalue(), encoding="utf-8")
    print(json.dumps({"pages": pages, "render_s_profiled": seconds, "top_cumulative": rows[:top],
                      "top_tottime": by_tot}))


def _short(file: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


# --- parent -------------------------------------------------------------------------------

def meetings_for(pages: int) -> int:
    return max(1, round(pages / LANGS) - FIXED_PAGES_PER_LANG)


def ensure_project(size: int, lines_per_meeting: int, seed: int, regenerate: bool) -> tuple[Path, dict[str, Any], bool]:
    sys.path.insert(0, str(BENCH))
    from make_scale_data import GENERATOR_VERSION, make, read_marker

    root = BENCH / "scale-data" / f"build-{size}"
    meetings = meetings_for(size)
    lines = max(20, lines_per_meeting * meetings)  # ≥ 1 line a year, so every year has a page
    marker = read_marker(root)
    wanted = {"generator_version": GENERATOR_VERSION, "budget_lines": lines, "meetings": meetings, "seed": seed}
    if not regenerate and marker and all(marker.get(k) == v for k, v in wanted.items()):
        return root, marker, True
    return root, make(root, lines, meetings, seed), False


def write_noprune_configs(project: Path) -> None:
    import yaml

    for config in (project / ".portal-build").glob("*/mkdocs.yml"):
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
        features = data.get("theme", {}).get("features", [])
        data["theme"]["features"] = [f for f in features if f != "navigation.prune"]
        config.with_name("mkdocs.noprune.yml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def search_index(site: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for rel in ("search/search_index.json", "en/search/search_index.json"):
        path = site / rel
        if path.is_file():
            raw = path.read_bytes()
            out[rel] = {"raw": len(raw), "gzip": len(gzip.compress(raw, 6))}
    out["raw"] = sum(v["raw"] for v in out.values())
    out["gzip"] = sum(v["gzip"] for k, v in out.items() if isinstance(v, dict))
    return out


def site_size(site: Path) -> dict[str, int]:
    files = [p for p in site.rglob("*") if p.is_file()]
    return {"files": len(files), "html": sum(1 for p in files if p.suffix == ".html"),
            "bytes": sum(p.stat().st_size for p in files)}


def best(runs: list[dict[str, Any]], key: str) -> float:
    return min(r[key] for r in runs)


def run_size(size: int, args: argparse.Namespace) -> dict[str, Any]:
    t0 = time.perf_counter()
    project, data_info, reused = ensure_project(size, args.lines_per_meeting, args.seed, args.regenerate)
    gen_s = time.perf_counter() - t0
    community = (project / "data" / "community.yaml").read_text(encoding="utf-8")
    langs_line = next((ln for ln in community.splitlines() if ln.startswith("languages:")), "")
    print(f"\n== size {size}: {project.relative_to(ROOT)} ({'reused' if reused else f'generated in {gen_s:.1f} s'}; "
          f"{data_info['meetings']:,} meetings, {data_info['budget_lines']:,} budget lines; {langs_line})", flush=True)
    me = Path(__file__).resolve()
    py = sys.executable

    portal_runs, bare_runs, noprune_runs = [], [], []
    scratch = project / "bench-out"
    want_noprune = not args.no_noprune and size <= args.noprune_max
    repeat = args.repeat if size <= 1000 else args.repeat_large
    for i in range(repeat):
        shutil.rmtree(project / ".portal-build", ignore_errors=True)
        shutil.rmtree(project / "site", ignore_errors=True)
        r = measure([py, str(me), "_portal", str(project)])
        c = r["child"]
        s = c["seconds"]
        s["extras"] = s["total"] - s["check"] - s["render"] - s["mkdocs"]
        r.update(pages=c["pages"], seconds=s, import_s=c["import_s"],
                 generator_share=(s["check"] + s["render"] + s["extras"]) / s["total"])
        portal_runs.append(r)
        print(f"  run {i + 1}/{repeat} portal  {r['wall_s']:7.2f} s wall ({c['pages']} pages; check {s['check']:.2f}, "
              f"render {s['render']:.2f}, mkdocs {s['mkdocs']:.2f}, extras {s['extras']:.2f}, import {c['import_s']:.2f}; "
              f"CPU {r['cpu_s']:.1f} s; peak tree {r['peak_tree_mb']:.0f} MB; load {r['loadavg_before']:.1f})",
              flush=True)
        shutil.rmtree(scratch, ignore_errors=True)
        b = measure([py, str(me), "_bare", str(project), str(scratch / "bare"), "prune"])
        bare_runs.append(b)
        print(f"  run {i + 1}/{repeat} bare    {b['wall_s']:7.2f} s wall (CPU {b['cpu_s']:.1f} s; "
              f"peak tree {b['peak_tree_mb']:.0f} MB; load {b['loadavg_before']:.1f})", flush=True)
        if want_noprune:
            write_noprune_configs(project)
            n = measure([py, str(me), "_bare", str(project), str(scratch / "noprune"), "noprune"])
            noprune_runs.append(n)
            print(f"  run {i + 1}/{repeat} noprune {n['wall_s']:7.2f} s wall (CPU {n['cpu_s']:.1f} s; "
                  f"peak tree {n['peak_tree_mb']:.0f} MB)", flush=True)
        shutil.rmtree(scratch, ignore_errors=True)

    pages = portal_runs[-1]["pages"]
    md_files = sum(1 for _ in (project / ".portal-build").glob("*/docs/**/*.md"))
    langs = sorted(p.name for p in (project / ".portal-build").iterdir() if p.is_dir())
    portal_wall = best(portal_runs, "wall_s")
    bare_wall = best(bare_runs, "wall_s")
    fastest = min(portal_runs, key=lambda r: r["wall_s"])
    result: dict[str, Any] = {
        "size": size, "project": str(project.relative_to(ROOT)), "data": data_info, "languages": langs,
        "pages": pages, "pages_per_language": pages / len(langs), "md_files_rendered": md_files,
        "portal": {
            "wall_s": portal_wall, "wall_s_median": statistics.median(r["wall_s"] for r in portal_runs),
            "cpu_s": best(portal_runs, "cpu_s"),
            "seconds": fastest["seconds"], "import_s": fastest["import_s"],
            "generator_share": fastest["generator_share"],
            "peak_tree_mb": max(r["peak_tree_mb"] or 0 for r in portal_runs),
            "max_proc_mb": max(r["max_proc_mb"] for r in portal_runs),
            "runs": portal_runs,
        },
        "bare": {
            "wall_s": bare_wall, "wall_s_median": statistics.median(r["wall_s"] for r in bare_runs),
            "cpu_s": best(bare_runs, "cpu_s"),
            "peak_tree_mb": max(r["peak_tree_mb"] or 0 for r in bare_runs),
            "max_proc_mb": max(r["max_proc_mb"] for r in bare_runs), "runs": bare_runs,
        },
        "ms_per_page": 1000 * portal_wall / pages,
        "bare_ms_per_page": 1000 * bare_wall / pages,
        "ratio_portal_bare": portal_wall / bare_wall,
        # CPU time of the whole tree: much less sensitive to other load on the machine than wall time.
        "cpu_ms_per_page": 1000 * best(portal_runs, "cpu_s") / pages,
        "bare_cpu_ms_per_page": 1000 * best(bare_runs, "cpu_s") / pages,
        "ratio_portal_bare_cpu": best(portal_runs, "cpu_s") / best(bare_runs, "cpu_s"),
        "generator_share_cpu_estimate": 1 - best(bare_runs, "cpu_s") / best(portal_runs, "cpu_s"),
        "loadavg_before": max(r["loadavg_before"] for r in portal_runs + bare_runs),
        "search_index": search_index(project / "site"),
        "site": site_size(project / "site"),
    }
    if noprune_runs:
        w = best(noprune_runs, "wall_s")
        result["noprune"] = {"wall_s": w, "cpu_s": best(noprune_runs, "cpu_s"),
                             "ratio_noprune_bare_cpu": best(noprune_runs, "cpu_s") / best(bare_runs, "cpu_s"),
                             "peak_tree_mb": max(r["peak_tree_mb"] or 0 for r in noprune_runs),
                             "ratio_noprune_bare": w / bare_wall, "ms_per_page": 1000 * w / pages,
                             "runs": noprune_runs}
    return result


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"cores": os.cpu_count(), "platform": platform.platform(),
                            "python": platform.python_version()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()
        info["memory_gb"] = round(int(mem[1]) / 1024 / 1024, 1)
    except (OSError, IndexError, ValueError):
        pass
    try:  # which code was measured: the commit, and whether the generator had uncommitted changes
        git = ["git", "-C", str(ROOT)]
        info["commit"] = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True,
                                        text=True).stdout.strip()
        info["generator_dirty"] = bool(subprocess.run(
            [*git, "status", "--porcelain", "generator", "site_templates", "mkdocs.yml"],
            capture_output=True, text=True).stdout.strip())
    except OSError:
        pass
    from importlib.metadata import PackageNotFoundError, version

    for name in ("mkdocs", "mkdocs-material", "jinja2", "jieba", "segno"):
        try:
            info[name] = version(name)
        except PackageNotFoundError:
            pass
    return info


def print_table(results: list[dict[str, Any]]) -> None:
    head = (f"{'size':>5} {'pages':>6} {'portal s':>9} {'ms/page':>8} {'bare s':>7} {'ratio':>6} "
            f"{'check':>6} {'render':>7} {'mkdocs':>7} {'extras':>7} {'gen %':>6} {'peak MB':>8} {'max proc':>9} "
            f"{'index KB':>9} {'gz KB':>7} {'noprune s':>10}")
    print("\n" + head)
    print("-" * len(head))
    for r in results:
        p, s = r["portal"], r["portal"]["seconds"]
        npr = f"{r['noprune']['wall_s']:9.1f}s" if "noprune" in r else f"{'–':>10}"
        print(f"{r['size']:>5} {r['pages']:>6} {p['wall_s']:8.1f}s {r['ms_per_page']:8.1f} {r['bare']['wall_s']:6.1f}s "
              f"{r['ratio_portal_bare']:6.2f} {s['check']:5.1f}s {s['render']:6.1f}s {s['mkdocs']:6.1f}s "
              f"{s['extras']:6.1f}s {100 * p['generator_share']:5.1f}% {p['peak_tree_mb']:7.0f}  "
              f"{p['max_proc_mb']:7.0f}  {r['search_index']['raw'] / 1024:8.0f} {r['search_index']['gzip'] / 1024:7.0f} "
              f"{npr}")
    head2 = (f"{'size':>5} {'pages':>6} {'portal CPU':>11} {'CPU ms/page':>12} {'bare CPU':>9} {'bare CPU ms/p':>14} "
             f"{'CPU ratio':>10} {'gen CPU %':>10} {'noprune CPU':>12} {'load':>5}")
    print("\n" + head2)
    print("-" * len(head2))
    for r in results:
        npr = f"{r['noprune']['cpu_s']:11.1f}s" if "noprune" in r else f"{'–':>12}"
        print(f"{r['size']:>5} {r['pages']:>6} {r['portal']['cpu_s']:10.1f}s {r['cpu_ms_per_page']:12.1f} "
              f"{r['bare']['cpu_s']:8.1f}s {r['bare_cpu_ms_per_page']:14.1f} {r['ratio_portal_bare_cpu']:10.2f} "
              f"{100 * r['generator_share_cpu_estimate']:9.1f}% {npr} {r['loadavg_before']:5.1f}")
    print("  portal s / bare s: wall time of the whole process tree (start-up included), best of the runs;")
    print("  check/render/mkdocs/extras: BuildResult.seconds of that run; gen % = (check+render+extras)/total;")
    print("  peak MB: RSS summed over the process tree (sampled); max proc: largest single process (getrusage);")
    print("  index: site/search/search_index.json + site/en/search/search_index.json, raw and gzip -6;")
    print("  CPU: user+system time of the process tree (getrusage RUSAGE_CHILDREN); gen CPU % = 1 − bare CPU / portal CPU;")
    print("  load: highest 1-min load average seen before a run (wall times are only meaningful when it is low).")


def linearity(results: list[dict[str, Any]]) -> dict[str, Any]:
    rs = sorted(results, key=lambda r: r["pages"])
    out: dict[str, Any] = {}
    if len(rs) >= 2:
        a, z = rs[0], rs[-1]
        out["ms_per_page_ratio_largest_vs_smallest"] = z["ms_per_page"] / a["ms_per_page"]
        out["marginal_ms_per_page"] = [
            {"from": x["pages"], "to": y["pages"],
             "portal": 1000 * (y["portal"]["wall_s"] - x["portal"]["wall_s"]) / (y["pages"] - x["pages"]),
             "bare": 1000 * (y["bare"]["wall_s"] - x["bare"]["wall_s"]) / (y["pages"] - x["pages"]),
             "portal_cpu": 1000 * (y["portal"]["cpu_s"] - x["portal"]["cpu_s"]) / (y["pages"] - x["pages"]),
             "bare_cpu": 1000 * (y["bare"]["cpu_s"] - x["bare"]["cpu_s"]) / (y["pages"] - x["pages"]),
             "render": 1000 * (y["portal"]["seconds"]["render"] - x["portal"]["seconds"]["render"]) / (y["pages"] - x["pages"]),
             "search_index_bytes": (y["search_index"]["raw"] - x["search_index"]["raw"]) / (y["pages"] - x["pages"])}
            for x, y in zip(rs, rs[1:])]
    return out


def goals(results: list[dict[str, Any]], lin: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    shares = {r["size"]: 100 * r["portal"]["generator_share"] for r in results}
    out["generator_share_le_10pct"] = {"met": all(v <= GOALS["generator_share_pct"] for v in shares.values()),
                                       "percent_by_size": shares}
    big = [r for r in results if r["pages"] >= 4000]
    if big:
        ms = big[-1]["ms_per_page"]
        r = big[-1]
        cores = os.cpu_count() or 1
        out["ms_per_page_le_12_at_5000"] = {
            "met": ms <= GOALS["ms_per_page_at_5000"], "ms_per_page": ms, "pages": r["pages"],
            "bare_ms_per_page": r["bare_ms_per_page"], "cpu_ms_per_page": r["cpu_ms_per_page"],
            "bare_cpu_ms_per_page": r["bare_cpu_ms_per_page"],
            # Wall time can not go below CPU time / cores: a floor that other load on the machine does not move.
            "cpu_per_core_ms_per_page": r["cpu_ms_per_page"] / cores,
            "bare_cpu_per_core_ms_per_page": r["bare_cpu_ms_per_page"] / cores}
    marg = lin.get("marginal_ms_per_page")
    if marg and len(marg) >= 2:
        # Linear: the marginal cost per page does not grow with size (±25% for noise).
        # Judged on CPU time, which other load on the machine barely moves; wall time is reported too.
        first, last = marg[0]["portal_cpu"], marg[-1]["portal_cpu"]
        out["linear"] = {"met": last <= 1.25 * first, "marginal_cpu_ms_first": first, "marginal_cpu_ms_last": last,
                         "marginal_wall_ms_first": marg[0]["portal"], "marginal_wall_ms_last": marg[-1]["portal"]}
    elif lin:
        out["linear"] = {"met": lin["ms_per_page_ratio_largest_vs_smallest"] <= 1.0,
                         "ms_per_page_ratio": lin["ms_per_page_ratio_largest_vs_smallest"]}
    out["search_index_recorded"] = {r["size"]: r["search_index"]["raw"] for r in results}
    return out


def profile(size: int, args: argparse.Namespace) -> dict[str, Any]:
    project = BENCH / "scale-data" / f"build-{size}"
    r = measure([sys.executable, str(Path(__file__).resolve()), "_profile", str(project), str(args.top)])
    c = r["child"]
    print(f"\nrender step at size {size} under cProfile: {c['render_s_profiled']:.2f} s for {c['pages']} pages "
          f"(full listing: bench/out/build-render-profile.txt)")
    print(f"  {'cumulative':>10} {'own':>7} {'calls':>8}  function")
    for row in c["top_cumulative"]:
        print(f"  {row['cumtime_s']:9.2f}s {row['tottime_s']:6.2f}s {row['calls']:8}  {row['function']}")
    return {"size": size, **c}


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if argv and argv[0] == "_wrap":
        wrap(argv[2:] if argv[1:2] == ["--"] else argv[1:])
        return 0
    if argv and argv[0] == "_portal":
        child_portal(Path(argv[1]))
        return 0
    if argv and argv[0] == "_bare":
        child_bare(Path(argv[1]), Path(argv[2]), argv[3])
        return 0
    if argv and argv[0] == "_profile":
        child_profile(Path(argv[1]), int(argv[2]))
        return 0

    ap = argparse.ArgumentParser(description="Benchmark portal build against a bare mkdocs-material build.")
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000],
                    help="pages in total, both languages (default: 100 1000 5000)")
    ap.add_argument("--quick", action="store_true", help="only the smallest size (100 pages)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="measurements of each build per size up to 1,000 pages (best is reported; default 1)")
    ap.add_argument("--repeat-large", type=int, default=1,
                    help="measurements per size above 1,000 pages (default 1: a 5,000-page build takes minutes)")
    ap.add_argument("--noprune-max", type=int, default=1000,
                    help="measure the build without navigation.prune up to this size (default 1000)")
    ap.add_argument("--no-noprune", action="store_true", help="skip the build without navigation.prune")
    ap.add_argument("--lines-per-meeting", type=int, default=20,
                    help="budget lines per meeting (default 20: 5,000 meetings ↔ 100,000 lines)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--regenerate", action="store_true", help="regenerate the scale data even if present")
    ap.add_argument("--profile", action="store_true", help="cProfile the render step at the largest size")
    ap.add_argument("--top", type=int, default=20, help="functions listed by --profile (default 20)")
    ap.add_argument("--json", type=Path, default=None, help="default: bench/results/build-<date>.json")
    args = ap.parse_args(argv)
    sizes = [100] if args.quick else sorted(set(args.sizes))

    info = machine()
    print(f"machine: {info.get('cores')} cores, {info.get('cpu', '?')}, {info.get('memory_gb', '?')} GB, "
          f"Python {info['python']}, mkdocs {info.get('mkdocs', '?')}, material {info.get('mkdocs-material', '?')}, "
          f"code at {info.get('commit', '?')}{' (generator modified)' if info.get('generator_dirty') else ''}")
    started = dt.datetime.now().isoformat(timespec="seconds")
    results = [run_size(size, args) for size in sizes]
    print_table(results)
    lin = linearity(results)
    g = goals(results, lin)
    if lin:
        print(f"\nlinearity: ms/page at {results[-1]['pages']} pages / at {results[0]['pages']} pages = "
              f"{lin['ms_per_page_ratio_largest_vs_smallest']:.2f}")
        for m in lin["marginal_ms_per_page"]:
            print(f"  marginal cost {m['from']}→{m['to']} pages: portal {m['portal']:.1f} ms/page wall, "
                  f"{m['portal_cpu']:.1f} ms/page CPU; bare {m['bare']:.1f} wall, {m['bare_cpu']:.1f} CPU; "
                  f"render {m['render']:.2f} ms/page; search index "
                  f"{m['search_index_bytes']:.0f} B/page")
    print("\ngoals:")
    cpu_shares = ", ".join(f"{r['size']}: {100 * r['generator_share_cpu_estimate']:.1f}%" for r in results)
    print(f"  generator share ≤ 10%: {'met' if g['generator_share_le_10pct']['met'] else 'NOT met'} "
          f"({', '.join(f'{k}: {v:.1f}%' for k, v in g['generator_share_le_10pct']['percent_by_size'].items())}; "
          f"CPU estimate {cpu_shares})")
    if "ms_per_page_le_12_at_5000" in g:
        x = g["ms_per_page_le_12_at_5000"]
        print(f"  ≤ 12 ms/page at 5,000 pages: {'met' if x['met'] else 'NOT met'} ({x['ms_per_page']:.1f} ms/page "
              f"at {x['pages']} pages; bare mkdocs {x['bare_ms_per_page']:.1f}; floor CPU/cores: portal "
              f"{x['cpu_per_core_ms_per_page']:.1f}, bare {x['bare_cpu_per_core_ms_per_page']:.1f} ms/page)")
    if "linear" in g:
        print(f"  linear in pages: {'met' if g['linear']['met'] else 'NOT met'} "
              f"({json.dumps({k: round(v, 2) for k, v in g['linear'].items() if k != 'met'})})")
    print("  search index size recorded: " + ", ".join(f"{k}: {v / 1024:.0f} KB" for k, v in
                                                      g["search_index_recorded"].items()))
    loads = [run["loadavg_before"] for r in results for key in ("portal", "bare")
             for run in r[key]["runs"]]
    if max(loads) > (info.get("cores") or 1) * 0.5:
        print(f"note: the machine was busy (1-min load average up to {max(loads):.1f} on {info.get('cores')} "
              "cores); wall times are noisy, compare CPU times too (in the JSON).")

    prof = profile(max(sizes), args) if args.profile else None
    out = args.json or BENCH / "results" / f"build-{dt.date.today().isoformat()}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "started": started, "machine": info, "args": {k: str(v) if isinstance(v, Path) else v
                                                      for k, v in vars(args).items()},
        "results": results, "linearity": lin, "goals": g, "profile": prof,
    }, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    print(f"\nresults: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
