"""The packages form layers with no cycles (import-linter contracts in pyproject.toml):
the endpoint and the shared core import nothing of the site builder, the builder's
packages and the site's modules each import only from the layers below them, the
engines import no particular kind (only the registry does), and no two siblings
import each other."""

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
    assert set(contracts) == {"core-alone", "endpoint-alone", "generator-layers", "kind-folders", "kind-declarations",
                              "engines-use-hooks", "no-cycles"}
    # The engines reach a kind only through the registry's hooks: every kind folder, a new one too.
    hooks = contracts["engines-use-hooks"]
    assert hooks["forbidden_modules"] == ["generator.kinds.*"]
    assert {"generator.site", "generator.checks", "generator.build", "generator.load", "generator.tables",
            "generator.inbox", "generator.reference", "generator.forms_spec", "generator.pipeline", "generator.cli",
            "generator.serve"} <= set(hooks["source_modules"])
    assert "generator.registry" not in hooks["source_modules"]
    assert "generator" in contracts["endpoint-alone"]["forbidden_modules"]
    assert {"generator", "endpoint"} <= set(contracts["core-alone"]["forbidden_modules"])
    assert {"endpoint", "portal_core"} <= set(contracts["no-cycles"]["ancestors"])
    # Every module of generator/ and generator/site/ sits in a layer, so a new one must be
    # placed and cannot slip in unchecked; the kind folders have contracts of their own.
    placed = {name.strip() for layer in contracts["generator-layers"]["layers"] for name in layer.split("|")}
    package = REPO / "generator"
    present = {f"generator.{p.stem}" for p in package.glob("*.py") if p.stem != "__init__"}
    present |= {f"generator.{p.name}" for p in package.iterdir()
                if (p / "__init__.py").exists() and p.name not in ("kinds", "site", "street")}
    present |= {f"generator.site.{p.stem}" for p in (package / "site").glob("*.py") if p.stem != "__init__"}
    # the street's engines too; its model, like a kind's, is a schema below every layer
    present |= {f"generator.street.{p.stem}" for p in (package / "street").glob("*.py")
                if p.stem not in ("__init__", "model")}
    assert present - placed == set()
