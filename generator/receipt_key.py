"""The published key of a receipt: PBKDF2-SHA256, 100,000 rounds, salted with
the community id. Receipts have ~45 bits; a fast hash of them could be brute
forced from the public data, this one cannot in practice. The receipt lookup
page computes the same key in the browser (WebCrypto), so it works on a static
host.

The 128 derived bits are written with 16 letters, one per 4 bits, and no digit:
the first keys were hex, and about 0.15 % of them held 11 digits that the
privacy check rightly takes for a mobile number. A key without digits can match
neither a mobile nor an ID-card number (nor an e-mail: no ``@``). Hex keys
already published stay valid: the lookup page and ``portal inbox publish``
compute both forms, and the privacy check knows a hex key by its field.
"""

from __future__ import annotations

import hashlib
import re

ROUNDS = 100_000
#: One letter per hex digit 0–f: disjoint from hex (so the two forms never meet) and
#: without the look-alikes i, l, o, u.
LETTERS = "ghjkmnpqrstvwxyz"
_TO_LETTERS = str.maketrans("0123456789abcdef", LETTERS)
LETTER_KEY = re.compile(f"[{LETTERS}]{{32}}")
HEX_KEY = re.compile(r"[0-9a-f]{32}")


def derive(receipt: str, community_id: str) -> str:
    """The slow part: the 128 derived bits as hex (cached by ``portal inbox publish``)."""
    raw = hashlib.pbkdf2_hmac("sha256", receipt.upper().encode(), f"portal-receipt:{community_id}".encode(),
                              ROUNDS, dklen=16)
    return raw.hex()


def letters(hex_key: str) -> str:
    """The published form of derived bits given as hex.

    >>> letters("0123456789abcdef" * 2)
    'ghjkmnpqrstvwxyzghjkmnpqrstvwxyz'
    """
    return hex_key.translate(_TO_LETTERS)


def receipt_key(receipt: str, community_id: str) -> str:
    """32 letters, no digit.

    >>> key = receipt_key("K7QM-4XRA-3P", "demo")
    >>> len(key), bool(LETTER_KEY.fullmatch(key))
    (32, True)
    """
    return letters(derive(receipt, community_id))


def forms(hex_key: str) -> tuple[str, str]:
    """Every form a published key of these bits may have: (current, first release's hex)."""
    return letters(hex_key), hex_key
