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


# -- an installed (non-editable) portal ----------------------------------------

#: What a wheel is built from: the sources as pyproject.toml packages them.
SOURCES = ("pyproject.toml", "README.md", "generator", "endpoint", "portal_core", "site_templates")


def build_wheel(dest: Path) -> Path:
    """``pip wheel --no-deps`` of a copy of the sources (so the build writes no
    build/ or egg-info into the shared checkout)."""
    import shutil

    src = dest / "src"
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            src.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, src / name)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dest / "dist"), str(src)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = (dest / "dist").glob("community_portal-*.whl")
    return wheel


def bare_venv(dest: Path) -> Path:
    """A new virtualenv without the portal, whose dependencies resolve to this
    test environment's packages.

    ``--system-site-packages`` would expose the base interpreter's packages, not
    this venv's, so a ``.pth`` line adds this venv's site-packages instead. A
    ``.pth`` line adds a path without running the ``.pth`` files in it, so the
    editable install of the checkout stays invisible: ``generator`` can only
    come from what gets installed into the new venv.
    """
    import sysconfig
    import venv

    venv.EnvBuilder(with_pip=True).create(dest)
    python = dest / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    (Path(purelib) / "portal-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return dest


def venv_env(venv_dir: Path) -> dict[str, str]:
    """The environment of a shell in ``venv_dir``: its bin/ first on PATH."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["PATH"] = f"{venv_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv_dir)
    return env
