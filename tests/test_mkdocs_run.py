"""The mkdocs workers of ``portal build`` (``spawn`` processes) import only what a mkdocs
build needs: the module they run from imports nothing of the generator, so a worker does
not load the registry, the kinds and their models (``generator.site.mkdocs_run``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_worker_module_imports_no_other_generator_module() -> None:
    code = ("import sys, generator.site.mkdocs_run\n"
            "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] == 'generator')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120,
                          check=True)
    assert done.stdout.split() == ["generator", "generator.site", "generator.site.mkdocs_run"]
