"""The forms' pages: the list (有话要说) and one page per form, whose HTML form posts
to the endpoint with the spec compiled from the same model."""

from __future__ import annotations

from collections.abc import Iterator

from generator.forms_spec import compile_forms
from generator.kinds.base import Page, PageContext, list_summary
from generator.kinds.form.model import Form
from portal_core.i18n import texts

SUMMARY = texts("kind.form.summary")


def forms(ctx: PageContext) -> list[Form]:
    return ctx.once("forms", lambda: ctx.index.models("form", lambda f: f.id))


def build(ctx: PageContext) -> Iterator[Page]:
    items = forms(ctx)
    specs = compile_forms(items)["forms"]
    yield Page("forms/index.md", "forms_index.md.j2", texts("kind.form.page.forms-index.title"), {"forms": items},
               {"description": list_summary(ctx, SUMMARY, len(items))})
    for f in items:
        yield Page(f"forms/{f.id}.md", "form.md.j2", f.title, {"f": f, "spec": specs[f.id]})
