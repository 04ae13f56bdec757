"""One mkdocs build, as ``portal build`` runs it in a worker process.

Its own module, importing only mkdocs and the standard library: a ``spawn`` worker imports
the module of the function it runs, and ``generator.build`` would bring the whole generator
(registry, kinds, models: about 0.8 s of CPU per worker, twice per community of a street).
"""

from __future__ import annotations

import logging
import time


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
