"""Shared fixtures: a sample project copied into a temp dir, and helpers to break it."""

from __future__ import annotations

import functools
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from generator.kinds.common import Today
from generator.pipeline import check
from generator.problems import Problem, Report

# The site tests share tests/site_fixtures.py: importable from every test module,
# and rewritten for assertions before the first of them imports it.
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
pytest.register_assert_rewrite("site_fixtures")

# Tests change code under the check (limits, patched functions) that the check
# cache's code version cannot see: they check uncached. test_check_cache.py turns
# the cache on where it is the subject.
os.environ.setdefault("PORTAL_NO_CACHE", "1")

PROJECTS = Path(__file__).parent / "projects"
#: What ``portal build`` leaves in a project it built in place: never copied with a sample.
BUILD_LEFTOVERS = shutil.ignore_patterns(".portal-build", ".portal-secret", "site")
REPO = Path(__file__).resolve().parent.parent

#: Session fixtures worth making once per run, and how a module that uses them reads:
#: the built sites of tests/site_fixtures.py, and the portal's wheel (``wheel`` below).
SESSION_UNITS = {
    "built-sites": re.compile(r"\b(minimal_site|two_version_site|demo_site|built_site)\b"),
    "wheel": re.compile(r"def test_\w+\([^)]*\bwheel\b"),
}


@functools.cache
def _work_unit(path: str) -> str:
    """What one xdist worker runs at once: a test module (its module-scoped sites,
    browsers and databases are then made once), except that the modules using one
    of ``SESSION_UNITS`` are one unit, so that fixture is made once per run, not
    once per worker. Read from the module's text: the controller collects nothing."""
    try:
        text = (REPO / path).read_text(encoding="utf-8")
    except OSError:
        return path
    if path.startswith("tests/"):
        for unit, uses in SESSION_UNITS.items():
            if uses.search(text):
                return unit
    return path


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: absent without the plugin
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """``-n 2 --dist loadfile`` (scripts/run-tests) schedules by ``_work_unit``.
    Not ``--dist loadgroup``: its groups are lost under pytest 9 (xdist 3.8.0 renames
    ``item._nodeid``, which pytest 9 no longer reads)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByWorkUnit(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _work_unit(nodeid.split("::", 1)[0])

    return ByWorkUnit(config, log)


class SampleProject:
    """A copy of ``tests/projects/<name>`` that a test may edit and check."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, rel: str) -> Path:
        return self.root / rel

    def read(self, rel: str) -> str:
        return self.path(rel).read_text(encoding="utf-8")

    def write(self, rel: str, text: str | bytes) -> None:
        p = self.path(rel)
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(text, encoding="utf-8")

    def replace(self, rel: str, old: str, new: str, count: int = 1) -> None:
        text = self.read(rel)
        assert old in text, f"{old!r} not in {rel}"
        self.write(rel, text.replace(old, new, count))

    def check(self, jobs: int | None = 1) -> Report:
        return check(self.root, jobs=jobs)

    def only(self, code: str) -> Problem:
        """The single problem with ``code``; fails listing all problems otherwise."""
        report = self.check()
        found = [p for p in report.problems if p.code == code]
        assert len(found) == 1, f"expected one {code}, got: {report.problems}"
        return found[0]


@pytest.fixture(autouse=True)
def fixed_today():
    """Checks that depend on today's date see a fixed date in tests."""
    import datetime as dt

    Today.value = dt.date(2026, 11, 22)
    yield
    Today.value = None


@pytest.fixture
def minimal(tmp_path: Path) -> SampleProject:
    # what a build in place leaves (its work folder, secret, site) is not part of the sample
    shutil.copytree(PROJECTS / "minimal", tmp_path / "minimal", ignore=BUILD_LEFTOVERS)
    return SampleProject(tmp_path / "minimal")


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The portal's wheel, built once per run (test_packaging.py, test_ci_templates.py):
    the tests only install it, each into its own new venv."""
    from scaffold_helpers import build_wheel

    return build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module (Playwright, Debian's chromium)."""
    from playwright.sync_api import sync_playwright
    from site_fixtures import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def check_cache_on(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check cache on (this file turns it off for the suite), with its signing key in a
    temporary home: for the tests whose subject it is (``pytestmark``)."""
    monkeypatch.delenv("PORTAL_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg")))
