"""Helpers of the scaffold tests (init, new, CI templates, pre-commit): the real
``portal`` command in a subprocess, and an initialised project in a temp dir."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
#: The console script pip installed beside this interpreter: what a user runs.
PORTAL = str(Path(sys.executable).parent / "portal")


def portal(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
           timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PORTAL, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def init(tmp_path: Path, *args: str, name: str = "site") -> Path:
    """``portal init`` a new project under ``tmp_path``; fails the test on a non-zero exit."""
    done = portal("init", name, *args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr + done.stdout
    return tmp_path / name


def check_json(project: Path) -> dict[str, Any]:
    """``portal check --format json`` on ``project``."""
    done = portal("check", "--format", "json", cwd=project)
    assert done.returncode in (0, 1), done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report
