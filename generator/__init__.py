"""Community information and participation portal: the open-data generator.

The pipeline reads top to bottom: load -> validate -> model -> render -> build.
See ``generator.pipeline``.
"""

__version__ = "0.1.0"
