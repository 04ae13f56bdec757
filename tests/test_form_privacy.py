"""A private form field is never published as the request's category (issue #10.4).

The public category comes from a declared, public choice field only. A private
text field named ``topic`` (the name the endpoint used to take the category
from) must reach neither the webhook, nor ``data/requests/``, nor the requests
page, nor ``requests.json``; ``portal check`` refuses a form whose category
source is private or free text.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
from test_endpoint import JSON, Endpoint, close_store, make_project, token
from test_forwarding import Receiver
from test_inbox_publish import inbox, published

from endpoint.store import Store
from generator.forms_spec import compile_forms
from generator.pipeline import load_and_check

SECRET_TOPIC = "张桂兰家 13912345678 漏水"  # what a resident typed into the private field
FIELDS = """\
fields:
  - {name: topic, type: text, label: {zh: 您的问题, en: Your issue}, private: true}
  - name: kind
    type: radio
    label: {zh: 类别, en: Kind}
    required: true
    choices:
      - {value: repair, label: {zh: 维修, en: Repair}}
      - {value: other, label: {zh: 其他, en: Other}}
  - {name: text, type: textarea, label: {zh: 内容, en: Text}, required: true}
"""
HEAD = """\
id: {id}
title: {{zh: 报修, en: Repairs}}
kind: request
purpose: 报修。
privacy: 问题描述仅工作人员可见。
retention_days: 30
recipients: [jwh]
"""
#: No category source named: the endpoint used to take the private ``topic``.
IMPLICIT = HEAD.format(id="leaky") + FIELDS
#: The public radio ``kind`` named as the source; ``topic`` stays private.
DECLARED = HEAD.format(id="declared") + "category_field: kind\n" + FIELDS


def check_json(project: Path) -> list[dict[str, object]]:
    done = subprocess.run([sys.executable, "-m", "generator", "check", str(project), "--format", "json"],
                          capture_output=True, text=True, timeout=120)
    return json.loads(done.stdout)["problems"]


def test_check_refuses_a_private_or_free_text_category_source(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", {"leaky": IMPLICIT, "declared": DECLARED})
    problems = [p for p in check_json(project) if p["code"] == "form.category-source"]
    assert len(problems) == 1 and problems[0]["file"] == "data/forms/leaky.yaml", problems
    assert problems[0]["line"] == IMPLICIT.splitlines().index(
        "  - {name: topic, type: text, label: {zh: 您的问题, en: Your issue}, private: true}") + 1
    assert "topic" in problems[0]["message"]
    free = IMPLICIT.replace(", private: true}", "}").replace("id: leaky", "id: free")
    (project / "data/forms/leaky.yaml").write_text(free.replace("kind: request", "kind: request\ncategory_field: text"),
                                                  encoding="utf-8")
    problems = [p for p in check_json(project) if p["code"] == "form.category-source"]
    assert len(problems) == 1 and "textarea" in str(problems[0]["message"]), problems
    (project / "data/forms/leaky.yaml").unlink()
    assert check_json(project) == []


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Path, Endpoint, Receiver]]:
    project = make_project(tmp_path / "p", {"leaky": IMPLICIT, "declared": DECLARED})
    checked = load_and_check(project, jobs=1)
    site = tmp_path / "site"
    (site / "forms").mkdir(parents=True)
    spec = compile_forms([d.model for d in checked.project.valid("form")])
    (site / "forms" / "spec.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    receiver = Receiver()
    server = Endpoint(site, f"sqlite:///{tmp_path / 'inbox.db'}", tmp_path / "endpoint.log",
                      webhooks=f"json={receiver.url('/hook')}").start()
    try:
        yield project, server, receiver
    finally:
        server.stop()
        receiver.close()


def test_a_private_topic_reaches_no_webhook_file_page_or_json(setup: tuple[Path, Endpoint, Receiver]) -> None:
    project, server, receiver = setup
    receipts = {}
    with server.client() as client:
        for form in ("leaky", "declared"):
            answer = client.post(f"/forms/{form}", headers=JSON, json={
                "_token": token(form), "topic": SECRET_TOPIC, "kind": "repair", "text": "楼道灯坏了"})
            assert answer.status_code == 201, answer.text
            receipts[form] = answer.json()["receipt"]
    deadline = time.monotonic() + 30
    while len(receiver.at("/hook")) < 2:
        assert time.monotonic() < deadline, "the webhooks never arrived"
        time.sleep(0.05)
    hooks = {h["json"]["form"]: h for h in receiver.at("/hook")}
    assert hooks["declared"]["json"]["category"] == "repair"  # the declared public choice
    assert hooks["leaky"]["json"]["category"] is None  # no public source: no category at all
    for hook in hooks.values():
        assert SECRET_TOPIC not in hook["raw"].decode() and "13912345678" not in hook["raw"].decode()

    store = Store(server.db)
    try:
        rows = {r["form_id"]: r for r in store.list()}
        assert rows["declared"]["category"] == "repair" and rows["leaky"]["category"] is None
        # A row stored before the fix, with the private answer as its category:
        conn = store._conn()  # noqa: SLF001
        with conn.transaction():
            conn.execute("UPDATE submissions SET category = ? WHERE form_id = 'leaky'", (SECRET_TOPIC,))
    finally:
        close_store(store)
    for receipt in receipts.values():
        inbox(server.db, "reply", receipt, "--status", "answered", "--text", "已安排电工。")
    inbox(server.db, "publish", str(project))
    text = (project / "data/requests").joinpath(f"{published_year(project)}.yaml").read_text(encoding="utf-8")
    assert SECRET_TOPIC not in text and "13912345678" not in text
    records = {r["form"]: r for r in published(project, published_year(project))["requests"]}
    assert records["declared"]["category"] == "repair" and "category" not in records["leaky"]

    from generator.build import render_site
    from generator.kinds.requests.open311 import georeport

    checked = load_and_check(project, jobs=1)
    page = render_site(checked, "zh", "http://portal.test/")["requests/index.md"].decode()
    feed = json.dumps(georeport(checked.project, checked.index, "http://portal.test/"), ensure_ascii=False)
    assert "楼道灯坏了" not in page and SECRET_TOPIC not in page and SECRET_TOPIC not in feed
    assert "维修" in page and '"service_code": "repair"' in feed


def test_a_row_stored_before_the_fix_forwards_no_private_category(tmp_path: Path) -> None:
    """The outbox may still hold submissions stored with a private answer as their category."""
    from endpoint.forwarding import Forwarder
    from endpoint.settings import Settings

    project = make_project(tmp_path / "p", {"leaky": IMPLICIT})
    spec = compile_forms([d.model for d in load_and_check(project, jobs=1).project.valid("form")])
    store = Store(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        forwarder = Forwarder(store, Settings(site=str(tmp_path), db=store.url), spec=spec)
        row = {"receipt": "K7QM-4XRA-3P", "form_id": "leaky", "received_at": "2026-11-25T09:00:00+00:00",
               "category": SECRET_TOPIC, "public_json": json.dumps({"kind": "repair", "text": "x"}),
               "private_json": json.dumps({"topic": SECRET_TOPIC})}
        for kind in ("json", "wecom", "dingtalk", "feishu"):
            assert SECRET_TOPIC not in json.dumps(forwarder.payload(kind, row), ensure_ascii=False)
        assert SECRET_TOPIC not in forwarder.email(row, _mail()).as_string()
    finally:
        close_store(store)


def _mail():  # type: ignore[no-untyped-def]
    from endpoint.forwarding import Mail

    return Mail("127.0.0.1", 25, "portal@example.cn", ("jwh@example.cn",))


def published_year(project: Path) -> int:
    return max(int(p.stem) for p in (project / "data/requests").glob("*.yaml"))


def test_requests_page_shows_no_private_choice_label(tmp_path: Path) -> None:
    """The page's category label comes from the public category field's choices only."""
    project = make_project(tmp_path / "p")
    shutil.rmtree(project / "data/requests", ignore_errors=True)
    from generator import registry
    from generator.index import build_index
    from generator.kinds.requests.stats import category_label

    form = (project / "data/forms/suggestion.yaml")
    form.write_text(form.read_text(encoding="utf-8").replace("    private: true", "    private: true\n")
                    + "  - name: secret\n    type: select\n    label: 私密\n    private: true\n    choices:\n"
                    "      - {value: x1, label: 张三家}\n", encoding="utf-8")
    checked = load_and_check(project, jobs=1)
    index = build_index(checked.project, registry.KINDS)
    assert category_label(index, "suggestion", "x1") == "x1"
    assert category_label(index, "suggestion", "environment") == "环境"
