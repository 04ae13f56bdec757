"""Receipt numbers: short, unguessable, and easy to read aloud over the phone.

The alphabet leaves out look-alikes and sound-alikes (0/O, 1/I/L, 2/Z, 5/S,
8/B, U/V): 23 symbols, 10 of them ≈ 45 bits, printed as ``XXXX-XXXX-XX``.
Typed input is forgiving about case, spaces and dashes.
"""

from __future__ import annotations

import os

ALPHABET = "34679ACDEFGHJKMNPQRTWXY"
LENGTH = 10
_SPACE = len(ALPHABET) ** LENGTH  # ≈ 4.1e13 receipts
#: Largest multiple of _SPACE below 2**64: values at or above it are drawn again,
#: so every receipt is exactly as likely (rejection sampling, no modulo bias).
_LIMIT = (2**64 // _SPACE) * _SPACE


def new_receipt() -> str:
    """A fresh receipt, e.g. ``K7QM-4XRA-3P`` (cryptographically random).

    One ``os.urandom`` call per receipt (the writer thread makes one per
    submission, holding the GIL the event loop needs), not one per symbol.
    """
    while True:
        value = int.from_bytes(os.urandom(8), "big")
        if value < _LIMIT:
            break
    value %= _SPACE
    symbols = []
    for _ in range(LENGTH):
        value, digit = divmod(value, len(ALPHABET))
        symbols.append(ALPHABET[digit])
    raw = "".join(symbols)
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalize(text: str) -> str | None:
    """Canonical form of a receipt typed by a person, or None if it cannot be one.

    >>> r = new_receipt(); normalize(r.lower().replace("-", " ")) == r
    True
    >>> normalize("0000-0000-00") is None
    True
    """
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(raw) != LENGTH or any(ch not in ALPHABET for ch in raw):
        return None
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
