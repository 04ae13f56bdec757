"""QR codes as inline SVG (segno: pure Python, no image files, no network)."""

from __future__ import annotations

import io

import segno
from markupsafe import Markup


def qr_svg(url: str, title: str) -> Markup:
    """An SVG QR code for ``url``.

    >>> qr_svg("http://localhost:8000/notices/1/", "QR").startswith("<svg")
    True
    """
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", xmldecl=False, svgns=True, nl=False,
                                    title=title, svgclass="qr-code", omitsize=True, border=2)
    return Markup(buf.getvalue().decode("utf-8"))


def page_url(site_url: str, path: str) -> str:
    """Public address of a generated page (``use_directory_urls``).

    >>> page_url("https://x.cn/", "notices/2025-001.md"), page_url("https://x.cn/en/", "index.md")
    ('https://x.cn/notices/2025-001/', 'https://x.cn/en/')
    """
    rel = path.removesuffix(".md")
    if rel == "index" or rel.endswith("/index"):
        rel = rel.removesuffix("index")
    else:
        rel += "/"
    return site_url.rstrip("/") + "/" + rel
