"""Forms residents fill in (suggestions, requests, sign-ups, surveys): ``data/forms/<id>.yaml``; see ``model``."""

from pathlib import Path

from generator.kinds.base import Kind, Section, Target
from generator.kinds.form import pages
from generator.kinds.form.model import Form

KIND = Kind(
    "form", Form, {"zh": "表单", "en": "Forms"}, Path(__file__).parent, folder="forms",
    targets=(Target("form", {"zh": "表单", "en": "form"}, relatable=True), Target("field", {"zh": "字段", "en": "field"})),
    sections=(Section("forms/index.md", {"zh": "意见与诉求", "en": "Have your say"}, 7),), pages=pages.build, new="new.yaml.j2", editor=5,
)
