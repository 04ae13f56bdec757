"""Contracts (合同): one file each in ``data/contracts/``."""
