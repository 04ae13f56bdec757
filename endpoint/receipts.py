"""Receipt numbers: short, unguessable, and easy to read aloud over the phone.

The alphabet leaves out look-alikes and sound-alikes (0/O, 1/I/L, 2/Z, 5/S,
8/B, U/V): 23 symbols, 10 of them ≈ 45 bits, printed as ``XXXX-XXXX-XX``.
Typed input is forgiving about case, spaces and dashes.
"""

from __future__ import annotations

import secrets

ALPHABET = "34679ACDEFGHJKMNPQRTWXY"
LENGTH = 10


def new_receipt() -> str:
    """A fresh receipt, e.g. ``K7QM-4XRA-3P`` (cryptographically random)."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
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
