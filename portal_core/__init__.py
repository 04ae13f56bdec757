"""The small core the site builder and the submission endpoint share: what a
compiled form requires (``forms``), the signed form tokens (``tokens``), receipt
numbers (``receipts``) and what the forms say to residents (``messages``).

It imports nothing of ``generator`` or ``endpoint`` and nothing outside the
standard library (the layer contracts in ``pyproject.toml`` hold it to that),
so the endpoint installs without the site builder.
"""
