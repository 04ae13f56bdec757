"""Rules (居民公约, 管理规约) with their versions: ``data/rules/<id>.yaml``; see ``model``.

The registry entry is ``kind.KIND``; importing the model does not load the rest."""
