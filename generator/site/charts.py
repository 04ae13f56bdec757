"""Bar charts as inline SVG, drawn at build time: no JavaScript, no chart CDN.

Each chart is an image with a text alternative (``role="img"`` + ``<title>``);
the page puts the same figures in a table right after it for screen readers
and for print.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from generator.site.render import money

ROW = 34
LABEL_W = 150
BAR_W = 360


def bars(title: str, rows: list[tuple[str, float, float | None]], planned: str, actual: str) -> Markup:
    """Planned (light) and actual (dark) bars per category.

    >>> "<svg" in bars("t", [("a", 10, 5)], "P", "A")
    True
    """
    if not rows:
        return Markup("")
    top = max(max(p, a or 0) for _, p, a in rows) or 1
    height = ROW * len(rows) + 30
    width = LABEL_W + BAR_W + 110
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<g class="legend" font-size="12"><rect x="{LABEL_W}" y="4" width="12" height="12" class="planned"/>'
        f'<text x="{LABEL_W + 16}" y="14">{escape(planned)}</text>'
        f'<rect x="{LABEL_W + 90}" y="4" width="12" height="12" class="actual"/>'
        f'<text x="{LABEL_W + 106}" y="14">{escape(actual)}</text></g>',
    ]
    for i, (label, p, a) in enumerate(rows):
        y = 26 + i * ROW
        pw = BAR_W * p / top
        parts.append(f'<text x="{LABEL_W - 6}" y="{y + 16}" text-anchor="end" font-size="13">{escape(label[:12])}</text>')
        parts.append(f'<rect x="{LABEL_W}" y="{y + 2}" width="{pw:.1f}" height="12" class="planned"/>')
        if a is not None:
            aw = BAR_W * a / top
            parts.append(f'<rect x="{LABEL_W}" y="{y + 15}" width="{aw:.1f}" height="12" class="actual"/>')
        value = money(a if a is not None else p)
        parts.append(f'<text x="{LABEL_W + BAR_W + 6}" y="{y + 18}" font-size="12">{value}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
