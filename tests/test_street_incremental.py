"""A street rebuilt with nothing changed checks and builds nothing; one community
edited is the only one checked and rebuilt, and the street's views show the edit
(``generator.build`` skips an unchanged community before its check; the street keeps
each community's ``street.collect.Facts`` in that community's check cache).

With the caches on (the suite turns them off) and the real check, build and mkdocs:
the check's entry point is wrapped only to count which communities it ran for.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import pipeline
from generator.cli import main
from generator.kinds.common import Today
from generator.progress import Steps
from generator.street import build as street_build
from generator.street.build import build_street, street_steps

DAY = dt.date(2026, 12, 6)


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.fixture
def street(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[str]]:
    monkeypatch.setenv("PORTAL_NO_CACHE", "0")
    monkeypatch.setenv("PORTAL_SECRET", "street-incremental-tests")
    monkeypatch.setattr(Today, "value", DAY)
    # In this process, so the examples are dated DAY too (a separate ``portal init`` would
    # date them by the clock, and the meeting would be held after DAY on any later day).
    monkeypatch.chdir(tmp_path)
    done = CliRunner().invoke(main, ["init", "--street", "xinhe", "--name", "新和街道", "--communities", "a,b", "--no-git"])
    assert done.exit_code == 0, done.output
    checked: list[str] = []
    real = pipeline._run

    def counted(root: Path, *args: object) -> pipeline.Checked:
        checked.append(Path(root).name)
        return real(root, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "_run", counted)
    return tmp_path / "xinhe", checked


def test_unchanged_street_checks_nothing_and_one_edit_rebuilds_one_community(street: tuple[Path, list[str]]) -> None:
    root, checked = street
    log = io.StringIO()
    with Steps("portal build", street_steps(root), stream=log, tty=False) as steps:
        first = build_street(root, jobs=1, today=DAY, progress=steps)
    assert [m.status for m in first.members] == ["built", "built"], first.report.problems
    assert sorted(checked) == ["a", "b"], "each community checked once: its facts come from its build's check"
    lines = log.getvalue().splitlines()
    assert lines == ["portal build: [1/3] 社区 a · community a", "portal build: [2/3] 社区 b · community b",
                     "portal build: [3/3] 街道页面与汇总 · the street's pages and views"]
    site = root / "site"
    before = _files(site)
    kept_b = root / ".portal-build/street/sites/b/index.html"
    b_inode = kept_b.stat().st_ino

    folders = {cid: (site / cid).stat().st_ino for cid in "ab"}

    checked.clear()
    second = build_street(root, jobs=1, today=DAY)
    assert checked == [], "nothing changed: no community is checked again"
    assert [m.status for m in second.members] == ["built", "built"]
    assert _files(site) == before, "the same street, byte for byte (no build time in any file)"
    assert {cid: (site / cid).stat().st_ino for cid in "ab"} == folders, "published folders stayed in place"

    notice = root / "communities/a/data/notices/2026-12-06-website-launch.yaml"
    notice.write_text(notice.read_text(encoding="utf-8").replace("社区居务公开网站开通", "社区居务公开网站正式开通"),
                      encoding="utf-8")
    checked.clear()
    third = build_street(root, jobs=1, today=DAY)
    assert checked == ["a"], "only the edited community is checked (once)"
    assert [m.status for m in third.members] == ["built", "built"]
    assert kept_b.stat().st_ino == b_inode, "b's kept pages were not rebuilt"
    after = _files(site)
    page = after["a/notices/2026-12-06-website-launch/index.html"].decode()
    assert "社区居务公开网站正式开通" in page
    assert "社区居务公开网站正式开通" in after["notices/index.html"].decode(), "the street's notice list shows the edit"
    assert "社区居务公开网站正式开通" in after["feeds/notices.xml"].decode()
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed and not any(name.startswith("b/") for name in changed)
    assert (site / "b").stat().st_ino == folders["b"] and (site / "a").stat().st_ino != folders["a"]
    assert not [p for p in root.glob(".site.*") if p.name != ".site.lock"], "no staging or old folder left"

    # a published folder touched by hand is not as the street build left it: it is put back whole
    victim = site / "b" / "index.html"
    victim.unlink()
    build_street(root, jobs=1, today=DAY)
    assert _files(site) == after


def test_street_calendar_and_pages_remade_only_where_changed_and_equal_to_a_fresh_build(
        street: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    """The street's calendar events and pages' HTML are kept between builds (``street.memo``): after
    one meeting is edited, the street's own files are byte for byte what a build with nothing kept
    makes, and a record altered in ``.portal-build`` is not believed."""
    root, _checked = street
    # One clock for every build: a community's "last published" time and date are on the
    # street's pages and in communities.json, and the builds may straddle midnight.
    monkeypatch.setattr(street_build, "_now", lambda: dt.datetime(2026, 12, 6, 9, 30, tzinfo=dt.UTC))
    build_street(root, jobs=1, today=DAY)
    memo = root / ".portal-build/street/memo.json"
    assert memo.is_file()
    meeting = root / "communities/a/data/meetings/2026-12-06-committee.yaml"
    meeting.write_text(meeting.read_text(encoding="utf-8").replace("title: 示例：居委会会议", "title: 示例：居委会会议（改）"),
                       encoding="utf-8")
    build_street(root, jobs=1, today=DAY)
    kept = {name: body for name, body in _files(root / "site").items() if not name.startswith(("a/", "b/"))}
    assert "示例：居委会会议（改）".encode() in kept["feeds/calendar.ics"]
    assert "示例：居委会会议（改）" in kept["calendar/index.html"].decode()

    monkeypatch.setenv("PORTAL_NO_CACHE", "1")  # nothing kept: every event and page made now
    fresh = root.parent / "fresh"
    build_street(root, out=fresh, jobs=1, today=DAY)
    made = {name: body for name, body in _files(fresh).items() if not name.startswith(("a/", "b/"))}
    assert made.keys() == kept.keys()
    assert [name for name in made if made[name] != kept[name]] == []

    # a planted record (the HTML changed, the signature not) is ignored: the page is made again
    monkeypatch.setenv("PORTAL_NO_CACHE", "0")
    raw = memo.read_bytes()
    assert "示例：居委会会议（改）".encode() in raw
    memo.write_bytes(raw.replace("示例：居委会会议（改）".encode(), b"<b>planted</b>"))
    build_street(root, jobs=1, today=DAY)
    assert "planted" not in (root / "site/calendar/index.html").read_text(encoding="utf-8")
    assert b"planted" not in (root / "site/feeds/calendar.ics").read_bytes()
    assert "示例：居委会会议（改）" in (root / "site/calendar/index.html").read_text(encoding="utf-8")
