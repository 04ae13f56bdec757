"""Participatory budgeting rounds (民生微实事): one file each in ``data/rounds/``,
ballots beside it in ``<id>.ballots.csv``.

The registry entry is ``kind.KIND``; importing the model does not load the rest."""
