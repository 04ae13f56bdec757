"""How amounts of money are written on the site (tables, charts, the ``money`` filter)."""

from __future__ import annotations


def money(value: float | None) -> str:
    """``12,345.50`` style; whole amounts without decimals.

    >>> money(12000), money(31500.5), money(None)
    ('12,000', '31,500.50', '')
    """
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"
