"""``scripts/setup``: serving installs only what serving needs; the tests install the rest.

The script is run with ``--print-plan``, which lists what a mode covers and installs
nothing, so these tests are cheap and run anywhere.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SETUP = REPO / "scripts" / "setup"

#: What only the tests need; none of it may be installed by scripts/serve-demo.
TEST_ONLY_APT = {"chromium", "zbar-tools", "postgresql", "nginx", "caddy", "fonts-noto-cjk", "default-jre-headless"}
TEST_ONLY_NPM = {"axe-core", "vnu-jar", "lighthouse"}
#: What serving needs: the editor (Decap CMS and its local backend) and the site search.
SERVING_NPM = {"decap-cms", "decap-server", "pagefind"}


def plan(*args: str, root: Path = REPO) -> dict[str, set[str]]:
    """``scripts/setup --print-plan`` run in ``root``: {kind: {name, ...}}."""
    env = {k: v for k, v in os.environ.items() if k != "PORTAL_SKIP_SYSTEM"}
    result = subprocess.run(["bash", str(root / "scripts" / "setup"), *args, "--print-plan"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    items: dict[str, set[str]] = {}
    for line in result.stdout.splitlines():
        kind, name, state = line.split()
        assert state in ("present", "missing"), line
        items.setdefault(kind, set()).add(name)
    return items


def test_serving_plan_has_no_test_tools():
    serve = plan()
    assert serve["pip"] == {"."}  # the package without the [test] extra
    assert "apt" not in serve  # no browser, database, web server, fonts or Java
    assert serve["npm"] == SERVING_NPM


def test_test_plan_adds_the_test_tools():
    test = plan("--test")
    assert test["pip"] == {".[test]"}
    assert test["apt"] == TEST_ONLY_APT
    assert test["npm"] == SERVING_NPM | TEST_ONLY_NPM


def test_plan_installs_nothing(tmp_path):
    root = copy_setup(tmp_path)
    plan("--test", root=root)
    assert sorted(p.name for p in root.iterdir()) == ["constraints.txt", "pyproject.toml", "scripts"]


def test_package_json_splits_serving_from_test_tools():
    """``npm install --omit=dev`` (serving) takes "dependencies" only, so the split lives in
    package.json, and the lock must agree with it (the versions stay pinned exactly)."""
    package = json.loads((REPO / "package.json").read_text())
    assert set(package["dependencies"]) == SERVING_NPM
    assert set(package["devDependencies"]) == TEST_ONLY_NPM
    lock = json.loads((REPO / "package-lock.json").read_text())
    root = lock["packages"][""]
    assert root.get("dependencies") == package["dependencies"]
    assert root.get("devDependencies") == package["devDependencies"]
    for name, version in {**package["dependencies"], **package["devDependencies"]}.items():
        entry = lock["packages"][f"node_modules/{name}"]
        assert entry["version"] == version
        assert entry.get("dev", False) == (name in TEST_ONLY_NPM), name


def test_serve_demo_sets_up_for_serving_and_run_tests_for_tests():
    setup_calls = {script: [line.split() for line in (REPO / "scripts" / script).read_text().splitlines()
                            if line.startswith("scripts/setup")]
                   for script in ("serve-demo", "run-tests")}
    assert setup_calls == {"serve-demo": [["scripts/setup"]], "run-tests": [["scripts/setup", "--test"]]}
    assert "scripts/run-tests" in (REPO / ".ci" / "run").read_text()


def copy_setup(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "scripts").mkdir(parents=True)
    shutil.copy2(SETUP, root / "scripts" / "setup")
    for name in ("constraints.txt", "pyproject.toml"):
        shutil.copy2(REPO / name, root / name)
    return root


def pip_state(root: Path, *args: str) -> str:
    result = subprocess.run(["bash", str(root / "scripts" / "setup"), *args, "--print-plan"],
                            capture_output=True, text=True, env={**os.environ, "PORTAL_SKIP_SYSTEM": "1"}, timeout=60)
    assert result.returncode == 0, result.stderr
    [line] = [line for line in result.stdout.splitlines() if line.startswith("pip ")]
    return line.split()[2]


@pytest.mark.parametrize("stamped, serve_state, test_state", [
    (None, "missing", "missing"),
    ("serve", "present", "missing"),  # a venv made by serve-demo gets the [test] extra from run-tests
    ("test", "present", "present"),  # the test install covers serving too
])
def test_stamps(tmp_path, stamped, serve_state, test_state):
    root = copy_setup(tmp_path)
    if stamped:
        digest = hashlib.sha1((root / "constraints.txt").read_bytes() + (root / "pyproject.toml").read_bytes())
        (root / ".venv").mkdir()
        (root / ".venv" / f".installed-{digest.hexdigest()[:12]}-{stamped}").touch()
    assert (pip_state(root), pip_state(root, "--test")) == (serve_state, test_state)
    if stamped:  # a changed pyproject.toml or constraints.txt means installing again
        with (root / "pyproject.toml").open("a") as f:
            f.write("\n")
        assert (pip_state(root), pip_state(root, "--test")) == ("missing", "missing")
