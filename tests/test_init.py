"""``portal init``: a new community repository that checks and builds as created."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
import yaml

from tests.scaffold_helpers import REPO, check_json, init, portal

SKELETON = REPO / "generator" / "scaffold" / "skeleton"


def test_init_creates_a_project_that_checks_and_builds(tmp_path):
    done = portal("init", "heye", "--name", "荷叶社区", "--id", "heye", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "已创建社区网站 heye" in done.stdout
    root = tmp_path / "heye"
    for rel in ("data/community.yaml", "data/rules/residents-covenant.yaml", "data/services/service-desk.yaml",
                "data/forms/suggestion.yaml", "data/budgets/datapackage.yaml", "data/budgets/totals.csv",
                "mkdocs.yml", ".gitignore", "README.md", "package.json", ".pre-commit-config.yaml",
                ".github/workflows/site.yml", ".gitlab-ci.yml"):
        assert (root / rel).is_file(), rel
    # one example of each kind the committee edits
    for folder in ("rules", "services", "meetings", "notices", "forms"):
        assert len(list((root / "data" / folder).glob("*.yaml"))) == 1, folder
    assert list((root / "data" / "budgets").glob("2[0-9][0-9][0-9].csv"))
    community = yaml.safe_load((root / "data/community.yaml").read_text(encoding="utf-8"))
    assert community["id"] == "heye" and community["name"] == "荷叶社区"

    report = check_json(root)
    assert report["ok"] and report["problems"] == [], report["problems"]
    assert report["files_checked"] >= 10

    built = portal("build", cwd=root)
    assert built.returncode == 0, built.stdout + built.stderr
    home = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert "荷叶社区" in home
    notice = next((root / "data" / "notices").glob("*.yaml")).stem
    assert (root / "site" / "notices" / notice / "index.html").is_file()
    assert (root / "site" / "en" / "index.html").is_file()


def test_readme_is_chinese_and_names_what_the_committee_sets(tmp_path):
    root = init(tmp_path, "--name", "荷叶社区", "--portal-spec", "git+https://example.org/portal.git@v1")
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# 荷叶社区 · 社区居务公开网站")
    for word in ("portal check", "portal new", "PORTAL_SPEC", "PORTAL_SECRET", "DEPLOY_RSYNC_TARGET",
                 "DEPLOY_S3_BUCKET", "pre-commit install", "git+https://example.org/portal.git@v1"):
        assert word in readme, word
    workflow = (root / ".github/workflows/site.yml").read_text(encoding="utf-8")
    assert "vars.PORTAL_SPEC || 'git+https://example.org/portal.git@v1'" in workflow
    assert 'PORTAL_SPEC: "git+https://example.org/portal.git@v1"' in (root / ".gitlab-ci.yml").read_text()


def test_git_init_without_a_commit(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    done = portal("init", "site", cwd=tmp_path)
    assert "已运行 git init，还没有提交" in done.stdout
    root = tmp_path / "site"
    assert (root / ".git").is_dir()
    head = subprocess.run(["git", "rev-parse", "--verify", "HEAD"], cwd=root, capture_output=True, text=True)
    assert head.returncode != 0  # nothing committed
    status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True).stdout
    assert "?? data/" in status and "?? .github/" in status
    ignored = subprocess.run(["git", "check-ignore", "site/index.html", ".portal-build/x", "node_modules/x",
                              ".portal-secret"], cwd=root, capture_output=True, text=True).stdout.split()
    assert ignored == ["site/index.html", ".portal-build/x", "node_modules/x", ".portal-secret"]


def test_no_git(tmp_path):
    done = portal("init", "site", "--no-git", "--lang", "en", cwd=tmp_path)
    assert done.returncode == 0
    assert "git init not run (--no-git)" in done.stdout
    assert not (tmp_path / "site" / ".git").exists()


def test_refuses_a_non_empty_folder_in_both_languages(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "notes.txt").write_text("keep me", encoding="utf-8")
    zh = portal("init", "site", cwd=tmp_path)
    en = portal("init", "site", "--lang", "en", cwd=tmp_path)
    assert zh.returncode == en.returncode == 2
    assert "site 不是空文件夹：为避免覆盖已有文件，请指定一个新的或空的文件夹" in zh.stderr
    assert "site is not empty: to avoid overwriting anything, give a new or empty folder" in en.stderr
    assert "Traceback" not in zh.stderr + en.stderr
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["notes.txt"]


def test_an_empty_folder_is_fine(tmp_path):
    (tmp_path / "site").mkdir()
    assert portal("init", "site", "--no-git", cwd=tmp_path).returncode == 0


def test_refuses_a_bad_community_id(tmp_path):
    done = portal("init", "site", "--id", "He Ye", cwd=tmp_path)
    assert done.returncode == 2
    assert "社区编号“He Ye”只能用小写英文字母、数字和连字符" in done.stderr
    assert not (tmp_path / "site").exists()


def test_decap_cms_version_matches_the_root_package_json(tmp_path):
    from generator.scaffold.init import DECAP_CMS_VERSION, DECAP_SERVER_VERSION, PAGEFIND_VERSION

    root_pkg = json.loads((REPO / "package.json").read_text(encoding="utf-8"))
    root = {**root_pkg.get("dependencies", {}), **root_pkg.get("devDependencies", {})}
    assert root["decap-cms"] == DECAP_CMS_VERSION == "3.16.3"
    assert root["decap-server"] == DECAP_SERVER_VERSION
    assert root["pagefind"] == PAGEFIND_VERSION
    project = init(tmp_path, "--no-git")
    written = json.loads((project / "package.json").read_text())
    assert written["dependencies"] == {"decap-cms": DECAP_CMS_VERSION}
    assert written["devDependencies"] == {"decap-server": DECAP_SERVER_VERSION, "pagefind": PAGEFIND_VERSION}


def test_skeleton_mkdocs_config_follows_the_root_one():
    """The committee's mkdocs.yml is the repository's, comments aside."""
    ours = yaml.safe_load((SKELETON / "mkdocs.yml").read_text(encoding="utf-8"))
    root = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    assert ours == root


def test_skeleton_budget_schema_follows_the_demo():
    assert (REPO / "generator/kinds/budget/skeleton/budgets/budget-lines.schema.yaml").read_bytes() == \
        (REPO / "data/budgets/budget-lines.schema.yaml").read_bytes()


def test_a_site_under_a_path_links_inside_it(tmp_path):
    """GitHub and GitLab project pages serve the site under /<repository>/."""
    root = init(tmp_path, "--no-git")
    built = portal("build", "--site-url", "https://owner.example.org/heye/", cwd=root)
    assert built.returncode == 0, built.stdout + built.stderr
    outside = set()
    for page in (root / "site").rglob("*.html"):
        for link in re.findall(r'(?:href|src|action)="(/[^"]*)"', page.read_text(encoding="utf-8")):
            if not link.startswith("/heye/"):
                outside.add(link)
    assert outside == set()
    home = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert 'href="/heye/en/"' in home  # the language switch
