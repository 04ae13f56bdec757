"""Notices (通知, 公示): ``data/notices/<id>.yaml``; see ``model``.

The registry entry is ``kind.KIND``; importing the model does not load the rest."""
