"""The service directory (办事指南): ``data/services/<id>.yaml``; see ``model``.

The registry entry is ``kind.KIND``; importing the model does not load the rest."""
