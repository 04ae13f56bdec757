"""A street (街道): ``portal init --street``, ``portal check`` and ``portal build``
on a street repository, with the real ``portal`` command, real ``git`` and the
site served over HTTP (and one Chromium check of what residents see).

The street: ``a``, ``b``, ``c`` from ``portal init --street``; then ``b`` is
broken, ``p`` is added at a ``path:``, ``g`` from a bare git repository and ``n``
(broken before it was ever built) with ``portal new community``.
"""

from __future__ import annotations

import json
import re
import subprocess
import urllib.request
from pathlib import Path

import pytest
import yaml

from generator.street.fetch import fetch
from generator.street.model import CommunityEntry
from tests.scaffold_helpers import portal
from tests.site_fixtures import CHROMIUM, CHROMIUM_ARGS, SiteServer

BANNER_ZH = "本社区网站自"
BANNER_TAIL = "起未更新：数据文件有错误"


def _ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own test server
        assert response.status == 200
        return str(response.read().decode("utf-8"))


def _set_site_url(street: Path, url: str) -> None:
    path = street / "street.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("# site_url: https://example.org/", f"site_url: {url}"),
                    encoding="utf-8")


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=cwd, check=True,
                   capture_output=True)


@pytest.fixture(scope="module")
def street(tmp_path_factory: pytest.TempPathFactory):
    """The street, built once healthy (``first``) and once with a broken community (``second``)."""
    tmp = tmp_path_factory.mktemp("street")
    _ok(portal("init", "--street", "xinhe", "--name", "新和街道", "--communities", "a,b,c", "--no-git", cwd=tmp))
    root = tmp / "xinhe"
    server = SiteServer(root / "site")
    _set_site_url(root, server.url)
    try:
        first = _ok(portal("build", str(root)))
        pages = {cid: (root / "site" / cid / "index.html").read_text(encoding="utf-8") for cid in "abc"}
        # b breaks; a changes its name (so its pages must be rebuilt); p at a path:, g from git, n broken
        with (root / "communities/b/data/community.yaml").open("a", encoding="utf-8") as f:
            f.write("name: [broken\n")
        a_yaml = root / "communities/a/data/community.yaml"
        a_yaml.write_text(a_yaml.read_text(encoding="utf-8").replace("name: \"a\"", "name: \"荷花里社区\"")
                          .replace("name: a\n", "name: 荷花里社区\n"), encoding="utf-8")
        _ok(portal("init", str(root / "vendor" / "p"), "--id", "p", "--name", "旁边社区", "--no-git"))
        origin = tmp / "g-work"
        _ok(portal("init", str(origin), "--id", "g", "--name", "远方社区"))
        _git("add", "-A", cwd=origin)
        _git("commit", "-qm", "first", cwd=origin)
        bare = tmp / "g.git"
        _git("clone", "-q", "--bare", str(origin), str(bare), cwd=tmp)
        _ok(portal("new", "community", str(root), "--id", "n", "--title", "新社区"))
        (root / "communities/n/data/community.yaml").write_text("id: n\nname: [broken\n", encoding="utf-8")
        with (root / "street.yaml").open("a", encoding="utf-8") as f:
            f.write(f"  - id: p\n    path: vendor/p\n  - id: g\n    git: file://{bare}\n    ref: main\n")
        second = portal("build", str(root))
        keep, site = root / ".portal-build/street/sites", root / "site"
        # as the second build left them (later tests build again, e.g. --strict refreshes the kept copies)
        linked = {cid: (site / cid / "index.html").stat().st_ino == (keep / cid / "index.html").stat().st_ino
                  for cid in ("a", "b")}
        kept_b = (keep / "b/index.html").read_text(encoding="utf-8")
        yield {"linked": linked, "kept_b": kept_b, "root": root, "server": server, "first": first, "second": second, "pages": pages, "tmp": tmp}
    finally:
        server.close()


