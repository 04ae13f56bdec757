"""How scripts/run-tests spreads the suite over two pytest-xdist workers
(tests/conftest.py): one module per worker at a time, and the modules using the
session-built sites of tests/site_fixtures.py together, so no site is built twice."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO, _work_unit


def test_modules_using_the_session_sites_share_one_unit():
    users = [p for p in sorted((REPO / "tests").glob("test_*.py"))
             if any(name in p.read_text(encoding="utf-8") for name in ("(minimal_site", "(demo_site", "(built_site",
                                                                          " minimal_site", " demo_site", " built_site"))]
    assert {"test_gates.py", "test_site_html.py", "test_site_browser.py"} <= {p.name for p in users}
    assert {_work_unit(p.relative_to(REPO).as_posix()) for p in users} == {"built-sites"}


def test_modules_installing_the_wheel_share_one_unit():
    assert _work_unit("tests/test_packaging.py") == _work_unit("tests/test_ci_templates.py") == "wheel"


def test_other_modules_and_doctests_are_their_own_unit():
    for rel in ("tests/test_exports.py", "tests/test_endpoint_install.py", "generator/street/compare.py",
                "tests/no_such_module.py"):
        assert _work_unit(rel) == rel
    assert _work_unit("tests/test_endpoint_install.py") != _work_unit("tests/test_gates.py")


def test_run_tests_uses_two_workers_by_module_and_pins_the_plugin():
    script = (REPO / "scripts" / "run-tests").read_text(encoding="utf-8")
    assert 'pytest -n "$workers" --dist loadfile "$@"' in script
    assert "workers=${PORTAL_TEST_WORKERS:-2}" in script
    pins = Path(REPO / "constraints.txt").read_text(encoding="utf-8").splitlines()
    assert any(line.startswith("pytest-xdist==") for line in pins)
    assert any(line.startswith("execnet==") for line in pins)
    assert "pytest-xdist" in (REPO / "pyproject.toml").read_text(encoding="utf-8")
