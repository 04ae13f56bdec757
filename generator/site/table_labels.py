"""A Python-Markdown extension that gives every table cell its column's label.

On a phone a wide table (budget lines, contracts) reflows into stacked rows, one
``label: value`` per line (``.stack-table`` in ``site_templates/assets/portal.css``);
CSS can show a cell's label only from an attribute of the cell, so each ``<td>``
gets ``data-label`` with its header's text. Written as a tree pass because the
tables are Markdown (templates and hand-written pages alike): no JavaScript, and
the label is plain text (no handler, no style: the page scan and CSP are untouched).

mkdocs loads it by module name from ``markdown_extensions`` (``generator.build``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from typing import Any

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

#: Python-Markdown's placeholders for raw HTML kept aside (STX … ETX).
_PLACEHOLDER = re.compile("\x02[^\x03]*\x03")


def _text(el: etree.Element) -> str:
    return " ".join(_PLACEHOLDER.sub("", "".join(el.itertext())).split())


class _Labels(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for table in root.iter("table"):
            head = table.find("thead")
            row = head.find("tr") if head is not None else None
            if row is None:
                continue
            labels = [_text(th) for th in row.findall("th")]
            body = table.find("tbody")
            for tr in body.findall("tr") if body is not None else []:
                for label, td in zip(labels, tr.findall("td")):
                    if label:
                        td.set("data-label", label)


class TableLabelsExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's API)
        # After inline (20) and after markdown_guard (-100), which drops every data-* that
        # attr_list could have written: these labels are the portal's own, added last.
        md.treeprocessors.register(_Labels(md), "portal_table_labels", -110)


def makeExtension(**kwargs: Any) -> TableLabelsExtension:  # noqa: N802 (Python-Markdown's entry point)
    return TableLabelsExtension(**kwargs)
