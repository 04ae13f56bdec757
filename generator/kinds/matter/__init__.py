"""Matters (事项): one item followed from origin to result, ``data/matters/``.

The registry entry is ``kind.KIND``; importing the model does not load the rest."""
