"""Matters (事项): one item followed from origin to result, ``data/matters/``."""
