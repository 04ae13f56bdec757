"""The jinja2 environment of the scaffold templates.

Delimiters are ``[[ … ]]`` / ``[% … %]`` instead of jinja's defaults because the
templates are YAML files for GitHub Actions, whose own ``${{ … }}`` expressions
must reach the output unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from portal_core.i18n import pair, text


def known(values: list[str]) -> dict[str, str]:
    """A list of what exists, for a refusal: ``known`` (zh, joined with 、) and ``known_en``."""
    return {"known": "、".join(values) or text("cli.none", "zh"),
            "known_en": ", ".join(values) or text("cli.none", "en")}

HERE = Path(__file__).resolve().parent
SKELETON = HERE / "skeleton"
TEMPLATES = HERE / "templates"

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(HERE)),
    variable_start_string="[[",
    variable_end_string="]]",
    block_start_string="[%",
    block_end_string="%]",
    comment_start_string="[#",
    comment_end_string="#]",
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,  # a missing variable is a bug, not an empty string
    autoescape=False,  # YAML and Markdown, not HTML
)


def render(template: str, **values: Any) -> str:
    """Render ``template`` (a path relative to this package, e.g. ``templates/notice.yaml.j2``)."""
    return _ENV.get_template(template).render(**values)


def render_file(path: Path, **values: Any) -> str:
    """Render a template kept elsewhere, e.g. a kind's ``new.yaml.j2`` in its folder."""
    return _ENV.overlay(loader=jinja2.FileSystemLoader(str(path.parent))).get_template(path.name).render(**values)


class ScaffoldError(Exception):
    """A refusal with a message for the committee, in Chinese and English: the
    catalog's ``key`` (``cli.new.…``, ``cli.init.…``) with its parameters."""

    def __init__(self, key: str, **params: Any) -> None:
        self.zh, self.en = pair(key, **params)
        super().__init__(self.en)

    def message(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en
