"""QR codes as inline SVG (segno: pure Python, no image files, no network)."""

from __future__ import annotations

import io
from functools import lru_cache
from typing import TYPE_CHECKING

from markupsafe import Markup

if TYPE_CHECKING:  # segno (and urllib, ssl under it) cost ~40 ms to import: only a build draws codes
    import segno

#: A fixed mask: segno otherwise scores all eight masks for every code, the largest
#: share of the render step (issue #20). Any mask is a valid code (ISO/IEC 18004 §7.8;
#: the penalty score only helps poor scanners a little); tests decode them with zbarimg.
MASK = 2


@lru_cache(maxsize=4096)
def qr_svg(url: str, title: str) -> Markup:
    """An SVG QR code for ``url`` (cached: both languages' print pages and ``portal serve``'s
    re-renders ask for the same codes).

    >>> qr_svg("http://localhost:8000/notices/1/", "QR").startswith("<svg")
    True
    """
    buf = io.BytesIO()
    qr_code(url).save(buf, kind="svg", xmldecl=False, svgns=True, nl=False,
                                    title=title, svgclass="qr-code", omitsize=True, border=2)
    return Markup(buf.getvalue().decode("utf-8"))


def qr_code(url: str) -> segno.QRCode:
    """The code ``qr_svg`` draws (tests decode it as PNG)."""
    import segno

    return segno.make(url, error="m", mask=MASK)


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
