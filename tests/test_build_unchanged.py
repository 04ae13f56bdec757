"""A second ``portal build`` with nothing changed does nothing (``generator.unchanged``),
and anything the site depends on makes it build again: a data file, today's date, the
site's address, or the output folder touched since."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from generator.build import build
from generator.kinds.common import Today

PROJECTS = Path(__file__).resolve().parent / "projects"


def _files(site: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(site).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in site.rglob("*") if p.is_file()}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PORTAL_NO_CACHE", "0")  # the suite turns caches off; this test is about one
    monkeypatch.setenv("PORTAL_SECRET", "unchanged-tests")
    monkeypatch.setattr(Today, "value", dt.date(2026, 11, 20))
    root = tmp_path / "minimal"
    shutil.copytree(PROJECTS / "minimal", root, ignore=shutil.ignore_patterns(".portal-build", "site"))
    return root


def test_nothing_changed_builds_nothing_and_any_input_builds_again(project: Path, monkeypatch: pytest.MonkeyPatch):
    out = project / "site"
    first = build(project, out, site_url="https://x.example/", jobs=1)
    assert not first.unchanged and first.pages > 5
    before = _files(out)

    again = build(project, out, site_url="https://x.example/", jobs=1)
    assert again.unchanged and again.pages == first.pages
    assert _files(out) == before  # not one file written

    # a data file changed (even by a comment only: the build does not guess what matters)
    notice = sorted((project / "data/notices").glob("*.yaml"))[0]
    notice.write_text(notice.read_text(encoding="utf-8") + "\n# 更正\n", encoding="utf-8")
    third = build(project, out, site_url="https://x.example/", jobs=1)
    assert not third.unchanged

    # another address: every absolute link changes
    assert not build(project, out, site_url="https://y.example/", jobs=1).unchanged
    assert build(project, out, site_url="https://y.example/", jobs=1).unchanged

    # the next day: what is on display, and the form pages' tokens, may differ
    monkeypatch.setattr(Today, "value", dt.date(2026, 11, 21))
    assert not build(project, out, site_url="https://y.example/", jobs=1).unchanged

    # the output touched since (a file deleted by hand): built again, and whole
    victim = next(p for p in out.rglob("*.html"))
    victim.unlink()
    rebuilt = build(project, out, site_url="https://y.example/", jobs=1)
    assert not rebuilt.unchanged and victim.is_file()


def test_the_cache_switch_turns_it_off(project: Path, monkeypatch: pytest.MonkeyPatch):
    out = project / "site"
    build(project, out, site_url="https://x.example/", jobs=1)
    monkeypatch.setenv("PORTAL_NO_CACHE", "1")
    assert not build(project, out, site_url="https://x.example/", jobs=1).unchanged
    assert os.environ["PORTAL_NO_CACHE"] == "1"
