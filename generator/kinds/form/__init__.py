"""Forms residents fill in (suggestions, requests, sign-ups, surveys): ``data/forms/<id>.yaml``; see ``model``.

The registry entry is ``kind.KIND``; importing the model does not load the rest."""
