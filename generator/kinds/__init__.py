"""The data kinds, one folder each (model, checks, pages, datasets, ``portal new``
template); ``base`` says what a kind declares, ``common`` holds the building
blocks their models share. The list of kinds is ``generator.registry``.
"""
