"""``portal build`` after an edit rebuilds only what changed (``generator.kept_site``):
mkdocs' dirty mode over the kept output, Pagefind and the post-build scans only on
changed pages, the theme probe from its store. Whatever it skips, the site must be
the one a clean full build of the same inputs gives, file by file; anything that could
make the two differ (a page added or removed, ``mkdocs.yml``, the theme, a touched
kept output, a failed build) gives a full build. The caches are on for these builds."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import struct
import zlib
from pathlib import Path

import pytest

from generator import build as build_module
from generator.build import BuildError, build
from generator.kinds.common import Today
from generator.loading.cache import user_store

PROJECTS = Path(__file__).resolve().parent / "projects"
URL = "https://x.example/"
NOTICE = "data/notices/2024-001.yaml"
OLD_TITLE, NEW_TITLE = "门禁更换公示", "门禁系统更换公示"


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PORTAL_NO_CACHE", "0")  # the suite turns caches off; these tests are about them
    monkeypatch.setenv("PORTAL_SECRET", "incremental-tests")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))  # the signing key and the probe store
    monkeypatch.setattr(Today, "value", dt.date(2026, 11, 20))
    root = tmp_path / "minimal"
    shutil.copytree(PROJECTS / "minimal", root, ignore=shutil.ignore_patterns(".portal-build", "site"))
    return root


def _clean_build(root: Path, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """The site a full build of a copy of ``root``'s sources gives, with no cache at all."""
    copy = tmp / f"clean-{len(list(tmp.glob('clean-*')))}"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".portal-build", "site"))
    with monkeypatch.context() as m:
        m.setenv("PORTAL_NO_CACHE", "1")
        build(copy, site_url=URL, jobs=1)
    return _files(copy / "site")


def _same(site: dict[str, bytes], clean: dict[str, bytes]) -> None:
    assert sorted(site) == sorted(clean)
    assert [name for name in sorted(site) if site[name] != clean[name]] == []


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_one_notice_edited_rebuilds_its_pages_and_equals_a_full_build(project: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch):
    first = build(project, site_url=URL)
    before = _files(project / "site")
    kept = project / ".portal-build" / "zh" / "site"
    stats = {p: p.stat().st_mtime_ns for p in kept.rglob("*.html")}
    # the templates as compiled by this build, for the next (generator.site.compiled)
    records = {name: user_store(name) for name in ("theme-code.json", "page-code.json", "template-names.json")}
    written = {name: path.stat().st_mtime_ns for name, path in records.items()}

    inodes = {p.relative_to(project / "site").as_posix(): p.stat().st_ino for p in (project / "site").rglob("*.html")}

    _edit(project, NOTICE, OLD_TITLE, NEW_TITLE)
    _edit(project, NOTICE, "更换 3 号楼单元门禁。", "更换 3 号楼和 5 号楼单元门禁。")
    second = build(project, site_url=URL)
    assert not second.unchanged and second.pages == first.pages
    after = _files(project / "site")

    # exactly the pages that show the notice changed: its own, and those listing its title
    pages = [name for name in before if name.endswith(".html") and not name.startswith("admin/")]
    changed = sorted(name for name in pages if before[name] != after[name])
    showing = sorted(name for name in pages if any(new.encode() in after[name] for new in (NEW_TITLE, "5 号楼")))
    assert "notices/2024-001/index.html" in changed and "en/notices/2024-001/index.html" in changed
    # and the open-data pages, which give the size of each download (the notices' table grew)
    assert changed == sorted([*showing, "data/index.html", "en/data/index.html"])
    # mkdocs rewrote only those in its kept output (dirty mode); the others are the files of the first build
    rewritten = sorted(p.relative_to(kept).as_posix() for p, t in stats.items() if p.stat().st_mtime_ns != t)
    assert set(rewritten) - {"404.html"} == {name for name in changed if not name.startswith("en/")}
    # the policy was written again into the changed pages only: the others are the published files, linked
    now = {name: (project / "site" / name).stat().st_ino for name in pages}
    # (mkdocs writes its 404 page on every build)
    assert sorted(n for n in pages if now[n] != inodes[n]) == sorted({*changed, "404.html", "en/404.html"})
    # no template was compiled or parsed again: neither mkdocs' workers nor the render wrote their records
    assert {name: path.stat().st_mtime_ns for name, path in records.items()} == written
    _same(after, _clean_build(project, tmp_path, monkeypatch))


