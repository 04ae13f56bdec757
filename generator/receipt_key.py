"""The published key of a receipt: PBKDF2-SHA256, 100,000 rounds, salted with
the community id. Receipts have ~45 bits; a fast hash of them could be brute
forced from the public data, this one cannot in practice. The receipt lookup
page computes the same key in the browser (WebCrypto), so it works on a static
host.
"""

from __future__ import annotations

import hashlib

ROUNDS = 100_000


def receipt_key(receipt: str, community_id: str) -> str:
    """32 hex characters.

    >>> len(receipt_key("K7QM-4XRA-3P", "demo"))
    32
    """
    raw = hashlib.pbkdf2_hmac("sha256", receipt.upper().encode(), f"portal-receipt:{community_id}".encode(),
                              ROUNDS, dklen=16)
    return raw.hex()
