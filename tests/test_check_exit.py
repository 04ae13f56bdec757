"""``portal check`` as the process exits without freeing what the check loaded
(``pipeline.check(last=True)``, ``cli.exit_now``); callers inside another program
(the library, a ``CliRunner``) keep nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from generator import pipeline
from generator.cli import main

REPO = Path(__file__).resolve().parent.parent

#: runs ``portal check`` as the ``portal`` script does, with an exit handler that reports
#: what the check kept
PROGRAM = """
import atexit, sys
from generator import pipeline
atexit.register(lambda: print(f"kept {len(pipeline.KEPT)}", file=sys.stderr))
from generator.cli import main
sys.argv[0] = "/somewhere/bin/portal"
main(sys.argv[1:])
"""
#: runs the command inside another program, which goes on after it
EMBEDDED = """
import sys
from generator.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    print(f"went on after exit {exc.code}", file=sys.stderr)
"""


def broken(minimal) -> Path:  # type: ignore[no-untyped-def]
    minimal.replace("data/meetings/2024-03-10-jwh.yaml", "votes: {for: 5, against: 1, abstain: 0}",
                    "votes: {for: 1, against: 5, abstain: 0}")
    return Path(minimal.root)


def test_library_and_cli_runner_callers_keep_nothing(minimal):
    root = broken(minimal)
    assert not pipeline.check(root, jobs=1).ok
    result = CliRunner().invoke(main, ["check", str(root), "--jobs", "1"])
    assert result.exit_code == 1 and "votes.outcome-mismatch" in result.output
    assert pipeline.KEPT == []


def test_the_command_exits_with_its_status_output_and_exit_handlers(minimal):
    root = broken(minimal)
    expected = CliRunner().invoke(main, ["check", str(root), "--jobs", "1"])
    env = {**os.environ, "PYTHONPATH": str(REPO), "PORTAL_NO_CACHE": "1"}
    run = subprocess.run([sys.executable, "-c", PROGRAM, "check", str(root), "--jobs", "1"],
                         capture_output=True, text=True, env=env, cwd=REPO)
    assert run.returncode == expected.exit_code == 1
    assert run.stdout == expected.output
    assert run.stderr.strip() == "kept 1"  # the handlers ran, with the check's objects still there
    module = subprocess.run([sys.executable, "-m", "generator", "check", str(root), "--jobs", "1"],
                            capture_output=True, text=True, env=env, cwd=REPO)
    assert (module.returncode, module.stdout) == (1, expected.output)


def test_a_program_running_the_command_inside_itself_goes_on(minimal):
    root = broken(minimal)
    env = {**os.environ, "PYTHONPATH": str(REPO), "PORTAL_NO_CACHE": "1"}
    run = subprocess.run([sys.executable, "-c", EMBEDDED, "check", str(root), "--jobs", "1"],
                         capture_output=True, text=True, env=env, cwd=REPO)
    assert run.returncode == 0 and "votes.outcome-mismatch" in run.stdout
    assert run.stderr.strip() == "went on after exit 1"


def test_the_loaded_documents_are_freed_before_the_collector_is_back_on(minimal, monkeypatch):
    """Freed after it, the collector's first run walks every loaded object once more."""
    import gc
    import weakref

    refs: list[weakref.ref[object]] = []
    alive_at_enable: list[bool] = []
    real_run, real_enable = pipeline._run, gc.enable

    def run(*args, **kw):  # type: ignore[no-untyped-def]
        checked = real_run(*args, **kw)
        refs.append(weakref.ref(checked.project.docs["meeting"][0]))
        return checked

    def enable() -> None:
        alive_at_enable.append(any(r() is not None for r in refs))
        real_enable()

    monkeypatch.setattr(pipeline, "_run", run)
    monkeypatch.setattr(gc, "enable", enable)
    pipeline.check(Path(minimal.root), jobs=1)
    assert refs and alive_at_enable == [False]
