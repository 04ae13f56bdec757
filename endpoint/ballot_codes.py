"""Ballot codes: one per household, printed on a slip, typed once by a resident.

A code is 12 symbols, ``K7QM-4XRA-3PCW``: 11 random symbols and a check symbol,
from the receipts' alphabet (``portal_core.receipts``: no 0/O, 1/I/L, 2/Z, 5/S,
8/B, U/V), so that what an elderly resident reads off the slip is what the code
says. Typing is forgiving about case, spaces and dashes.

The check symbol makes ``Σ position × value ≡ 0 (mod 23)`` over all 12 symbols
(positions 1…12). 23 is prime and every weight is below it, so every single
wrong symbol and every swap of two neighbours is told apart from a wrong code
without asking the store: the resident is told "check the code", not "no such
code", and the guess costs no rate-limit token.

Entropy: 23¹¹ ≈ 9.5 × 10¹⁴ (≈ 50 bits) per round. With 10,000 households and
the per-round limit of wrong codes (``Settings.ballot_round_misses_per_minute``,
30 a minute by default), a month of guessing at the limit finds a code with a
probability of about 1.4 × 10⁻⁵.

The store keeps only ``code_hash``: an HMAC-SHA256 keyed with the endpoint's
secret over the round and the code, so a copy of the database alone (a backup,
a leaked file) neither shows the codes nor lets anyone test guesses offline.
"""

from __future__ import annotations

import hashlib
import hmac

from portal_core.receipts import ALPHABET, random_symbols

RANDOM = 11
LENGTH = RANDOM + 1
_BASE = len(ALPHABET)  # 23, a prime: see the module docstring
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}


def _check_symbol(symbols: str) -> str:
    """The 12th symbol for 11 random ones (12 × 2 ≡ 1 mod 23, so its weight's inverse is 2)."""
    total = sum((i + 1) * _VALUE[ch] for i, ch in enumerate(symbols))
    return ALPHABET[(-2 * total) % _BASE]


def _format(raw: str) -> str:
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def new_code() -> str:
    """A fresh code, e.g. ``K7QM-4XRA-3PCW`` (cryptographically random).

    >>> check(new_code())
    'ok'
    """
    raw = random_symbols(RANDOM)
    return _format(raw + _check_symbol(raw))


def check(text: str) -> str:
    """``ok``, or why ``text`` cannot be a code: ``missing``, ``length`` (too few or
    too many symbols), ``symbol`` (a character codes never hold), ``typo`` (the
    check symbol does not fit: a symbol mistyped or two swapped).

    >>> check("K7QM 4XRA 3PC"), check("K7QM-4XRA-3PC0"), check("")
    ('length', 'symbol', 'missing')
    >>> code = new_code(); swapped = code[1] + code[0] + code[2:]
    >>> code[0] == code[1] or check(swapped) == "typo"
    True
    """
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    if not raw:
        return "missing"
    if any(ch not in _VALUE for ch in raw):
        return "symbol"
    if len(raw) != LENGTH:
        return "length"
    if sum((i + 1) * _VALUE[ch] for i, ch in enumerate(raw)) % _BASE:
        return "typo"
    return "ok"


def normalize(text: str) -> str | None:
    """The canonical form of a code typed by a person, or None unless ``check`` says ok.

    >>> code = new_code(); normalize(code.lower().replace("-", " ")) == code
    True
    """
    if check(text) != "ok":
        return None
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    return _format(raw)


def code_hash(secret: bytes, round_id: str, code: str) -> str:
    """What the store keeps of a code: a keyed hash, bound to its round."""
    message = f"ballot-code\n{round_id}\n{code}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()
