"""Fault tests, filesystem safety (issue #10): the build never deletes what it
did not make, never publishes a file from outside the project, and two builds
into one folder take turns."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.outdir import MARKER, UnsafeOutput, check_output, swap
from tests.conftest import BUILD_LEFTOVERS

PROJECTS = Path(__file__).parent / "projects"


def portal(*args: str, cwd: Path | None = None, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    env.pop("PORTAL_DB", None)
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=timeout)


def snapshot(top: Path) -> dict[str, bytes | str]:
    """Every file and link under ``top`` (links not followed): path -> content or link text."""
    found: dict[str, bytes | str] = {}
    for folder, dirs, files in os.walk(top):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            path = Path(folder, name)
            rel = path.relative_to(top).as_posix()
            found[rel] = "->" + os.readlink(path) if path.is_symlink() else path.read_bytes()
    return found


def make_project(top: Path) -> Path:
    """The minimal project plus the things a real one holds beside its data."""
    root = top / "proj"
    shutil.copytree(PROJECTS / "minimal", root, ignore=BUILD_LEFTOVERS)
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / ".portal-secret").write_text("s3cret\n")
    (root / "submissions.db").write_bytes(b"SQLite format 3\x00")
    (root / "content" / "zh").mkdir(parents=True)
    (root / "content" / "zh" / "about.md").write_text("# 关于\n")
    return root


# --- --out: the real command -------------------------------------------------------

@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = make_project(tmp_path)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("keep me")
    (tmp_path / "link").symlink_to(root)
    (tmp_path / "afile").write_text("x")
    return root


@pytest.mark.parametrize("out", [".", "data", "data/new", "..", "../other", "../link", "../link/data",
                                 ".git", ".portal-build/x", "content", "../afile"])
def test_build_refuses_an_output_it_would_destroy(workspace: Path, out: str):
    before = snapshot(workspace.parent)
    result = portal("build", str(workspace), "--out", out, "--jobs", "1", cwd=workspace)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "不能输出到" in result.stderr or "Error" in result.stderr  # click's own message for a file
    assert snapshot(workspace.parent) == before


def test_refusal_in_english(workspace: Path):
    result = portal("build", str(workspace), "--out", str(workspace), "--lang", "en")
    assert result.returncode == 2
    assert "refusing --out" in result.stderr and "contains the project" in result.stderr


def test_build_refuses_a_folder_holding_the_inbox_database(tmp_path: Path):
    root = make_project(tmp_path)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "submissions.db").write_bytes(b"SQLite format 3\x00")
    before = snapshot(tmp_path)
    result = portal("build", str(root), "--out", str(inbox), cwd=inbox)
    assert result.returncode == 2 and "submissions.db" in result.stderr
    assert snapshot(tmp_path) == before


def test_build_writes_a_marker_and_replaces_its_own_builds_old_and_new(tmp_path: Path):
    root = make_project(tmp_path)
    out = tmp_path / "www" / "community"
    result = portal("build", str(root), "--out", str(out), "--jobs", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads((out / MARKER).read_text())["tool"] == "community-portal"
    # An earlier build (marker kept) with a stale page: replaced wholesale.
    (out / "stale.html").write_text("old")
    outside = snapshot(tmp_path / "proj")
    result = portal("build", str(root), "--out", str(out), "--jobs", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (out / MARKER).is_file() and not (out / "stale.html").exists()
    assert {k: v for k, v in snapshot(tmp_path / "proj").items() if not k.startswith(".portal-build")} == \
        {k: v for k, v in outside.items() if not k.startswith(".portal-build")}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_folder_that_only_looks_like_a_site_is_refused_and_kept(tmp_path: Path, lang: str):
    """Issue #18, defect 6: index.html, 404.html and sitemap.xml were taken for an
    earlier build, and the folder with everything else in it was replaced."""
    root = make_project(tmp_path)
    out = tmp_path / "www"
    for name in ("index.html", "404.html", "sitemap.xml"):
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(name)
    (out / "photos" / "2024").mkdir(parents=True)
    (out / "photos" / "2024" / "festival.jpg").write_bytes(b"\xff\xd8 a photo")
    (out / "accounts.xlsx").write_bytes(b"PK the treasurer's file")
    before = snapshot(tmp_path / "www")
    result = portal("build", str(root), "--out", str(out), "--jobs", "1", "--lang", lang)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert str(out) in result.stderr and MARKER in result.stderr
    assert ("--out" in result.stderr) and (("删除" in result.stderr) if lang == "zh" else ("delete" in result.stderr))
    assert snapshot(tmp_path / "www") == before  # nothing lost, nothing added


@pytest.mark.parametrize("extra", [None, "notes.txt", "sub/keep.md"])
def test_check_output_needs_the_marker_not_the_look_of_a_site(tmp_path: Path, extra: str | None):
    root = make_project(tmp_path)
    out = tmp_path / "looks-like-a-site"
    out.mkdir()
    for name in ("index.html", "404.html", "sitemap.xml", "search/search_index.json"):
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(name)
    if extra:
        (out / extra).parent.mkdir(parents=True, exist_ok=True)
        (out / extra).write_text("keep me")
    with pytest.raises(UnsafeOutput) as refused:
        check_output(root, out)
    assert MARKER in refused.value.zh and MARKER in refused.value.en
    # A marker that is not ours (wrong tool, not JSON, a link) does not make it replaceable either.
    for marker in ('{"tool": "someone-else"}', "community-portal", ""):
        (out / MARKER).write_text(marker)
        with pytest.raises(UnsafeOutput):
            check_output(root, out)
    (out / MARKER).unlink()
    (tmp_path / "real-marker").write_text('{"tool": "community-portal"}')
    (out / MARKER).symlink_to(tmp_path / "real-marker")
    with pytest.raises(UnsafeOutput):
        check_output(root, out)


# --- the guard and the swap, for any layout (property) ---------------------------------

OUTS = ["proj", ".", "proj/data", "proj/data/x", "proj/.git", "proj/content/zh", "proj/site", "proj/public",
        "sibling", "fresh", "fresh/deeper", "prev", "legacy", "empty", "link-proj", "link-prev", "proj/data/budgets",
        "ws-file", "proj/submissions.db", "inbox", "proj/site/../data", "link-proj/site", "link-proj/data",
        "proj/.portal-secret"]
PLACES = ["proj/data/a.yaml", "proj/data/deep/b.csv", "proj/content/zh/c.md", "proj/x.txt", "proj/site/keep.html",
          "sibling/d.txt", "sibling/.git/HEAD", "prev/e.txt", "legacy/f.txg", "inbox/submissions.db",
          "proj/public/index.html", "g.txt", "proj/.portal-build/h"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(out=st.sampled_from(OUTS), files=st.sets(st.sampled_from(PLACES), max_size=6),
       prev_in_project=st.booleans(), marker_in_project=st.booleans())
def test_no_out_and_layout_removes_a_file_outside_the_output(out: str, files: set[str], prev_in_project: bool,
                                                             marker_in_project: bool):
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp)
        root = ws / "proj"
        for rel in ["proj/data/community.yaml", "proj/.git/HEAD", "proj/.portal-secret", *files]:
            (ws / rel).parent.mkdir(parents=True, exist_ok=True)
            (ws / rel).write_text(rel)
        (ws / "prev").mkdir(exist_ok=True)
        (ws / "prev" / MARKER).write_text('{"tool": "community-portal", "format": 1}')
        (ws / "legacy").mkdir(exist_ok=True)
        for name in ("index.html", "404.html", "sitemap.xml"):
            (ws / "legacy" / name).write_text(name)
        (ws / "empty").mkdir()
        (ws / "link-proj").symlink_to(root)
        (ws / "link-prev").symlink_to(ws / "prev")
        (ws / "ws-file").write_text("a file")
        if prev_in_project:  # a previous build at the default place
            (root / "site").mkdir(exist_ok=True)
            (root / "site" / MARKER).write_text('{"tool": "community-portal"}')
        if marker_in_project:  # a marker planted in the project must not make it replaceable
            (root / MARKER).write_text('{"tool": "community-portal"}')
        target = (root / out) if out == "." else ws / out
        resolved = target.resolve()
        before = snapshot(ws)
        try:
            check_output(root, target)
        except UnsafeOutput:
            assert snapshot(ws) == before  # a refusal touches nothing
            return
        new = ws / ".new-site"
        new.mkdir()
        (new / "index.html").write_text("new")
        swap(root, new, target)
        assert (resolved / "index.html").read_text() == "new"
        after = snapshot(ws)
        for rel, content in before.items():
            path = ws / rel
            if path.parent.resolve() == resolved or resolved in path.parent.resolve().parents:
                continue  # inside the output: replaced, as asked
            assert after.get(rel) == content, f"--out {out} lost {rel}"
        # Nothing of the project's own was inside the output it replaced.
        assert not (_under(resolved, root.resolve()) and resolved.relative_to(root.resolve()).parts[0] in
                    ("data", "content", ".git"))


def _under(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def test_check_output_refuses_a_planted_marker_in_a_project(tmp_path: Path):
    root = make_project(tmp_path)
    (root / MARKER).write_text('{"tool": "community-portal"}')
    other = tmp_path / "repo"
    (other / ".git").mkdir(parents=True)
    (other / MARKER).write_text('{"tool": "community-portal"}')
    for out in (root, other):
        with pytest.raises(UnsafeOutput):
            check_output(root, out)


# --- two builds into one folder ----------------------------------------------------------

def test_two_concurrent_builds_into_the_same_folder_take_turns(tmp_path: Path):
    root = make_project(tmp_path)
    out = tmp_path / "site"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    cmd = [sys.executable, "-m", "generator", "build", str(root), "--out", str(out), "--jobs", "1"]
    first = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(0.3)
    second = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    results = [(p.wait(timeout=300), *p.communicate()) for p in (first, second)]
    for code, stdout, stderr in results:
        assert code == 0, stdout + stderr
        assert "internal error" not in stderr
    assert any("another build is running" in stderr for _, _, stderr in results)  # one waited, and said so
    assert (out / MARKER).is_file() and (out / "index.html").is_file()
    assert not list(tmp_path.glob(".site.building-*")) and not list(tmp_path.glob(".site.old-*"))


# --- links and special files -----------------------------------------------------------

def check(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return portal("check", str(root), "--jobs", "1", *args, timeout=120)


SECRET = "TOP-SECRET-VALUE-42"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path)
    (tmp_path / "outside.txt").write_text(SECRET)
    (root / ".portal-secret").write_text(SECRET + "\n")
    return root


@pytest.mark.parametrize("place,target", [
    ("content/zh/env.md", "/proc/self/environ"),
    ("content/zh/secret.md", "../../.portal-secret"),       # inside the project, but private
    ("content/zh/key.txt", "{outside}"),
    ("content/zh/git", "../../.git"),                        # a folder
    ("data/notices/2024-002.yaml", "{outside}"),
    ("data/community.yaml", "{outside}"),                    # a file the loader reads by name
    ("data/budgets/2024.csv", "{outside}"),                  # a table the package names
    ("data/budgets/budget-lines.schema.yaml", "{outside}"),  # a schema the package names
])
def test_check_refuses_a_link_that_leaves_the_project(project: Path, place: str, target: str):
    link = project / place
    if link.exists():
        link.unlink()
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target.format(outside=project.parent / "outside.txt"))
    for lang, words in (("zh", "符号链接"), ("en", "symbolic link")):
        result = check(project, "--lang", lang)
        assert result.returncode == 1, result.stdout + result.stderr
        lines = [x for x in result.stdout.splitlines() if "file.link-outside" in x]
        assert len(lines) == 1 and lines[0].startswith(f"{place}: "), result.stdout
        assert words in lines[0]
        assert SECRET not in result.stdout + result.stderr
        assert "Traceback" not in result.stderr


def test_check_refuses_a_folder_link_out_of_data(project: Path):
    (project.parent / "elsewhere").mkdir()
    (project.parent / "elsewhere" / "2024-009.yaml").write_text("id: 2024-009\n")
    shutil.rmtree(project / "data" / "notices")
    (project / "data" / "notices").symlink_to(project.parent / "elsewhere")
    result = check(project)
    assert result.returncode == 1
    assert "data/notices: 错误 file.link-outside" in result.stdout


def test_check_refuses_a_fifo_without_hanging(project: Path):
    os.mkfifo(project / "content" / "zh" / "pipe.md")
    os.mkfifo(project / "data" / "notices" / "2024-003.yaml")
    result = check(project, "--lang", "en")
    assert result.returncode == 1
    assert "content/zh/pipe.md: error file.special: this is a fifo" in result.stdout
    assert "data/notices/2024-003.yaml: error file.special" in result.stdout


def test_check_refuses_a_data_package_path_out_of_budgets(project: Path):
    package = project / "data" / "budgets" / "datapackage.yaml"
    text = package.read_text()
    assert "path: 2024.csv" in text
    package.write_text(text.replace("path: 2024.csv", "path: ../../../outside.txt"))
    result = check(project)
    assert result.returncode == 1
    line = next(x for x in result.stdout.splitlines() if "file.outside-project" in x)
    assert line.startswith("data/budgets/datapackage.yaml:") and "../../../outside.txt" in line
    assert SECRET not in result.stdout


def test_links_inside_the_project_are_allowed(project: Path):
    (project / "content" / "zh" / "same.md").symlink_to("about.md")
    assert check(project).returncode == 0


def test_build_never_publishes_a_link_target_from_outside(project: Path):
    """Even when the check is bypassed, the copy into the site skips the link."""
    from generator.build import render_site
    from generator.pipeline import load_and_check

    (project / "content" / "zh" / "key.txt").symlink_to(project.parent / "outside.txt")
    (project / "content" / "zh" / "secret.md").symlink_to("../../.portal-secret")
    (project / "content" / "zh" / "same.md").symlink_to("about.md")
    checked = load_and_check(project, jobs=1)
    assert {p.code for p in checked.report.errors} == {"file.link-outside"}
    files = render_site(checked, "zh", "http://localhost:8000/")
    assert "key.txt" not in files and "secret.md" not in files
    assert files["same.md"] == files["about.md"]
    assert not any(SECRET.encode() in data for data in files.values())
    result = portal("build", str(project), "--out", str(project.parent / "www"), "--jobs", "1")
    assert result.returncode == 1 and "file.link-outside" in result.stdout
    assert not (project.parent / "www").exists()


# --- portal new --slug ---------------------------------------------------------------------

@pytest.mark.parametrize("slug,lang,words", [
    ("x" * 300, "zh", "太长（300 个字符，最多 60 个）"),
    ("x" * 300, "en", "too long (300 characters, at most 60)"),
    ("a/b", "en", "may only use letters"),
    ("../../etc", "en", "may only use letters"),
    ("", "zh", "短名不能为空"),
    (".yaml", "en", "the slug is empty"),
])
def test_new_refuses_a_bad_slug_with_a_message(tmp_path: Path, slug: str, lang: str, words: str):
    shutil.copytree(PROJECTS / "minimal", tmp_path / "p", ignore=BUILD_LEFTOVERS)
    before = snapshot(tmp_path)
    result = portal("new", "notice", str(tmp_path / "p"), "--slug", slug, "--lang", lang)
    assert result.returncode == 2, result.stdout + result.stderr
    assert words in result.stderr and "Traceback" not in result.stderr
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("slug", ["water-cut.yaml", "water-cut.YML", " water-cut "])
def test_new_drops_a_file_suffix_from_the_slug(tmp_path: Path, slug: str):
    shutil.copytree(PROJECTS / "minimal", tmp_path / "p", ignore=BUILD_LEFTOVERS)
    result = portal("new", "notice", str(tmp_path / "p"), "--slug", slug, "--date", "2026-11-25")
    assert result.returncode == 0, result.stderr
    assert [p.name for p in (tmp_path / "p/data/notices").glob("2026-*")] == ["2026-11-25-water-cut.yaml"]


def test_build_never_writes_through_a_link_planted_in_its_work_folder(tmp_path: Path):
    root = make_project(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "victim-dir").mkdir()
    (tmp_path / "victim-dir" / "index.md").write_text("precious")
    docs = root / ".portal-build" / "zh" / "docs"
    docs.mkdir(parents=True)
    (docs / "index.md").symlink_to(victim)
    (root / ".portal-build" / "en").symlink_to(tmp_path / "victim-dir")
    result = portal("build", str(root), "--out", str(tmp_path / "www"), "--jobs", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert victim.read_text() == "precious"
    assert snapshot(tmp_path / "victim-dir") == {"index.md": b"precious"}
    assert not (docs / "index.md").is_symlink()
