"""Receipt numbers: short, unguessable, and easy to read aloud over the phone.

The alphabet leaves out look-alikes and sound-alikes (0/O, 1/I/L, 2/Z, 5/S,
8/B, U/V): 23 symbols, 10 of them ≈ 45 bits, printed as ``XXXX-XXXX-XX``.
Typed input is forgiving about case, spaces and dashes.
"""

from __future__ import annotations

import os

ALPHABET = "34679ACDEFGHJKMNPQRTWXY"
LENGTH = 10
# 23**10 ≈ 4.1e13 receipts


def random_symbols(count: int) -> str:
    """``count`` symbols of ``ALPHABET``, cryptographically random and each exactly as likely.

    One ``os.urandom`` call for up to 14 symbols (the writer thread makes one per
    submission, holding the GIL the event loop needs), not one per symbol; values
    at or above the largest multiple of the space below 2**64 are drawn again
    (rejection sampling, no modulo bias). Ballot codes draw theirs here too.

    >>> len(random_symbols(11)), set(random_symbols(10)) <= set(ALPHABET)
    (11, True)
    """
    space = len(ALPHABET) ** count
    if space > 2**64:
        raise ValueError("at most 14 symbols per draw")
    limit = (2**64 // space) * space
    while True:
        value = int.from_bytes(os.urandom(8), "big")
        if value < limit:
            break
    value %= space
    symbols = []
    for _ in range(count):
        value, digit = divmod(value, len(ALPHABET))
        symbols.append(ALPHABET[digit])
    return "".join(symbols)


def new_receipt() -> str:
    """A fresh receipt, e.g. ``K7QM-4XRA-3P`` (cryptographically random)."""
    raw = random_symbols(LENGTH)
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
