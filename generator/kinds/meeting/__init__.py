"""Meetings with their agenda, options, votes and decisions: ``data/meetings/<id>.yaml``; see ``model``.

The registry entry is ``kind.KIND``; importing the model does not load the rest."""
