"""Requests and replies published from the inbox (诉求办理公开): ``data/requests/<year>.yaml``; see ``model``.

The registry entry is ``kind.KIND``; importing the model does not load the rest."""
