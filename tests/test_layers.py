"""The packages form layers with no cycles (import-linter contracts in pyproject.toml):
the endpoint and the shared core import nothing of the site builder, the builder's
packages and the site's modules each import only from the layers below them, and
no two siblings import each other."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def test_contracts_are_kept():
    done = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_the_contracts_cover_the_layers():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    contracts = {c["id"]: c for c in config["contracts"]}
    assert set(contracts) == {"core-alone", "endpoint-alone", "generator-layers", "site-layers", "no-cycles"}
    assert "generator" in contracts["endpoint-alone"]["forbidden_modules"]
    assert {"generator", "endpoint"} <= set(contracts["core-alone"]["forbidden_modules"])
    assert contracts["no-cycles"]["ancestors"] == ["generator", "endpoint", "portal_core"]
    # Every module of generator/ sits in a layer (a new one must be placed, not slip through).
    placed = {name.strip() for layer in contracts["generator-layers"]["layers"] for name in layer.split("|")}
    present = {p.stem for p in (REPO / "generator").glob("*.py") if p.stem != "__init__"}
    present |= {p.name for p in (REPO / "generator").iterdir() if (p / "__init__.py").exists()}
    assert present - placed == set()
    placed = {name.strip() for layer in contracts["site-layers"]["layers"] for name in layer.split("|")}
    present = {p.stem for p in (REPO / "generator" / "site").glob("*.py") if p.stem != "__init__"}
    assert present - placed == set()
