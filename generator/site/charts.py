"""Bar charts as inline SVG, drawn at build time: no JavaScript, no chart CDN.

Each chart is an image with a text alternative (``role="img"`` + ``<title>``);
the page puts the same figures in a table right after it for screen readers
and for print. Labels sit above their bars so the chart stays legible on a
phone (the viewBox is narrow: it scales down little on a 360 px screen).
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from generator.site.amounts import money

WIDTH = 360
ROW = 52
BAR_W = 250


def bars(title: str, rows: Sequence[tuple[str, float, float | None] | tuple[str, float, float | None, str]],
         planned: str, actual: str) -> Markup:
    """Planned (light) and actual (dark) bars per category. An actual of None is not
    recorded: no bar is drawn (a zero-length bar would say 0), only the row's note,
    which also follows a partial actual ("1 not recorded").

    >>> "<svg" in bars("t", [("a", 10, 5)], "P", "A")
    True
    >>> svg = bars("t", [("a", 10, None, "not recorded")], "P", "A")
    >>> svg.count('class="actual"'), "not recorded" in svg
    (1, True)
    """
    if not rows:
        return Markup("")
    top = max(max(r[1], r[2] or 0) for r in rows) or 1
    height = ROW * len(rows) + 28
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg" font-size="14">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="4" width="14" height="14" class="planned"/><text x="20" y="16">{escape(planned)}</text>'
        f'<rect x="110" y="4" width="14" height="14" class="actual"/><text x="130" y="16">{escape(actual)}</text>',
    ]
    for i, row in enumerate(rows):
        label, p, a = row[0], row[1], row[2]
        note = row[3] if len(row) > 3 else ""
        y = 28 + i * ROW
        # the note sits at the right of the label line (a bar's end has no room for it)
        parts.append(f'<text x="0" y="{y + 14}">{escape(label[:12] if note else label[:20])}</text>')
        if note:
            parts.append(f'<text x="{WIDTH}" y="{y + 14}" text-anchor="end" font-size="12" class="gap">'
                         f'{escape(note)}</text>')
        parts.append(f'<rect x="0" y="{y + 20}" width="{BAR_W * p / top:.1f}" height="12" class="planned"/>')
        parts.append(f'<text x="{BAR_W + 6}" y="{y + 31}" font-size="12">{money(p)}</text>')
        if a is not None:
            parts.append(f'<rect x="0" y="{y + 34}" width="{BAR_W * a / top:.1f}" height="12" class="actual"/>')
            parts.append(f'<text x="{BAR_W + 6}" y="{y + 45}" font-size="12">{money(a)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