def test_pages_added_and_removed_config_and_theme_changes_give_a_full_build(project: Path, tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch):
    build(project, site_url=URL, jobs=1)
    notice = (project / NOTICE).read_text(encoding="utf-8")
    # a notice added: a new page, and every list of notices
    (project / "data/notices/2024-002.yaml").write_text(
        notice.replace("2024-001", "2024-002").replace(OLD_TITLE, "电梯维修公示"), encoding="utf-8")
    build(project, site_url=URL, jobs=1)
    assert "notices/2024-002/index.html" in _files(project / "site")
    _same(_files(project / "site"), _clean_build(project, tmp_path, monkeypatch))

    # and removed again: its page goes (a dirty build would keep it)
    (project / "data/notices/2024-002.yaml").unlink()
    build(project, site_url=URL, jobs=1)
    assert "notices/2024-002/index.html" not in _files(project / "site")
    _same(_files(project / "site"), _clean_build(project, tmp_path, monkeypatch))

    # the site's settings: on every page
    (project / "mkdocs.yml").write_text("copyright: 样本社区居委会 2026\n", encoding="utf-8")
    build(project, site_url=URL, jobs=1)
    site = _files(project / "site")
    assert "样本社区居委会 2026".encode() in site["rules/index.html"]
    _same(site, _clean_build(project, tmp_path, monkeypatch))


def test_a_theme_template_changed_and_a_leak_it_brings_are_seen(project: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch):
    templates = tmp_path / "site_templates"
    shutil.copytree(build_module.TEMPLATES, templates)
    monkeypatch.setattr(build_module, "TEMPLATES", templates)
    build(project, site_url=URL, jobs=1)
    main = templates / "theme" / "main.html"
    main.write_text(main.read_text(encoding="utf-8") + "\n{#- changed -#}\n"
                    "{% block footer %}{{ super() }}<p class=\"probe-footer\">居委会</p>{% endblock %}\n",
                    encoding="utf-8")
    build(project, site_url=URL, jobs=1)
    site = _files(project / "site")
    assert all(b'class="probe-footer"' in site[name] for name in site
               if name.endswith("index.html") and not name.startswith("admin/"))
    _same(site, _clean_build(project, tmp_path, monkeypatch))

    # a template that puts a mobile number on every page: refused, though every page was scanned clean before
    main.write_text(main.read_text(encoding="utf-8").replace("居委会</p>", "值班 13812345678</p>"), encoding="utf-8")
    with pytest.raises(BuildError, match="personal data"):
        build(project, site_url=URL, jobs=1)
    assert _files(project / "site") == site


def test_a_planted_or_touched_kept_output_and_a_failed_build_give_a_correct_site(project: Path, tmp_path: Path,
                                                                                 monkeypatch: pytest.MonkeyPatch):
    build(project, site_url=URL, jobs=1)
    kept = project / ".portal-build" / "zh" / "site"
    (kept / "planted.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    # a published page changed in place by hand is not linked into the next site (kept_site.PolicyPages)
    published = project / "site" / "en" / "rules" / "index.html"
    with published.open("a", encoding="utf-8") as page:
        page.write("<script>alert(2)</script>")
    rules = kept / "rules" / "index.html"
    rules.write_text(rules.read_text(encoding="utf-8").replace("</main>", "<p>touched</p></main>"),
                     encoding="utf-8")
    _edit(project, NOTICE, OLD_TITLE, NEW_TITLE)
    build(project, site_url=URL, jobs=1)
    site = _files(project / "site")
    assert "planted.html" not in site and b"touched" not in site["rules/index.html"]
    assert b"alert(2)" not in site["en/rules/index.html"]
    _same(site, _clean_build(project, tmp_path, monkeypatch))

    # an edit with an error: the build stops, the published site stays as it was
    _edit(project, NOTICE, "category: public-notice", "category: no-such-category")
    _edit(project, NOTICE, NEW_TITLE, OLD_TITLE)
    with pytest.raises(BuildError) as failed:
        build(project, site_url=URL, jobs=1)
    assert failed.value.report is not None and not failed.value.report.ok
    assert _files(project / "site") == site
    # fixed: the next build is the full build's site
    _edit(project, NOTICE, "category: no-such-category", "category: public-notice")
    build(project, site_url=URL, jobs=1)
    site = _files(project / "site")
    assert OLD_TITLE.encode() in site["notices/2024-001/index.html"]
    _same(site, _clean_build(project, tmp_path, monkeypatch))


def _png(red: int) -> bytes:
    """A 1 × 1 PNG of one colour."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes([0, red, 0, 0]))) + chunk(b"IEND", b""))


def test_the_published_site_never_changes_under_a_running_build(project: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch):
    """The stage is made of hard links to the kept mkdocs output, and mkdocs writes in place:
    a file it rewrites (here a picture of a hand-written page) is unlinked first, so the
    site published before the build (linked to the same files) keeps its bytes."""
    (project / "content" / "zh").mkdir(parents=True)
    (project / "content" / "zh" / "map.png").write_bytes(_png(10))
    (project / "content" / "zh" / "about.md").write_text("# 关于\n\n![地图](map.png)\n", encoding="utf-8")
    build(project, site_url=URL, jobs=1)
    held = tmp_path / "held"  # the published files, held by links as a visitor's server would keep them open
    shutil.copytree(project / "site", held, copy_function=os.link)
    before = _files(held)
    (project / "content" / "zh" / "map.png").write_bytes(_png(200))
    build(project, site_url=URL, jobs=1)
    assert _files(held) == before
    site = _files(project / "site")
    assert site["map.png"] == _png(200)
    _same(site, _clean_build(project, tmp_path, monkeypatch))
