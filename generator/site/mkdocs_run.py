"""One mkdocs build, as ``portal build`` runs it in a worker process.

Its own module, importing only mkdocs and the standard library, and run as a program
(``python -m generator.site.mkdocs_run CONFIG [--dirty]``): a worker imports nothing of the
generator but this. A ``spawn`` process pool worker imports the module of the function it
runs (``generator.build`` is the whole generator: registry, kinds, models) and, first, the
parent's main script again, which for the ``portal`` command imports ``generator.cli``:
about 1 s of CPU per worker, twice per community of a street.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

#: The folder holding the ``generator`` package: the workers run the same code as the caller.
_CODE = str(Path(__file__).resolve().parents[2])

#: mkdocs processes running at once in this process, whoever started them: a street builds
#: two communities at once, each with a worker per language, and four mkdocs processes on
#: two cores are not faster than two but hold more memory (a street of 4 communities:
#: peak 524 → 471 MB; bench/README.md, issue #20).
_RUNNING = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))


class MkdocsFailed(Exception):
    """A worker's mkdocs build failed (its own messages went to standard error)."""


class _NoDirtyWarning(logging.Filter):
    """mkdocs warns that a dirty build may leave wrong navigation: the portal's does not
    (``generator.kept_site`` says when it is used)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build" not in record.getMessage()


def mkdocs_build(config_file: str, dirty: bool = False) -> float:
    """Run one mkdocs build (in a worker process); ``dirty``: only the pages whose
    Markdown is newer than their HTML (``generator.kept_site``). Returns its seconds.

    No search plugin runs (search is Pagefind's, after mkdocs), so nothing imports jieba
    here: importing it only to quiet its log cost 0.2 s of CPU per worker (pkg_resources)."""

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    build_log = logging.getLogger("mkdocs.commands.build")
    if not any(isinstance(f, _NoDirtyWarning) for f in build_log.filters):  # once per process
        build_log.addFilter(_NoDirtyWarning())
    start = time.perf_counter()
    build(load_config(config_file), dirty=dirty)
    return time.perf_counter() - start


def run_all(runs: list[tuple[str, bool]], workers: int) -> None:
    """Run the mkdocs builds (configuration file, dirty) in worker processes, up to
    ``workers`` at once and no more than the cores across the process (threads only
    wait on them). Raises ``MkdocsFailed``."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [_CODE, os.environ.get("PYTHONPATH")]))}

    def one(run: tuple[str, bool]) -> None:
        config_file, dirty = run
        # -P: not the current folder first on the path (it may hold another checkout's generator)
        command = [sys.executable, "-P", "-m", __name__, config_file, *(["--dirty"] if dirty else [])]
        with _RUNNING:
            code = subprocess.run(command, env=env, stdin=subprocess.DEVNULL).returncode
        if code != 0:
            raise MkdocsFailed(f"mkdocs build of {config_file} failed (exit {code})")

    with ThreadPoolExecutor(max(1, workers)) as pool:
        list(pool.map(one, runs))


if __name__ == "__main__":
    mkdocs_build(sys.argv[1], dirty="--dirty" in sys.argv[2:])
