"""A Python-Markdown extension that keeps Markdown *syntax* from carrying code.

The templates escape plain text from the data (titles, names, link texts), but
escaping HTML does not escape Markdown: a title such as
``[详情](javascript:go())`` still becomes a link, and ``## 标题 {: onclick=go() }``
an attribute (attr_list). Markdown fields are already sanitized by
``generator.sanitize`` before they reach the page; this tree pass covers what
Markdown builds from everything else: it drops event handlers, ``data-*``,
``style`` other than table alignment, ``srcdoc``, addresses whose scheme is not
allowed, the theme's ids (``{: #__config }`` would come before the theme's own
``<script id="__config">``) and classes (``md-*`` but buttons).

It runs last among the tree processors, after attr_list has added attributes.
Raw HTML is not in the tree (the templates' own markup, and Markdown fields
already cleaned), so nothing of ours is touched.

mkdocs loads it by module name from ``markdown_extensions`` (``generator.build``).
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from typing import Any

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE

from generator.sanitize import ALIGN_STYLES, URL_ATTRIBUTES, allowed_classes, reserved_id, url_allowed


class _Guard(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for el in root.iter():
            for name in list(el.attrib):
                if _unsafe(name.lower(), el.attrib[name]):
                    del el.attrib[name]
            if "class" in el.attrib and not (kept := allowed_classes(el.attrib["class"])):
                del el.attrib["class"]
            elif "class" in el.attrib:
                el.attrib["class"] = kept


def _unsafe(name: str, value: str) -> bool:
    if name.startswith(("on", "data-")) or name in ("srcdoc", "formaction"):
        return True
    if name == "id":  # the theme's (__config …): it would come before the theme's own element
        return reserved_id(value)
    if name == "style":
        return value.strip() not in ALIGN_STYLES
    if name in URL_ATTRIBUTES:
        return not url_allowed(value.replace(AMP_SUBSTITUTE, "&"))
    return False


class GuardExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's API)
        md.treeprocessors.register(_Guard(md), "portal_guard", -100)


def makeExtension(**kwargs: Any) -> GuardExtension:  # noqa: N802 (Python-Markdown's entry point)
    return GuardExtension(**kwargs)
