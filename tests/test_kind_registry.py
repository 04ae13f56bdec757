"""A data kind is one folder plus one registry line: a small kind defined here, in a
temporary package outside the portal, is loaded, checked (its references too),
built into pages and navigation, given a block of the home page and a feed,
exported as CSV/JSON with a Table Schema, scaffolded by ``portal new``, offered by
the editor and documented in the reference: with no engine edited (the engines
only walk the registry and call the hooks of ``generator.kinds.base``)."""

from __future__ import annotations

import csv
import importlib
import io
import json
import shutil
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator import registry
from tests.conftest import PROJECTS

MODEL = '''
"""Petitions (联名信): residents' letters to a body, with how many signed."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from generator.kinds.base import Ref, Related
from generator.kinds.common import Id, Model, Text


class Petition(Model):
    id: Id
    title: Text
    to_body: Annotated[Id, Ref("body")] = Field(description="Body it is addressed to / 致")
    received: dt.date
    signatures: int = Field(ge=1)
    related: list[Related] = Field(default_factory=list)
'''

KIND = '''
from pathlib import Path

from generator.kinds.base import Column, DatasetSpec, Feed, HomeBlock, Kind, Page, Section, TableSpec, Target, url_column
from generator.site.syndication import FeedLang, rfc822, rss, site_name
from petition_kind.model import Petition


def petitions(x):
    return sorted((d.model for d in x.index.table("petition").values()), key=lambda p: p.id)


def pages(ctx):
    items = petitions(ctx)
    yield Page("petitions/index.md", "petitions_index.md.j2", {"zh": "联名信", "en": "Petitions"}, {"items": items})
    for p in items:
        yield Page(f"petitions/{p.id}.md", "petition.md.j2", p.title, {"p": p})


def home(ctx):
    return {"petitions": petitions(ctx)}


def feed(project, index, lang, default, base_url):
    x = FeedLang(lang, default, base_url)
    items = [{"title": x(p.title), "link": x.url(f"petitions/{p.id}.md"), "date": rfc822(p.received),
              "description": f"<p>{p.signatures}</p>"}
             for p in sorted((d.model for d in index.table("petition").values()), key=lambda p: p.id)]
    return rss(x, f"{site_name(project, x)} · {x({'zh': '联名信', 'en': 'Petitions'})}", "petitions/index.md",
               "petitions.xml", items)


COLUMNS = (
    Column("id", "string", {"zh": "编号", "en": "Id"}, lambda p, x: p.id, constraints={"required": True}),
    Column("title", "string", {"zh": "标题", "en": "Title"}, lambda p, x: x.text(p.title)),
    Column("signatures", "integer", {"zh": "签名人数", "en": "Signatures"}, lambda p, x: p.signatures),
    Column("received", "date", {"zh": "收到日期", "en": "Received"}, lambda p, x: p.received),
    url_column(lambda p, x: x.url(f"petitions/{p.id}.md")),
)

KIND = Kind(
    "petition", Petition, {"zh": "联名信", "en": "Petitions"}, Path(__file__).parent, folder="petitions",
    targets=(Target("petition", {"zh": "联名信", "en": "petition"}, relatable=True),),
    sections=(Section("petitions/index.md", {"zh": "联名信", "en": "Petitions"}, 8),), pages=pages,
    datasets=(DatasetSpec("petitions", {"zh": "联名信", "en": "Petitions"}, {"zh": "每封一行", "en": "One per letter"},
                          (TableSpec("petitions", {"zh": "联名信", "en": "Petitions"}, COLUMNS, petitions,
                                     foreign_keys=(("to_body", "bodies", "id"),)),),
                          lambda x: [x.record(p, x.url(f"petitions/{p.id}.md")) for p in petitions(x)]),),
    new="new.yaml.j2", editor=6,
    home=(HomeBlock(35, "home_petitions.md.j2", home),),  # after the meetings ahead, before the decisions
    feeds=(Feed("petitions.xml", feed),),
)
'''

TEMPLATES = {
    "petitions_index.md.j2": "# 联名信\n\n{% for p in items %}\n- [{{ p.title|tx }}]({{ p.id }}.md)\n{% endfor %}\n",
    "petition.md.j2": "# {{ p.title|tx }}\n\n签名人数：{{ p.signatures }}\n",
    "home_petitions.md.j2": "## 联名信 {: #petitions }\n\n{% for p in petitions %}\n"
                            "- [{{ p.title|tx }}](petitions/{{ p.id }}.md) · 签名 {{ p.signatures }}\n{% endfor %}\n\n",
}

NEW = '''id: [[ id ]]
title:  # 必填：标题
to_body: [[ body ]]
received: [[ today ]]
signatures: 1
'''