def test_init_street_makes_a_street_repository(street):
    root = street["root"]
    for rel in ("street.yaml", "README.md", ".gitignore", ".github/workflows/site.yml", ".gitlab-ci.yml",
                "communities/a/data/community.yaml", "communities/c/mkdocs.yml"):
        assert (root / rel).is_file(), rel
    # the street's CI publishes; a sub-folder community has no CI of its own to drift
    assert not (root / "communities/a/.github").exists()
    workflow = yaml.safe_load((root / ".github/workflows/site.yml").read_text(encoding="utf-8"))
    assert "needs" not in workflow["jobs"]["build"], "one broken community must not stop the street publishing"
    gitlab = yaml.safe_load((root / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert gitlab["check"]["allow_failure"] is True
    listed = yaml.safe_load((root / "street.yaml").read_text(encoding="utf-8"))
    assert [c["id"] for c in listed["communities"]][:4] == ["a", "b", "c", "n"]
    assert "portal build" in (root / "README.md").read_text(encoding="utf-8")


def test_healthy_street_builds_every_community_and_the_home(street):
    assert "3 个社区已更新" in street["first"].stdout
    pages = street["pages"]
    assert all("<html" in page for page in pages.values())


def test_street_home_lists_communities_with_status_over_http(street):
    url = street["server"].url
    home = _get(url)
    assert "新和街道" in home
    for cid in ("a", "c", "p", "g"):
        assert f'href="/{cid}/"' in home, cid
    assert re.search(r'street-stale">\s*<a href="/b/">', home)
    assert re.search(r'street-missing">\s*<span>', home) and 'href="/n/"' not in home
    assert "街道办事处" in home
    en = _get(url + "en/")
    assert "not updated" in en and 'href="/a/en/"' in en
    data = json.loads(_get(url + "communities.json"))
    assert {c["id"]: c["status"] for c in data["communities"]} == {
        "a": "built", "b": "stale", "c": "built", "n": "missing", "p": "built", "g": "built"}


def test_each_community_site_works_under_its_id(street):
    url = street["server"].url
    a = _get(url + "a/")
    assert "荷花里社区" in a, "a was updated in the second build"
    assert BANNER_ZH not in a
    assert "远方社区" in _get(url + "g/")
    assert "旁边社区" in _get(url + "p/")
    # absolute addresses of a community point under its own /<id>/
    assert f'{url}c/' in _get(url + "c/")
    spec = json.loads(_get(url + "a/forms/spec.json"))
    assert spec["community"] == "a"


def test_broken_community_keeps_its_last_pages_with_a_banner(street):
    second = street["second"]
    assert second.returncode == 0, second.stdout + second.stderr  # documented: the others still publish
    assert re.search(r"communities/b/data/community\.yaml:\d+:\d+: 错误 yaml\.syntax", second.stdout)
    assert "社区 b 有错误，未更新" in second.stderr and "社区 n 有错误" in second.stderr
    url = street["server"].url
    b = _get(url + "b/")
    assert BANNER_ZH in b and BANNER_TAIL in b
    # the previous pages, not new ones: the same page with the banner added
    assert re.sub(r'<div class="admonition warning portal-stale".*?</div>', "", b) == street["pages"]["b"]
    assert "has not been updated since" in _get(url + "b/en/")
    # every page of it, not only the home
    root = street["root"]
    pages = [p.read_text(encoding="utf-8") for p in (root / "site" / "b").rglob("*.html")]
    assert len(pages) > 10
    assert all("portal-stale" in page for page in pages if "<article" in page)
    assert not (root / "site" / "n").exists()


def test_check_names_the_broken_community_at_file_line(street):
    root = street["root"]
    done = portal("check", str(root))
    assert done.returncode == 1
    assert re.search(r"communities/b/data/community\.yaml:\d+:\d+: 错误", done.stdout)
    assert re.search(r"communities/n/data/community\.yaml:\d+:\d+: 错误", done.stdout)
    gh = portal("check", str(root), "--format", "github", "--lang", "en")
    assert re.search(r"::error file=communities/b/data/community\.yaml,line=\d+", gh.stdout)
    js = json.loads(portal("check", str(root), "--format", "json").stdout)
    assert {p["params"]["community"] for p in js["problems"] if p["severity"] == "error"} == {"b", "n"}


def test_strict_build_replaces_nothing(street):
    root = street["root"]
    before = (root / "site" / "index.html").read_bytes()
    done = portal("build", str(root), "--strict")
    assert done.returncode == 1
    assert "--strict" in done.stderr or "--strict" in done.stdout
    assert (root / "site" / "index.html").read_bytes() == before


def test_street_yaml_errors_at_file_line(tmp_path):
    (tmp_path / "street.yaml").write_text(
        "id: s\nname: 街道\ncommunities:\n  - id: ok\n  - id: en\n  - id: x\n    colour: red\n", encoding="utf-8")
    zh = portal("check", str(tmp_path))
    assert zh.returncode == 1
    assert re.search(r"^street\.yaml:5:\d+: 错误 .*街道网站保留", zh.stdout, re.M), zh.stdout
    assert re.search(r"^street\.yaml:7:\d+: 错误 schema\.unknown-field: 不认识的字段“colour”", zh.stdout, re.M)
    en = portal("check", str(tmp_path), "--lang", "en")
    assert re.search(r"^street\.yaml:7:\d+: error schema\.unknown-field: unknown field “colour”", en.stdout, re.M)
    built = portal("build", str(tmp_path))
    assert built.returncode == 1 and not (tmp_path / "site").exists()
    assert "Traceback" not in built.stderr + zh.stderr


def test_missing_community_folder_is_named(tmp_path):
    (tmp_path / "street.yaml").write_text("id: s\nname: 街道\ncommunities:\n  - id: gone\n", encoding="utf-8")
    done = portal("check", str(tmp_path), "--lang", "en")
    assert done.returncode == 1
    assert re.search(r"^street\.yaml:4: error street\.community-missing: community gone listed in street\.yaml "
                     r"is not at communities/gone", done.stdout, re.M), done.stdout


def test_reserved_and_taken_ids_are_refused(tmp_path):
    assert portal("init", "--street", str(tmp_path / "s"), "--communities", "a,assets", "--no-git").returncode == 2
    assert not (tmp_path / "s").exists()
    _ok(portal("init", "--street", str(tmp_path / "t"), "--communities", "a", "--no-git"))
    taken = portal("new", "community", str(tmp_path / "t"), "--id", "a", "--lang", "en")
    assert taken.returncode == 2 and "already in street.yaml" in taken.stderr
    reserved = portal("new", "community", str(tmp_path / "t"), "--id", "search")
    assert reserved.returncode == 2 and "保留" in reserved.stderr


def test_git_fetch_failure_is_a_problem_not_a_crash(tmp_path):
    problem = fetch(tmp_path, CommunityEntry(id="x", git=f"file://{tmp_path}/nowhere.git"))
    assert problem is not None and problem.code == "street.fetch-failed"
    assert problem.params["community"] == "x" and problem.params["detail"]


def test_git_community_follows_its_ref(street):
    """A new commit on the bare repository reaches the fetched copy."""
    tmp, root = street["tmp"], street["root"]
    origin = tmp / "g-work"
    notice = next((origin / "data" / "notices").glob("*.yaml"))
    notice.write_text(notice.read_text(encoding="utf-8").replace("title:", "title: 更新标题 #", 1), encoding="utf-8")
    _git("commit", "-qam", "second", cwd=origin)
    _git("push", "-q", str(tmp / "g.git"), "HEAD:main", cwd=origin)
    entry = CommunityEntry(id="g", git=f"file://{tmp / 'g.git'}", ref="main")
    assert fetch(root, entry) is None
    fetched = root / ".portal-build/street/git/g/data/notices" / notice.name
    assert "更新标题" in fetched.read_text(encoding="utf-8")


def test_phone_without_javascript_sees_the_home_and_the_banner(street):
    from playwright.sync_api import sync_playwright

    url = street["server"].url
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                      java_script_enabled=False, locale="zh-CN")
            page = ctx.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(url)
            link = page.get_by_role("link", name="荷花里社区")
            assert link.is_visible()
            box = link.bounding_box()
            assert box is not None and box["x"] + box["width"] <= 390
            link.click()
            page.wait_for_load_state()
            assert page.url.rstrip("/").endswith("/a")
            page.goto(url + "b/")
            banner = page.get_by_role("status").filter(has_text=BANNER_TAIL)
            assert banner.is_visible()
            top = banner.bounding_box()
            assert top is not None and top["y"] < 844 and top["width"] > 200
            assert not [e for e in errors if "Content Security Policy" in e], errors
        finally:
            browser.close()



def test_a_community_that_cannot_build_never_stops_the_street(tmp_path):
    """Not where street.yaml says, or at the street folder itself: listed as not
    published, the street home still built, no traceback."""
    (tmp_path / "street.yaml").write_text(
        "id: s\nname: 街道\ncommunities:\n  - id: gone\n  - id: itself\n    path: .\n", encoding="utf-8")
    done = portal("build", str(tmp_path), "--lang", "en")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "community gone listed in street.yaml is not at communities/gone" in done.stdout
    assert "0 communities updated, 0 not updated, 2 not published" in done.stdout
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert home.count("street-missing") == 2
    assert not (tmp_path / "communities").exists()


def test_portal_init_inside_communities_joins_the_street(tmp_path):
    _ok(portal("init", "--street", "s", "--communities", "a", "--no-git", cwd=tmp_path))
    _ok(portal("init", "communities/meiyuan", "--name", "梅园社区", cwd=tmp_path / "s"))
    listed = yaml.safe_load((tmp_path / "s" / "street.yaml").read_text(encoding="utf-8"))
    assert [c["id"] for c in listed["communities"]] == ["a", "meiyuan"]
    community = yaml.safe_load((tmp_path / "s/communities/meiyuan/data/community.yaml").read_text(encoding="utf-8"))
    assert community["id"] == "meiyuan" and community["name"] == "梅园社区"
    assert portal("check", str(tmp_path / "s")).returncode == 0


def test_views_across_communities_are_published_and_linked_from_the_home(street):
    """The street build publishes the views (generator.street.views) beside the front page:
    compare pages from the kinds' street hooks, the calendar, the notice list and their
    downloads and feeds, each reachable from the home page without JavaScript."""
    url = street["server"].url
    home = _get(url)
    for path in ("compare/", "open-questions/", "calendar/", "notices/"):
        assert f'href="/{path}"' in home, path
        assert "<h1" in _get(url + path), path
    money = _get(url + "compare/money/")
    assert "<table" in money and 'href="../../a/"' in money  # communities side by side, each linked
    assert 'class="gap"' in money  # incomplete records are marked, not hidden
    assert "<script" not in money and "onerror" not in money  # the sanitizer ran on the Markdown
    assert _get(url + "en/compare/money/").count("<table") >= 1
    figures = _get(url + "data/street-figures.csv").splitlines()
    assert figures[0].startswith("\ufeff") or "," in figures[0]
    assert "<rss" in _get(url + "feeds/notices.xml") and "BEGIN:VCALENDAR" in _get(url + "feeds/calendar.ics")


def test_a_community_built_now_is_linked_and_a_stale_one_copied_with_its_banner(street):
    """Publishing links the kept copy of a community built now (no second copy of its
    pages), and copies a stale one, whose banner must never reach the kept last-good copy."""
    assert street["linked"] == {"a": True, "b": False}
    assert BANNER_ZH in (street["root"] / "site/b/index.html").read_text(encoding="utf-8")
    assert BANNER_ZH not in street["kept_b"]
