"""The community profile: ``data/community.yaml`` (bodies, grids, contacts, languages,
finance rules, the editor's settings); see ``model``.

The registry entry is ``kind.KIND``; importing the model does not load the rest."""
