"""One read of each published file for both of the build's last scans
(``generator.site.published_scan``): it finds what the personal-data scan and the page scan
find run one after the other, remembers the same clean contents, and the build still stops
with the same message (personal data first)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from generator import build as build_module
from generator.build import BuildError, build
from generator.checks.privacy import published_leaks
from generator.clean_contents import Clean, content_hash
from generator.kept_site import CleanFiles
from generator.kinds.common import Today
from generator.site.published_scan import scan_published
from generator.site.security_headers import ForeignCode, measure
from generator.site.theme_probe import OwnCode

PROJECTS = Path(__file__).resolve().parent / "projects"
THEME_SCRIPT = "var __md_scope = 1"
PAGE = "<!doctype html><html><head><meta charset=utf-8></head><body>{}</body></html>"


def _site(root: Path) -> Path:
    files = {
        "index.html": PAGE.format(f"<script>{THEME_SCRIPT}</script><p>值班 13812345678</p>"),
        "notices/a/index.html": PAGE.format("<script>alert(1)</script><p>联系 someone@example.cn</p>"),
        "notices/b/index.html": PAGE.format("<p onclick=\"go()\">电话 010-12345678 官方 13900001111</p>"),
        "clean/index.html": PAGE.format(f"<script>{THEME_SCRIPT}</script><p>一切正常</p>"),
        "known/index.html": PAGE.format("<script>alert(2)</script><p>13712345678</p>"),  # clean before (by hash)
        "downloads/people.csv": "name,phone\n张三,13612345678\n",
        "feed.xml": "<rss><item>13512345678</item></rss>",
        "admin/index.html": PAGE.format("<script>editor()</script> 13412345678"),  # neither scan
        "assets/x.html": PAGE.format("<script>asset()</script> 13312345678"),  # the page scan only
        "search/index.html": PAGE.format("<script>search()</script>"),  # the page scan only
        "replaced/index.html": PAGE.format("<p>\ufffd 替换字符</p>"),  # a literal U+FFFD is text
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _seen(tmp: Path, name: str, known: set[str]) -> CleanFiles:
    seen = CleanFiles(tmp / f"{name}.json", name, "context")
    seen.known = set(known)
    return seen


def test_one_pass_finds_what_the_two_scans_find(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    known = {content_hash((site / "known/index.html").read_bytes())}
    own = OwnCode(scripts={THEME_SCRIPT})
    allowed = {"13900001111"}

    leaks_seen, pages_seen = _seen(tmp_path, "leaks", known), _seen(tmp_path, "pages", known)
    published = scan_published(site, allowed, leaks_seen, own, pages_seen)

    leaks_alone = Clean(known)
    assert published.leaks == list(published_leaks(site, allowed, leaks_alone))
    assert {file for file, _, _ in published.leaks} == {"index.html", "notices/a/index.html",
                                                         "downloads/people.csv", "feed.xml"}
    assert leaks_seen.clean == leaks_alone.clean

    pages_alone = Clean(known)
    with pytest.raises(ForeignCode) as alone:
        measure(site, None, own, pages_alone)
    with pytest.raises(ForeignCode) as given:
        measure(site, None, own, pages_seen, published.pages)
    assert given.value.found == alone.value.found
    assert str(given.value) == str(alone.value)
    assert {page for page, _ in alone.value.found} == {"notices/a/index.html", "notices/b/index.html",
                                                       "assets/x.html", "search/index.html"}
    assert pages_seen.clean == pages_alone.clean


def test_a_page_that_is_not_utf8_still_stops_the_page_scan(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    (site / "broken" / "index.html").parent.mkdir()
    (site / "broken" / "index.html").write_bytes(PAGE.format("<p>坏</p>").encode("gb18030"))
    own = OwnCode(scripts={THEME_SCRIPT, "alert(1)", "alert(2)", "asset()", "search()"})
    published = scan_published(site, set(), _seen(tmp_path, "leaks", set()), own, _seen(tmp_path, "pages", set()))
    assert "broken/index.html" not in published.pages  # left to measure, which reads it as it did
    with pytest.raises(UnicodeDecodeError):
        measure(site, None, own, Clean(), published.pages)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PORTAL_NO_CACHE", "0")
    monkeypatch.setenv("PORTAL_SECRET", "published-scan-tests")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.setattr(Today, "value", dt.date(2026, 11, 20))
    root = tmp_path / "minimal"
    shutil.copytree(PROJECTS / "minimal", root, ignore=shutil.ignore_patterns(".portal-build", "site"))
    return root


def test_the_build_stops_for_personal_data_first_then_for_foreign_code(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page that got past the sanitizer (planted in the stage before the scans, as a
    faulty step would write it) with both: the personal data stops the build; without it,
    the foreign code does."""
    planted = {"html": ""}
    finish = build_module.drop_sitemap_fetch

    def plant(site: Path) -> None:
        finish(site)
        (site / "planted").mkdir()
        (site / "planted" / "index.html").write_text(PAGE.format(planted["html"]), encoding="utf-8")

    monkeypatch.setattr(build_module, "drop_sitemap_fetch", plant)
    planted["html"] = "<script>alert(1)</script><p>值班 13812345678</p>"
    with pytest.raises(BuildError, match=r"^personal data in 1 place\(s\) of the built site: "
                                         r"planted/index.html: 138\*\*\*\*5678$"):
        build(project, site_url="https://x.example/", jobs=1)
    assert not (project / "site").exists()

    planted["html"] = "<script>alert(1)</script><p>一切正常</p>"
    with pytest.raises(BuildError, match=r"^unsafe content reached the pages: 1 inline script.* in planted/index.html: "
                                         r"'alert\(1\)'$"):
        build(project, site_url="https://x.example/", jobs=1)
    assert not (project / "site").exists()

    planted["html"] = "<p>一切正常</p>"
    build(project, site_url="https://x.example/", jobs=1)
    assert (project / "site" / "planted" / "index.html").is_file()
