"""`portal check` does not import what only a build or a count needs: pabutools (and
numpy under it), icalendar and segno cost ~0.4 s of every check's start otherwise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("pabutools", "numpy", "icalendar", "segno")


def test_the_check_does_not_import_the_build_only_libraries(tmp_path: Path) -> None:
    code = ("import sys\nfrom generator.pipeline import check\n"
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_counting_still_imports_them_when_it_runs() -> None:
    from generator.kinds.round.counting import select

    assert select({"a": 10.0, "b": 20.0}, 25.0, "approval", "greedy", None,
                  [("1", "a", 1), ("2", "b", 1), ("3", "b", 1)], {}) == ["b"]
    assert "pabutools" in sys.modules
