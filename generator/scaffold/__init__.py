"""Scaffolding for committees: ``portal init`` (a new community repository, ready
to publish) and ``portal new`` (one prefilled data file with Chinese hints).

- ``templating``: the jinja2 environment both use (``[[ … ]]`` delimiters, so
  GitHub's ``${{ … }}`` passes through untouched);
- ``init``: the repository skeleton (``skeleton/``), ``git init``;
- ``ci``: the CI files, shared by ``init`` and this repository's own CI;
- ``ids``: the next free id of each kind, following the demo data's conventions;
- ``new``: one data file from ``templates/`` and the blanks left to fill.
"""
