"""Compare what two versions of the portal produce: the built demo site, byte by
byte, and ``portal check``'s output on the demo and on broken variants of it.

    scripts/compare-builds REV_A [REV_B]     # REV_B defaults to the work tree (uncommitted edits too)
    scripts/compare-builds HEAD~3 HEAD --keep /tmp/cmp

Each side is an export of its commit (``git archive``; the work tree is copied
from ``git ls-files``), run with this checkout's interpreter but with the
export first on ``sys.path``, so its own ``generator``, ``endpoint`` and
templates run and build its own ``data/``, ``content/`` and ``mkdocs.yml``.
Exit 0 when both sides produced the same, 1 with the first differences, 2 when a
side could not be exported or built.

What differs between two builds of the *same* commit, and only that, is
normalised (nothing else is ignored):

- the build-time form tokens baked into the form pages (``_token``: signed
  with the time of the build; both sides use the same ``PORTAL_SECRET``);
- ``<lastmod>`` in ``sitemap.xml`` (the day of the build; ``sitemap.xml.gz``
  is compared decompressed, as its gzip header holds the build time);
- the output folder's path wherever a side prints it.
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORKTREE = "."

#: Runs ``python -m generator`` from the export alone: this checkout's editable
#: install hooks (a meta path finder and a path hook) are removed first, so no
#: module of the checkout can stand in for one the export lacks or has moved.
ISOLATE = (
    "import sys;"
    "sys.meta_path[:] = [f for f in sys.meta_path if '__editable__' not in getattr(f, '__module__', '')];"
    "sys.path_hooks[:] = [h for h in sys.path_hooks if '__editable__' not in getattr(h, '__module__', repr(h))];"
    "sys.path[:] = [p for p in sys.path if '__editable__' not in p];"
    "sys.path_importer_cache.clear();"
)
RUNNER = ISOLATE + "import runpy; sys.argv[0] = 'portal'; runpy.run_module('generator', run_name='__main__', alter_sys=True)"
#: Runs many ``portal check``s in one process (one import instead of one per run, which
#: is most of a check's time): argv[1] is a JSON list of [cwd, args]; prints a JSON list
#: of [exit status, stdout + stderr].
BATCH = ISOLATE + """
import contextlib, io, json, os
from generator.cli import main
results = []
for cwd, args in json.loads(sys.argv[1]):
    os.chdir(cwd)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            main.main(args=args, prog_name="portal")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    results.append([code, out.getvalue()])
sys.__stdout__.write(json.dumps(results))
"""

TOKEN = re.compile(rb'(name="_token" value=")s\.\d+\.[A-Za-z0-9_-]+(")')
LASTMOD = re.compile(rb"<lastmod>\d{4}-\d{2}-\d{2}</lastmod>")

#: Broken variants of tests/projects/minimal: (name, file, text to find, replacement).
#: Each breaks one concern that ``portal check`` reports; together they reach every
#: family of problem code (YAML, schema, tables, references, votes, dates, privacy, markup).
BROKEN: list[tuple[str, str, str, str]] = [
    ("yaml-syntax", "data/notices/2024-001.yaml", "category: public-notice", "category: [public-notice"),
    ("schema", "data/notices/2024-001.yaml", "category: public-notice", "category: gossip\nextra_field: 1"),
    ("table-type", "data/budgets/2024.csv", "办公用品,2000,1800", "办公用品,2000,\"1,800元\""),
    ("reference", "data/notices/2024-001.yaml", "decision:D2024-02", "decision:D2024-99"),
    ("votes", "data/meetings/2024-03-10-jwh.yaml", "votes: {for: 5, against: 1, abstain: 0}",
     "votes: {for: 2, against: 4, abstain: 1}"),
    ("dates", "data/notices/2024-001.yaml", "display_until: 2024-03-19", "display_until: 2024-03-01"),
    ("privacy", "data/notices/2024-001.yaml", "更换 3 号楼单元门禁。",
     "更换 3 号楼单元门禁。联系 13812345678，zhang.san@example.com，110101199003071234"),
    ("markup", "data/notices/2024-001.yaml", "更换 3 号楼单元门禁。",
     "更换 3 号楼单元门禁。<script>alert(1)</script> [x](javascript:alert(1))"),
    ("duplicate-id", "data/services/meal.yaml", "id: meal", "id: covenant"),
]
CHECK_FORMATS = (["--lang", "zh"], ["--lang", "en"], ["--format", "json"], ["--format", "github"])


@dataclass
class Side:
    rev: str
    root: Path  # the export
    site: Path  # its build of the demo
    outputs: dict[str, str]  # what each run printed, by name


def export(rev: str, dest: Path) -> None:
    """The tree of ``rev`` (or of the work tree, ``.``) at ``dest``."""
    dest.mkdir(parents=True)
    if rev == WORKTREE:
        names = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                               cwd=REPO, capture_output=True, check=True).stdout.split(b"\0")
        for name in filter(None, names):
            src = REPO / os.fsdecode(name)
            if src.is_file() or src.is_symlink():
                (dest / os.fsdecode(name)).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest / os.fsdecode(name), follow_symlinks=False)
        return
    archive = subprocess.run(["git", "archive", "--format=tar", rev], cwd=REPO, capture_output=True)
    if archive.returncode != 0:
        raise SystemExit(f"compare-builds: cannot export {rev}: {archive.stderr.decode().strip()}")
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)


def python(root: Path, code: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """This interpreter running ``code`` with the export ``root`` first on sys.path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_") and k != "PYTHONPATH"}
    env.update(PYTHONPATH=str(root), PORTAL_SECRET="compare-builds", PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=900)


