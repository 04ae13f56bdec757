"""What forms add to the home page: the "raise a request" task and the list of forms."""

from __future__ import annotations

from typing import Any

from generator.kinds.base import HomeBlock, PageContext
from generator.kinds.form.pages import forms


def listed(ctx: PageContext) -> dict[str, Any]:
    return {"forms": forms(ctx)}


BLOCKS = (HomeBlock(10, "home_form_task.md.j2", listed, task=True),
          HomeBlock(90, "home_forms.md.j2", listed))
