"""Benchmark ``portal check`` against frictionless alone, on generated scale data.

    .venv/bin/python bench/bench_check.py                       # 100,000 lines, 5,000 meetings, 3 repeats
    .venv/bin/python bench/bench_check.py --budget-lines 2000 --meetings 100 --repeat 1   # smoke run

Generates (or reuses) a valid synthetic project under ``bench/scale-data/`` with
``bench/make_scale_data.py``, then measures, each in a fresh subprocess (so no
import cache, page cache of parsed objects or heap is shared between runs):

(a) the baseline: frictionless' own ``Package(".../data/budgets/datapackage.yaml").validate()``,
    i.e. frictionless on the tables alone;
(b) the full check: ``generator.pipeline.check(root)`` (YAML documents, tables,
    cross-checks, frictionless).

For each it reports best and median time, the ratio (b)/(a) (goal: at most
1.5), peak resident memory (``getrusage`` in the child: the process itself and,
separately, the worker processes it waited for) and the problems found, which
must be none on this valid data. Runs alternate a, b, a, b … so a noisy
neighbour hurts both alike.

The time compared is *import + call* from a fresh interpreter: importing what
the step needs (``frictionless`` / ``generator.pipeline``) and running it.
``check`` imports frictionless lazily inside the call, so comparing calls alone
would charge that import to (b) only. Call-only times and the whole-process wall
time (interpreter start-up included) are reported too.

Results go to stdout as a table and to ``bench/results/check-<date>.json``.
Exit status 1 if the check reports errors on the valid data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
GOAL = 1.5
EDIT = "# bench_check: one edit\n"


# --- child: one measurement ----------------------------------------------------------

def child(what: str, root: Path, jobs: int | None) -> None:
    """Measure one step in this (fresh) process; print one JSON line."""
    import resource

    t0 = time.perf_counter()
    result: dict[str, Any] = {"what": what}
    if what == "frictionless":
        from frictionless import Package

        t1 = time.perf_counter()
        report = Package(str(root / "data" / "budgets" / "datapackage.yaml")).validate()
        t2 = time.perf_counter()
        errors = [f"{task.name}: {e.type}: {e.message}" for task in report.tasks for e in task.errors]
        errors += [f"{e.type}: {e.message}" for e in report.errors]
        result.update(valid=report.valid, errors=len(errors), warnings=0, problems=len(errors),
                      first=errors[:10], rows=sum(task.stats.get("rows") or 0 for task in report.tasks))
    else:
        from generator.pipeline import check

        t1 = time.perf_counter()
        # "check": cold, the cache off; "check-cached": with the cache as the parent left it
        report = check(root, jobs=jobs, cache=what == "check-cached")
        t2 = time.perf_counter()
        errors = report.errors
        result.update(valid=report.ok, errors=len(errors), warnings=len(report.warnings),
                      problems=len(report.problems), files_checked=report.files_checked,
                      first=[_format(p) for p in sorted(errors, key=lambda p: p.sort_key())[:10]],
                      first_warnings=[_format(p) for p in report.warnings[:5]])
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    result.update(
        import_s=t1 - t0, call_s=t2 - t1, total_s=t2 - t0,
        cpu_s=me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
        # this process alone: on idle cores, the workers run beside it
        cpu_self_s=me.ru_utime + me.ru_stime, cpu_workers_s=kids.ru_utime + kids.ru_stime,
        maxrss_mb=me.ru_maxrss / 1024, maxrss_workers_mb=kids.ru_maxrss / 1024,  # Linux: KiB
    )
    print(json.dumps(result))


def _format(p: Any) -> str:
    where = ":".join(str(x) for x in (p.file, p.line, p.col) if x is not None)
    return f"{where}: {p.severity} {p.code} {json.dumps(p.params, ensure_ascii=False, default=str)[:300]}"


def profile(root: Path, top: int, warm: bool = False) -> None:
    """cProfile ``check(root, jobs=1, cache=False)`` (frictionless in-process, so it is seen too); print the top entries.
    ``warm``: the import and ``check(root, jobs=1)`` with the cache the parent filled (then edited one file)."""
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    from generator.pipeline import check

    # cold: the cache would answer a second run; warm: what an edit leaves to redo
    report = check(root, jobs=1, cache=warm)
    prof.disable()
    print(f"check(jobs=1): {len(report.errors)} errors, {len(report.warnings)} warnings")
    stats = pstats.Stats(prof)
    for key in ("cumulative", "tottime"):
        print(f"\n--- top {top} by {key} ---")
        stats.sort_stats(key).print_stats(top)


# --- parent ------------------------------------------------------------------------------

def _edit(path: Path) -> None:
    """A real edit of one file: a comment line added or removed."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:-len(EDIT)] if text.endswith(EDIT) else text + EDIT, encoding="utf-8")


