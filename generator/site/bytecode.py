"""Compiled jinja2 templates kept for the life of the process (and, by ``generator.site.compiled``,
between processes).

Compiling templates is a large share of rendering again: the portal's page
templates for each language and each ``portal serve`` re-render, and the theme's
templates for each of mkdocs' rebuilds in ``portal serve`` (mkdocs makes a new
environment, and so compiles the theme again, on every rebuild). jinja2 checks
each entry against the template's source (a checksum), so an edited template is
compiled again. One cache per kind of environment: code compiled for one
environment's settings (autoescape, trim_blocks …) is never given to another.
"""

from __future__ import annotations

import jinja2
from jinja2.bccache import Bucket


class SharedBytecode(jinja2.BytecodeCache):
    """jinja2's bytecode cache, in memory."""

    def __init__(self) -> None:
        self.codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.codes:
            bucket.bytecode_from_string(self.codes[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.codes[bucket.key] = bucket.bytecode_to_string()


#: The mkdocs theme's templates in ``portal serve`` (``generator.site.serve_hooks``).
THEME = SharedBytecode()
