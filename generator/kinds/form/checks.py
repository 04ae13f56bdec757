"""A form's definition: choices where they belong, contact fields private, bounds and
patterns that work, and a category residents may see."""

from __future__ import annotations

import re
from typing import Iterator

from generator.index import Index
from generator.kinds.form.model import category_source
from generator.load import Doc, Project
from generator.messages import unknown_ref
from generator.problems import Problem
from portal_core.forms import CATEGORY_TYPES
from portal_core.i18n import pair

CHOICE_TYPES = {"select", "radio", "checkbox"}
CONTACT_TYPES = {"tel", "email"}


def check(project: Project, index: Index) -> Iterator[Problem]:
    for doc in project.valid("form"):
        for i, f in enumerate(doc.model.fields):
            path = ("fields", i)
            if f.type in CHOICE_TYPES and not f.choices:
                yield doc.problem("form.choices-missing", *path, "type", field=f.name, type=f.type)
            if f.type not in CHOICE_TYPES and f.choices:
                yield doc.problem("form.choices-unexpected", *path, "choices", field=f.name, type=f.type)
            if f.type in CONTACT_TYPES and not f.private:
                yield doc.problem("form.contact-not-private", *path, "type", field=f.name, type=f.type)
            if f.min is not None and f.max is not None and f.min > f.max:
                yield doc.problem("form.min-max", *path, "min", field=f.name, min=f"{f.min:g}", max=f"{f.max:g}")
            if f.pattern is not None:
                try:
                    re.compile(f.pattern)
                except re.error as exc:
                    yield doc.problem("form.bad-pattern", *path, "pattern", field=f.name, detail=str(exc))
        yield from _category_source(doc, index)


def _category_source(doc: Doc, index: Index) -> Iterator[Problem]:
    """The published category must be a public choice: never a private or free-text answer."""
    form = doc.model
    source = category_source(form)
    if source is None:
        if form.category_field is not None:
            line, col = doc.at("category_field", value=True)
            yield unknown_ref(doc.file, line, col, index.what("field"), form.category_field,
                              {f.name for f in form.fields})
        return
    i = form.fields.index(source)
    if source.private:
        reason = pair("problem.word.private-field")
        path: tuple[object, ...] = ("fields", i, "private")
    elif source.type not in CATEGORY_TYPES:
        reason = pair("problem.word.free-text-field", type=source.type)
        path = ("fields", i, "type")
    else:
        return
    yield doc.problem("form.category-source", *path, field=source.name, reason=reason[0], reason_en=reason[1])


def dates(project: Project, index: Index) -> Iterator[Problem]:
    """A form closes after it opens."""
    for doc in project.valid("form"):
        f = doc.model
        if f.opens and f.closes and f.closes < f.opens:
            yield doc.problem("date.range", "closes", start=f.opens, end=f.closes)