def run_side(rev: str, work: Path) -> Side:
    root = work / "src"
    export(rev, root)
    site = work / "site"
    outputs: dict[str, str] = {}
    built = python(root, RUNNER, "build", str(root), "--out", str(site), cwd=root)
    if built.returncode != 0:
        raise SystemExit(f"compare-builds: the build of {rev} failed:\n{built.stdout}{built.stderr}")
    # Only the page count is compared: the rest of the line is the output path and the time taken.
    outputs["build"] = re.sub(r"→.*", "", built.stdout.strip().splitlines()[-1]) if built.stdout.strip() else ""
    projects = {"demo": root}
    for name, file, old, new in BROKEN:
        project = work / "broken" / name
        shutil.copytree(root / "tests" / "projects" / "minimal", project)
        text = (project / file).read_text(encoding="utf-8")
        if old not in text:
            raise SystemExit(f"compare-builds: {rev}: {file} of tests/projects/minimal has no {old!r} to break")
        (project / file).write_text(text.replace(old, new, 1), encoding="utf-8")
        projects[name] = project
    jobs = [(name, project, fmt) for name, project in projects.items() for fmt in CHECK_FORMATS]
    done = python(root, BATCH, json.dumps([[str(project), ["check", *fmt]] for _, project, fmt in jobs]), cwd=root)
    if done.returncode != 0:
        raise SystemExit(f"compare-builds: portal check of {rev} failed:\n{done.stdout}{done.stderr}")
    for (name, project, fmt), (code, text) in zip(jobs, json.loads(done.stdout)):
        outputs[f"check {name} {' '.join(fmt)}"] = f"exit {code}\n{text}".replace(str(project), "<project>")
    (work / "outputs.txt").write_text("".join(f"== {k}\n{v}\n" for k, v in outputs.items()), encoding="utf-8")
    return Side(rev, root, site, outputs)


def normalise(rel: str, data: bytes) -> bytes:
    if rel.endswith(".gz"):
        data = gzip.decompress(data)
    if rel.endswith(".html"):
        data = TOKEN.sub(rb"\1<token>\2", data)
    if "sitemap.xml" in rel:
        data = LASTMOD.sub(b"<lastmod>(build date)</lastmod>", data)
    return data


def files(site: Path) -> dict[str, Path]:
    return {p.relative_to(site).as_posix(): p for p in sorted(site.rglob("*")) if p.is_file() or p.is_symlink()}


def differences(a: Side, b: Side, limit: int = 5, say: Callable[[str], None] = print) -> int:
    """Print the first ``limit`` differences; return how many there are."""
    found: list[str] = []
    fa, fb = files(a.site), files(b.site)
    for rel in sorted(fa.keys() - fb.keys()):
        found.append(f"only in {a.rev}: site/{rel}")
    for rel in sorted(fb.keys() - fa.keys()):
        found.append(f"only in {b.rev}: site/{rel}")
    for rel in sorted(fa.keys() & fb.keys()):
        da, db = normalise(rel, fa[rel].read_bytes()), normalise(rel, fb[rel].read_bytes())
        if da != db:
            found.append(f"site/{rel} differs:\n" + _diff(da, db, a.rev, b.rev))
    for key in sorted(a.outputs.keys() | b.outputs.keys()):
        oa, ob = a.outputs.get(key, "(not run)"), b.outputs.get(key, "(not run)")
        if oa != ob:
            found.append(f"{key} differs:\n" + _diff(oa.encode(), ob.encode(), a.rev, b.rev))
    for item in found[:limit]:
        say(item)
    if len(found) > limit:
        say(f"… and {len(found) - limit} more differences")
    return len(found)


def _diff(a: bytes, b: bytes, name_a: str, name_b: str, lines: int = 20) -> str:
    try:
        ta, tb = a.decode("utf-8").splitlines(), b.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return f"  binary, {len(a)} bytes vs {len(b)} bytes"
    out = list(difflib.unified_diff(ta, tb, name_a, name_b, n=1, lineterm=""))
    return "\n".join(("  " + line)[:300] for line in out[:lines]) + ("\n  …" if len(out) > lines else "")


def compare(rev_a: str, rev_b: str, keep: Path | None = None) -> int:
    work = Path(tempfile.mkdtemp(prefix="compare-builds-")) if keep is None else keep
    try:
        a = run_side(rev_a, work / "a")
        b = run_side(rev_b, work / "b")
        count = differences(a, b)
        pages = len(files(a.site))
        checks = sum(1 for k in a.outputs if k.startswith("check "))
        if count:
            print(f"compare-builds: {rev_a} and {rev_b} differ ({count} differences)")
            return 1
        print(f"compare-builds: {rev_a} and {rev_b} are identical: {pages} site files "
              f"(ignoring form tokens and sitemap dates) and {checks} portal check runs")
        return 0
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="compare-builds", description=__doc__.split("\n\n")[0])
    parser.add_argument("rev_a", help="a commit (HEAD, a branch, a hash)")
    parser.add_argument("rev_b", nargs="?", default=WORKTREE, help="another commit, or . for the work tree (default)")
    parser.add_argument("--keep", type=Path, help="build here (an empty or new folder) and keep the result")
    args = parser.parse_args(argv)
    if args.keep is not None and args.keep.exists() and any(args.keep.iterdir()):
        parser.error(f"--keep {args.keep}: not empty")
    return compare(args.rev_a, args.rev_b, args.keep)


if __name__ == "__main__":
    sys.exit(main())
