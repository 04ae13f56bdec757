"""Approvals (审批): spending approved by letter, one file each in ``data/approvals/``.

The registry entry is ``kind.KIND``; importing the model does not load the rest."""