def measure(what: str, root: Path, jobs: int | None) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", what, str(root)]
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0 or not proc.stdout.strip():
        raise SystemExit(f"measurement {what} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result.update(process_s=wall, loadavg_before=load)
    return result


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    def stat(key: str) -> dict[str, float]:
        values = [r[key] for r in runs]
        return {"best": min(values), "median": statistics.median(values), "all": values}

    return {
        "total_s": stat("total_s"), "call_s": stat("call_s"), "import_s": stat("import_s"),
        "process_s": stat("process_s"), "cpu_s": stat("cpu_s"),
        "cpu_self_s": stat("cpu_self_s") if all("cpu_self_s" in r for r in runs) else None,
        "maxrss_mb": max(r["maxrss_mb"] for r in runs),
        "maxrss_workers_mb": max(r["maxrss_workers_mb"] for r in runs),
        "errors": max(r["errors"] for r in runs), "warnings": max(r["warnings"] for r in runs),
        "problems": max(r["problems"] for r in runs),
    }


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()
        info["memory_gb"] = round(int(mem[1]) / 1024 / 1024, 1)
    except (OSError, IndexError, ValueError):
        pass
    try:
        from importlib.metadata import version

        info["frictionless"] = version("frictionless")
        info["pydantic"] = version("pydantic")
        info["pyyaml"] = version("pyyaml")
    except Exception:  # noqa: BLE001 - informational only
        pass
    return info


def ensure_data(data_dir: Path, lines: int, meetings: int, seed: int, regenerate: bool) -> tuple[Path, dict[str, Any], bool]:
    sys.path.insert(0, str(BENCH))
    from make_scale_data import GENERATOR_VERSION, make, read_marker

    root = data_dir / f"lines{lines}-meetings{meetings}-seed{seed}"
    marker = read_marker(root)
    wanted = {"generator_version": GENERATOR_VERSION, "budget_lines": lines, "meetings": meetings, "seed": seed}
    if not regenerate and marker and all(marker.get(k) == v for k, v in wanted.items()):
        return root, marker, True
    return root, make(root, lines, meetings, seed), False


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark portal check against frictionless alone.")
    ap.add_argument("--budget-lines", type=int, default=100_000)
    ap.add_argument("--meetings", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3, help="measurements of each step (default 3)")
    ap.add_argument("--jobs", type=int, default=None, help="passed to check(root, jobs=…) (default: its own choice)")
    ap.add_argument("--serial", action="store_true", help="also measure check(root, jobs=1)")
    ap.add_argument("--profile", type=int, nargs="?", const=25, default=None, metavar="TOP",
                    help="instead of timing, cProfile check(root, jobs=1) in a subprocess and print the TOP "
                         "functions (default 25) by cumulative and own time")
    ap.add_argument("--data-dir", type=Path, default=BENCH / "scale-data")
    ap.add_argument("--regenerate", action="store_true", help="regenerate the scale data even if present")
    ap.add_argument("--json", type=Path, default=None,
                    help="where to write results (default bench/results/check-<date>.json; "
                         "non-default sizes get a -<lines>x<meetings> suffix)")
    ap.add_argument("--warm", action="store_true",
                    help="also: check with an empty cache (it writes the cache), after one meeting file "
                         "was edited (warm), and with nothing changed (no-op)")
    ap.add_argument("--child", choices=("frictionless", "check", "check-cached", "profile", "profile-warm"),
                    help=argparse.SUPPRESS)
    ap.add_argument("root", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child in ("profile", "profile-warm"):
        profile(args.root, args.jobs or 25, warm=args.child == "profile-warm")
        return 0
    if args.child:
        child(args.child, args.root, args.jobs)
        return 0

    t0 = time.perf_counter()
    root, data_info, reused = ensure_data(args.data_dir, args.budget_lines, args.meetings, args.seed,
                                          args.regenerate)
    gen_s = time.perf_counter() - t0
    info = machine()
    print(f"scale data: {root.relative_to(ROOT) if root.is_relative_to(ROOT) else root} "
          f"({'reused' if reused else f'generated in {gen_s:.1f} s'})")
    print(f"  {args.budget_lines:,} budget lines in {len(range(2007, 2027))} yearly tables "
          f"({data_info['csv_bytes'] / 1e6:.1f} MB CSV), {args.meetings:,} meetings "
          f"({data_info['meeting_yaml_bytes'] / 1e6:.1f} MB YAML), "
          f"{data_info['decisions_adopted']:,} adopted decisions, seed {args.seed}")
    print(f"machine: {info.get('cores')} cores, {info.get('cpu', '?')}, {info.get('memory_gb', '?')} GB, "
          f"Python {info['python']}, frictionless {info.get('frictionless', '?')}")

    edited = sorted((root / "data" / "meetings").glob("*.yaml"))[len(list((root / "data" / "meetings").glob("*.yaml"))) // 2]
    if args.profile is not None:
        if args.warm:  # fill the cache, then edit one file: the profile is of the warm check after an edit
            shutil.rmtree(root / ".portal-build" / "cache", ignore_errors=True)
            measure("check-cached", root, args.jobs)
            _edit(edited)
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "profile-warm" if args.warm else "profile",
               str(root), "--jobs", str(args.profile)]
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        return subprocess.run(cmd, cwd=ROOT, env=env).returncode

    steps = [("frictionless", None), ("check", args.jobs)]
    if args.serial:
        steps.append(("check-serial", 1))
    if args.warm:
        steps += [("cache-write", args.jobs), ("warm-edit", args.jobs), ("warm-noop", args.jobs)]
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in steps}
    for i in range(args.repeat):
        for name, jobs in steps:
            if name == "cache-write":
                shutil.rmtree(root / ".portal-build" / "cache", ignore_errors=True)
            elif name == "warm-edit":
                _edit(edited)
            step = "frictionless" if name == "frictionless" else "check-cached" if name in (
                "cache-write", "warm-edit", "warm-noop") else "check"
            r = measure(step, root, jobs)
            runs[name].append(r)
            print(f"  run {i + 1}/{args.repeat} {name:<13} {r['total_s']:6.2f} s "
                  f"(import {r['import_s']:.2f} + call {r['call_s']:.2f}; process {r['process_s']:.2f} s; "
                  f"load avg before {r['loadavg_before']:.1f})", flush=True)

    summary = {name: summarise(rs) for name, rs in runs.items()}
    a, b = summary["frictionless"], summary["check"]
    ratio = {key: {"best": b[key]["best"] / a[key]["best"], "median": b[key]["median"] / a[key]["median"]}
             for key in ("total_s", "call_s", "process_s")}

    labels = {"frictionless": "(a) frictionless Package.validate()", "check": "(b) generator.pipeline.check()",
              "check-serial": "(b') check(jobs=1)", "cache-write": "(c) check, empty cache (fills it)",
              "warm-edit": "(d) check, warm, one file edited", "warm-noop": "(e) check, warm, nothing changed"}
    print()
    print(f"{'':37} {'best':>7} {'median':>7} {'import':>7} {'call':>7} {'process':>8} {'CPU':>6} "
          f"{'peak RSS':>9} {'worker':>7} {'errors':>6} {'warn':>5}")
    for name, s in summary.items():
        print(f"{labels[name]:37} {s['total_s']['best']:6.2f}s {s['total_s']['median']:6.2f}s "
              f"{s['import_s']['median']:6.2f}s {s['call_s']['median']:6.2f}s {s['process_s']['median']:7.2f}s "
              f"{s['cpu_s']['median']:5.1f}s {s['maxrss_mb']:6.0f} MB {s['maxrss_workers_mb']:4.0f} MB "
              f"{s['errors']:6} {s['warnings']:5}")
    print("  (best/median: import + call from a fresh interpreter; import, call, process, CPU: medians;")
    print("   peak RSS: the measured process; worker: the largest child it waited for, e.g. check's frictionless worker)")
    met = ratio["total_s"]["median"] <= GOAL
    print(f"ratio (b)/(a): best {ratio['total_s']['best']:.2f}, median {ratio['total_s']['median']:.2f} "
          f"(goal ≤ {GOAL}: {'met' if met else 'NOT met'}); "
          f"call only {ratio['call_s']['median']:.2f}, whole process {ratio['process_s']['median']:.2f}")
    loads = [r["loadavg_before"] for rs in runs.values() for r in rs]
    if max(loads) > (info.get("cores") or 1) * 0.5:
        print(f"note: the machine was busy (1-min load average up to {max(loads):.1f} on "
              f"{info.get('cores')} cores); times are noisy.")

    failed = False
    for name, rs in runs.items():
        last = rs[-1]
        if last["errors"]:
            failed = True
            print(f"\n{labels[name]} found {last['errors']} error(s) on valid data; first ones:")
            for line in last["first"]:
                print("  " + line)
    if not failed:
        print(f"problems: none. frictionless: valid; check: 0 errors, {b['warnings']} warnings, "
              f"{runs['check'][-1].get('files_checked', 0):,} files checked.")

    default_size = args.budget_lines == 100_000 and args.meetings == 5000
    out = args.json or BENCH / "results" / (
        f"check-{dt.date.today().isoformat()}" + ("" if default_size else f"-{args.budget_lines}x{args.meetings}")
        + ".json")
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "benchmark": "bench/bench_check.py", "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": info, "data": {**data_info, "path": str(root), "reused": reused},
        "params": {"repeat": args.repeat, "jobs": args.jobs, "serial": args.serial},
        "goal_ratio": GOAL, "ratio": ratio, "goal_met": met, "summary": summary, "runs": runs,
    }
    out.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
