"""The printable A4 sheet of ballot slips (``portal-endpoint ballots issue --sheet``):
one slip per code with the round's title, its dates, how to vote online and on
paper, and the code. A self-contained HTML file (print CSS, no scripts, fonts or
images from anywhere), four slips to a page, cut along the dashed lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from portal_core import i18n

TEMPLATES = Path(__file__).resolve().parent.parent / "site_templates" / "endpoint"


def render_sheet(codes: list[str], *, title: str, lang: str = "zh", url: str = "", opens: str | None = None,
                 closes: str | None = None) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)

    def say(key: str, **params: Any) -> str:
        return i18n.text(f"endpoint.ballot.{key}", lang, **params)

    return env.get_template("ballot_sheet.html").render(codes=codes, title=title, lang=lang, url=url, opens=opens,
                                                        closes=closes, say=say)
