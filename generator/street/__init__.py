"""A street (街道): one repository (or one folder) holding ``street.yaml`` and the
communities it runs, each a normal community project as ``portal init`` makes it.

``model``: the street profile and the list of its communities (this file's
contract for the builder, the views and the benchmarks); the rest of the package
checks, builds and compares them.
"""
