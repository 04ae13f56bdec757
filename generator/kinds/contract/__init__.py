"""Contracts (合同): one file each in ``data/contracts/``.

The registry entry is ``kind.KIND``; importing the model does not load the rest."""
