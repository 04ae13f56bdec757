"""Forms residents fill in (suggestions, requests, sign-ups, surveys): ``data/forms/<id>.yaml``; see ``model``."""

from pathlib import Path

from generator.kinds.base import Kind, Section, Target, UniqueIds
from generator.kinds.form import checks, home, pages
from generator.kinds.form.model import Form
from portal_core.i18n import texts

KIND = Kind(
    "form", Form, texts("kind.form.title"), Path(__file__).parent, folder="forms",
    targets=(Target("form", texts("kind.form.target.form"), relatable=True), Target("field", texts("kind.form.target.field"))),
    sections=(Section("forms/index.md", texts("kind.form.section.forms"), 7),), pages=pages.build, home=home.BLOCKS,
    checks=(checks.check, checks.dates), unique_ids=(UniqueIds("field", ("fields",), "name"),),
    new="new.yaml.j2", editor=5,
)
