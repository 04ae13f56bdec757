"""Approvals (审批): spending approved by letter, one file each in ``data/approvals/``."""
