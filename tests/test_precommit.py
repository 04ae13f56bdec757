"""pre-commit runs ``portal check`` on commit: in a repository made by ``portal
init``, a commit with a broken data file is refused with its file:line, a good
one goes through. The hook this repository offers is a valid manifest."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.scaffold_helpers import REPO, init

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is needed")


def git(root: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, timeout=300)


def test_commit_refused_on_a_broken_file_and_accepted_when_fixed(tmp_path):
    root = init(tmp_path, "--name", "荷叶社区")  # with git init
    env = {**os.environ,
           "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",  # portal and pre-commit, as after pip install
           "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-cache"),
           "GIT_AUTHOR_NAME": "Committee", "GIT_AUTHOR_EMAIL": "committee@example.org",
           "GIT_COMMITTER_NAME": "Committee", "GIT_COMMITTER_EMAIL": "committee@example.org",
           "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"), "GIT_CONFIG_NOSYSTEM": "1"}
    installed = subprocess.run([str(BIN / "pre-commit"), "install"], cwd=root, env=env, capture_output=True,
                               text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr
    assert (root / ".git" / "hooks" / "pre-commit").is_file()

    # first commit: the skeleton as created is clean
    git(root, "add", ".", env=env)
    first = git(root, "commit", "-m", "网站初始化", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "portal check（检查社区数据）" in first.stdout + first.stderr
    assert "Passed" in first.stdout + first.stderr

    # a broken date: refused, with file:line:col of the value
    notice = next((root / "data" / "notices").glob("*.yaml"))
    rel = notice.relative_to(root).as_posix()
    lines = notice.read_text(encoding="utf-8").splitlines()
    n = next(i for i, x in enumerate(lines) if x.startswith("published:"))
    lines[n] = "published: 2026-13-45"
    notice.write_text("\n".join(lines) + "\n", encoding="utf-8")
    git(root, "add", rel, env=env)
    refused = git(root, "commit", "-m", "改发布日期", env=env)
    out = refused.stdout + refused.stderr
    assert refused.returncode != 0, out
    assert f"{rel}:{n + 1}:12: 错误 schema.date" in out
    assert "Failed" in out
    assert git(root, "rev-list", "--count", "HEAD", env=env).stdout.strip() == "1"

    # fixed: accepted
    lines[n] = "published: 2026-11-20"
    notice.write_text("\n".join(lines) + "\n", encoding="utf-8")
    git(root, "add", rel, env=env)
    fixed = git(root, "commit", "-m", "改发布日期", env=env)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert git(root, "rev-list", "--count", "HEAD", env=env).stdout.strip() == "2"

    # a commit that touches no data file does not run the check
    (root / "notes.txt").write_text("会议记录草稿\n", encoding="utf-8")
    git(root, "add", "notes.txt", env=env)
    other = git(root, "commit", "-m", "notes", env=env)
    assert other.returncode == 0 and "(no files to check)Skipped" in other.stdout + other.stderr


def test_this_repositorys_hook_manifest_and_config_are_valid():
    for cmd, path in (("validate-manifest", ".pre-commit-hooks.yaml"), ("validate-config", ".pre-commit-config.yaml")):
        done = subprocess.run([str(BIN / "pre-commit"), cmd, str(REPO / path)], capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "portal-check" and hook["entry"] == "portal check"
    assert hook["pass_filenames"] is False and hook["language"] == "python"
    ours = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in ours["repos"][0]["hooks"]] == ["portal-check", "ruff"]
