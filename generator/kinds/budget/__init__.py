"""Budgets and accounts (财务公开, 公共收益 included): the Frictionless data package in
``data/budgets/``, read by ``generator.tables``; see ``model``.

The registry entry is ``kind.KIND``; importing the model does not load the rest."""