@pytest.fixture
def petition_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The kind as a package of its own, added to the registry for this test."""
    package = tmp_path / "pkgs" / "petition_kind"
    (package / "templates").mkdir(parents=True)
    (package / "__init__.py").write_text('"""A kind defined outside the portal."""\n', encoding="utf-8")
    (package / "model.py").write_text(MODEL, encoding="utf-8")
    (package / "kind.py").write_text(KIND, encoding="utf-8")
    (package / "new.yaml.j2").write_text(NEW, encoding="utf-8")
    for name, text in TEMPLATES.items():
        (package / "templates" / name).write_text(text, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "pkgs"))
    kind = importlib.import_module("petition_kind.kind").KIND
    monkeypatch.setattr(registry, "KINDS", (*registry.KINDS, kind))
    yield kind
    for name in [m for m in sys.modules if m.startswith("petition_kind")]:
        del sys.modules[name]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "minimal"
    shutil.copytree(PROJECTS / "minimal", root)
    (root / "data" / "petitions").mkdir()
    (root / "data" / "petitions" / "lift-repair.yaml").write_text(textwrap.dedent("""\
        id: lift-repair
        title: {zh: 请求维修3号楼电梯, en: Please repair the lift of building 3}
        to_body: jwh
        received: 2026-10-08
        signatures: 42
        """), encoding="utf-8")
    return root


def test_a_new_kind_is_loaded_and_its_references_checked(petition_kind, project):
    from generator.pipeline import check

    assert [p for p in check(project).problems if p.severity == "error"] == []
    bad = project / "data" / "petitions" / "bad.yaml"
    bad.write_text("id: bad\ntitle: 错的\nto_body: nobody\nreceived: 2026-10-09\nsignatures: 0\n", encoding="utf-8")
    assert [(p.code, p.line) for p in check(project).problems if p.file == "data/petitions/bad.yaml"] == [
        ("schema.range", 5)]  # the model's own constraint, at its line
    bad.write_text("id: bad\ntitle: 错的\nto_body: nobody\nreceived: 2026-10-09\nsignatures: 3\n"
                   "related: [petition:lift-repair, petition:missing]\n", encoding="utf-8")
    found = [p for p in check(project).problems if p.file == "data/petitions/bad.yaml"]
    assert sorted((p.code, p.line) for p in found) == [("ref.unknown", 3), ("ref.unknown", 6)]
    assert {p.params["what_en"] for p in found} == {"body", "petition"}
    # and other kinds may now cite it
    notice = project / "data" / "notices"
    first = sorted(notice.glob("*.yaml"))[0]
    first.write_text(first.read_text(encoding="utf-8").replace("budget:2024]", "budget:2024, petition:nope]"),
                     encoding="utf-8")
    assert any(p.code == "ref.unknown" and p.file == first.relative_to(project).as_posix() and p.params["id"] == "nope"
               for p in check(project).problems)


def test_a_new_kind_is_built_exported_scaffolded_and_edited(petition_kind, project, tmp_path):
    from generator.build import build
    from generator.reference import pages as reference_pages
    from generator.scaffold.new import kinds as new_kinds
    from generator.scaffold.new import new_record
    from generator.site.admin_config import decap_config

    out = tmp_path / "site"
    build(project, out, jobs=1)
    page = (out / "petitions" / "lift-repair" / "index.html").read_text(encoding="utf-8")
    assert "请求维修3号楼电梯" in page and "签名人数：42" in page
    assert "Please repair the lift of building 3" in (out / "en" / "petitions" / "lift-repair" / "index.html").read_text(
        encoding="utf-8")
    home = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="petitions/"' in home  # in the navigation
    # its home block, in its declared place among the built-in kinds' blocks
    block = home.index('id="petitions"')
    assert home.index('id="on-display"') < block < home.index(">最新决议<a")
    assert '<a href="petitions/lift-repair/">请求维修3号楼电梯</a> · 签名 42' in home[block:]
    # its feed, in each language
    for lang_site, title in ((out, "请求维修3号楼电梯"), (out / "en", "Please repair the lift of building 3")):
        feed = ET.fromstring((lang_site / "feeds" / "petitions.xml").read_bytes())
        [item] = feed.findall("channel/item")
        assert item.findtext("title") == title and item.findtext("link").endswith("/petitions/lift-repair/")
    assert (out / "feeds" / "notices.xml").exists()  # the built-in kinds' feeds are still there
    rows = list(csv.reader(io.StringIO((out / "data" / "petitions.csv").read_text(encoding="utf-8"))))
    assert rows[0] == ["id", "title", "signatures", "received", "url"]
    assert rows[1][:4] == ["lift-repair", "请求维修3号楼电梯", "42", "2026-10-08"]
    package = json.loads((out / "data" / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in package["resources"] if r["name"] == "petitions")
    assert [f["name"] for f in resource["schema"]["fields"]] == rows[0]
    assert next(f for f in resource["schema"]["fields"] if f["name"] == "received")["type"] == "date"
    records = json.loads((out / "data" / "petitions.json").read_text(encoding="utf-8"))
    assert records[0]["to_body"] == "jwh" and records[0]["url"].endswith("/petitions/lift-repair/")

    assert "petition" in new_kinds()
    made = new_record(project, "petition", slug="bench")
    assert made.files == ["data/petitions/bench.yaml"]
    assert [b.field for b in made.blanks] == ["title"]

    collections = {c["name"]: c for c in decap_config()["collections"]}
    assert collections["petitions"]["folder"] == "data/petitions"
    assert {f["name"] for f in collections["petitions"]["fields"]} >= {"id", "title", "to_body", "signatures"}

    assert "to_body" in reference_pages(project / "data")["petition.md"]
