"""The browser editor at /admin/ (Decap CMS): the configuration generated from the
models, the files the build writes, and a real editing session in Chromium
against Decap's local backend (decap-server, a real process) that must leave
files ``portal check`` accepts.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import typing
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from site_fixtures import CHROMIUM, CHROMIUM_ARGS, free_port

from generator import build as build_module
from generator import registry
from generator.kinds.common import Id
from generator.kinds.community.model import Editor
from generator.kinds.notice.model import Notice
from generator.load import load_yaml_kinds
from generator.site import admin
from generator.site.admin_config import _unwrap, decap_config, is_text, split_description

REPO = Path(__file__).resolve().parent.parent
MINIMAL = Path(__file__).resolve().parent / "projects" / "minimal"
CJK = re.compile(r"[\u3400-\u9fff]")


def walk(fields: list[dict[str, Any]], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    for f in fields:
        here = f"{path}{f['name']}"
        yield here, f
        if "fields" in f:
            yield from walk(f["fields"], here + ".")
        if "field" in f:
            yield from walk([f["field"]], here + ".")


def collection_fields(collection: dict[str, Any]) -> list[dict[str, Any]]:
    return collection["fields"] if "fields" in collection else collection["files"][0]["fields"]


# -- configuration ---------------------------------------------------------------------


def test_every_kind_has_a_collection_where_its_files_are() -> None:
    config = decap_config()
    by_name = {c["name"]: c for c in config["collections"]}
    assert len(by_name) == len(registry.yaml_kinds()) - 1
    for kind in registry.yaml_kinds():
        if kind.name == "requests":  # rewritten by `portal inbox publish`: not edited in the browser
            assert "requests" not in by_name
            continue
        c = by_name[kind.folder or kind.name]
        assert c["label"] == kind.title["zh"]
        assert c["format"] == "yaml"
        if kind.file:
            assert c["files"][0]["file"] == f"data/{kind.file}"
        else:
            assert c["folder"] == f"data/{kind.folder}"
            assert c["slug"] == "{{fields.id}}" and c["identifier_field"] == "id"  # file name = id
    assert by_name["notices"]["create"] is True
    # Content is data (issue #9): no collection renders a Markdown preview (our text widgets
    # preview as plain text), and should one be switched on, Decap sanitizes it.
    assert config["sanitize_preview"] is True
    assert all(c["editor"] == {"preview": False} for c in config["collections"])
    # Budgets and requests are not in the editor, and it says so.
    assert "CSV" in by_name["community"]["description"] and "portal inbox" in by_name["community"]["description"]
    assert "budgets" not in by_name


def test_labels_hints_and_choices_come_from_the_models() -> None:
    notices = next(c for c in decap_config()["collections"] if c["name"] == "notices")
    fields = dict(walk(notices["fields"]))
    published = Notice.model_fields["published"]
    assert fields["published"]["label"] == split_description(published.description)[0] == "发布日期"
    assert "Publish date" in fields["published"]["hint"]
    assert fields["category"]["label"] == "类别"  # the site's own UI string
    values = [o["value"] for o in fields["category"]["options"]]
    assert values == list(typing.get_args(Notice.model_fields["category"].annotation))
    assert {o["value"]: o["label"] for o in fields["category"]["options"]}["public-notice"] == "公示（public-notice）"
    assert fields["id"]["label"] == "编号"  # site_templates/admin/labels.yaml
    assert fields["display_until"]["required"] is False and "required" not in fields["published"]
    # Every label and every choice in every collection is Chinese.
    missing = []
    for c in decap_config(Editor(backend="gitea", repo="a/b"))["collections"]:
        for path, f in walk(collection_fields(c)):
            if not CJK.search(f["label"]):
                missing.append(f"{c['name']}.{path}")
            missing += [f"{c['name']}.{path}={o['value']}" for o in f.get("options", [])
                        if not CJK.search(o["label"]) and o["value"] not in ("github", "gitlab", "gitea")]  # product names
    assert missing == []


def _expected_widget(annotation: Any) -> str | None:
    base, _meta, _ = _unwrap(annotation)
    if is_text(base):
        return "portal-text"
    origin = typing.get_origin(base)
    if origin is typing.Literal:
        return "select"
    if origin is list:
        inner, _, _ = _unwrap(typing.get_args(base)[0])
        if is_text(inner):
            return "portal-text-list"
        return "select" if typing.get_origin(inner) is typing.Literal else "list"
    if origin is dict:
        return None
    return {bool: "boolean", int: "number", float: "number", dt.date: "datetime", str: "string"}.get(
        base, "object")


RECORD_MODELS = {k.model for k in registry.KINDS if k.folder}  #: one file per record, named by its id


def test_widgets_match_the_field_types() -> None:
    checked = 0
    for kind in registry.edited():
        c = next(c for c in decap_config()["collections"] if c["name"] == (kind.folder or kind.name))

        def compare(model: Any, fields: list[dict[str, Any]]) -> None:
            nonlocal checked
            by_name = {f["name"]: f for f in fields}
            for name, info in model.model_fields.items():
                key = info.alias or name
                expected = _expected_widget(info.annotation)
                if expected is None:  # e.g. rating counts (dict): left out, kept as written
                    assert key not in by_name
                    continue
                f = by_name[key]
                if key == "id" and model in RECORD_MODELS:
                    expected = "portal-id"  # = the file name, read-only once saved
                assert f["widget"] == expected, (model.__name__, key)
                checked += 1
                base, meta, _ = _unwrap(info.annotation)
                if base is dt.date:
                    assert f["format"] == "YYYY-MM-DD" and f["time_format"] is False
                if base is int:
                    assert f["value_type"] == "int"
                if expected == "select" and typing.get_origin(base) is list:
                    assert f["multiple"] is True
                if isinstance(base, type) and base.__name__ not in ("str", "int", "float", "bool", "date"):
                    sub = typing.get_args(base)[0] if typing.get_origin(base) is list else base
                    if hasattr(sub, "model_fields"):
                        compare(sub, f["fields"])
                elif typing.get_origin(base) is list:
                    inner, _, _ = _unwrap(typing.get_args(base)[0])
                    if hasattr(inner, "model_fields"):
                        compare(inner, f["fields"])

        compare(kind.model, collection_fields(c))
    assert checked > 100
    notice = {f["name"]: f for f in collection_fields(next(c for c in decap_config()["collections"]
                                                            if c["name"] == "notices"))}
    assert notice["body"]["multiline"] is True and notice["title"]["multiline"] is False  # Markdown → multi-line
    id_pattern = typing.get_args(Id)[1].pattern
    assert notice["id"]["pattern"][0] == id_pattern == notice["issuer"]["pattern"][0]
    assert notice["related"]["field"]["pattern"][0].startswith("^(meeting|")
    assert notice["attachments"]["summary"] == "{{fields.url}}"  # a collapsed item shows a plain value, not "Map {…}"


def test_backend_block_follows_the_community_editor_settings() -> None:
    gitlab = decap_config(Editor(backend="gitlab", repo="jiedao/helihua", app_id="abc",
                                 base_url="https://gitlab.example.org", api_root="https://gitlab.example.org/api/v4"))
    assert gitlab["backend"]["name"] == "gitlab" and gitlab["backend"]["auth_type"] == "pkce"
    assert gitlab["backend"]["repo"] == "jiedao/helihua" and gitlab["backend"]["branch"] == "main"
    assert gitlab["local_backend"]["url"] == "http://localhost:8081/api/v1"
    github = decap_config(Editor(backend="github", repo="a/b", branch="data", base_url="https://oauth.example.org"))
    assert github["backend"] == {**github["backend"], "name": "github", "branch": "data",
                                 "base_url": "https://oauth.example.org"}
    assert "auth_type" not in github["backend"]
    # Without settings only the local backend can work, and the config says exactly that.
    assert decap_config(local_backend="http://127.0.0.1:9/api/v1")["backend"]["proxy_url"] == "http://127.0.0.1:9/api/v1"


def test_admin_csp_adds_a_self_hosted_host() -> None:
    gitea = Editor(backend="gitea", repo="jw/helihua", api_root="https://git.jiedao.example/api/v1",
                   base_url="https://git.jiedao.example", app_id="x")
    policy = admin.admin_csp(gitea)
    connect = next(d for d in policy.split("; ") if d.startswith("connect-src"))
    assert connect.split().count("https://git.jiedao.example") == 1
    assert admin.admin_csp(None) == admin.ADMIN_CSP
    assert "'unsafe-eval'" in admin.ADMIN_CSP and "style-src 'self' 'unsafe-inline'" in admin.ADMIN_CSP


# -- build -------------------------------------------------------------------------------


def _git_project(tmp_path: Path) -> Path:
    root = tmp_path / "community"
    shutil.copytree(MINIMAL, root)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    for cmd in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "data"]):
        subprocess.run(cmd, cwd=root, check=True, env=env)
    return root


def test_build_writes_admin_with_the_bundle_and_no_external_url(tmp_path: Path) -> None:
    root = _git_project(tmp_path)
    build_module.build(root, out=tmp_path / "site", jobs=1)
    site = tmp_path / "site" / "admin"
    index = (site / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'src="([^"]+)"', index) == ["portal-admin.js", "decap-cms.js"]
    assert "<script>" not in index  # no inline script: the site has a strict CSP
    assert (site / "decap-cms.js").stat().st_size > 1_000_000
    chunks = list(site.glob("*.decap-cms.js"))
    assert chunks and not list(site.glob("*.map"))
    for name in ("index.html", "portal-admin.js", "portal-admin.css", "config.yml"):
        text = (site / name).read_text(encoding="utf-8")
        external = [u for u in re.findall(r"https?://[^\s'\"<>)]+", text)
                    if urlsplit(u).hostname not in ("localhost", "127.0.0.1", "git.example.org")]  # a hint's example
        assert external == [], name
    config = yaml.safe_load((site / "config.yml").read_text(encoding="utf-8"))
    assert config["local_backend"]["url"].startswith("http://localhost:8081/")
    assert config["locale"] == "zh_Hans"
    text_fields = [f for c in config["collections"] for _, f in walk(collection_fields(c)) if f["widget"] == "portal-text"]
    assert text_fields and all(f["languages"] == ["zh", "en"] for f in text_fields)


def test_build_without_the_bundle_explains_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    root = _git_project(tmp_path)
    monkeypatch.setattr(admin, "REPO", tmp_path / "no-checkout")  # neither the project nor "ours" has node_modules
    build_module.build(root, out=tmp_path / "site", jobs=1)
    page = (tmp_path / "site" / "admin" / "index.html").read_text(encoding="utf-8")
    assert "npm install" in page and "内容编辑器未安装" in page and "Content editor not installed" in page
    assert not (tmp_path / "site" / "admin" / "decap-cms.js").exists()
    warnings = [line for line in capsys.readouterr().err.splitlines() if "decap" in line.lower()]
    assert len(warnings) == 1 and "npm install" in warnings[0]


# -- the editor in a browser -------------------------------------------------------------


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".yml": "text/yaml", ".wasm": "application/wasm"}
    csp = ""

    def end_headers(self) -> None:
        if self.path.startswith("/admin/"):
            self.send_header("Content-Security-Policy", self.csp)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


class Site:
    """The built site on 127.0.0.1, /admin/ under ADMIN_CSP (local backend port swapped in)."""

    def __init__(self, directory: Path, backend_port: int) -> None:
        handler = type("Handler", (_Handler,), {"csp": admin.ADMIN_CSP.replace(":8081", f":{backend_port}")})
        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), functools.partial(handler, directory=str(directory)))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class DecapServer:
    """``decap-server`` from node_modules, run in the project like ``npx decap-server``."""

    def __init__(self, root: Path) -> None:
        self.port = free_port()
        binary = REPO / "node_modules" / ".bin" / "decap-server"
        assert binary.exists(), "run scripts/setup (npm install) first"
        self.log = root.parent / "decap-server.log"
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen([str(binary)], cwd=root, stdout=log, stderr=subprocess.STDOUT,
                                         env={**os.environ, "PORT": str(self.port), "BIND_HOST": "127.0.0.1"})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                assert self.proc.poll() is None, self.log.read_text(errors="replace")
                time.sleep(0.1)
        else:
            raise AssertionError("decap-server did not start")
        self.url = f"http://127.0.0.1:{self.port}/api/v1"

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def _portal_check(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", "check", str(root)], capture_output=True, text=True,
                          cwd=REPO)


def _field(page: Any, label: str) -> Any:
    """The control wrapper of the top-level field labelled ``label``."""
    # Decap wraps each field in <div aria-label="<widget> field"><div><label>标题</label></div>…
    # (optional fields read "发布主体 (可选)").
    return page.locator(f"xpath=//div[@aria-label][div/label[normalize-space(.)='{label}' "
                        f"or starts-with(normalize-space(.), '{label} (')]]").first


def test_edit_and_create_a_notice_in_chromium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from playwright.sync_api import sync_playwright

    root = _git_project(tmp_path)
    server = DecapServer(root)
    monkeypatch.setenv("PORTAL_LOCAL_BACKEND", server.url)
    build_module.build(root, out=tmp_path / "site", jobs=1)
    site = Site(tmp_path / "site", server.port)
    notice = root / "data" / "notices" / "2024-001.yaml"
    before = yaml.safe_load(notice.read_text(encoding="utf-8"))
    hosts: set[str] = set()
    errors: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            # the listeners on the context: each editor page is a new tab of it (_open)
            context = browser.new_context(viewport={"width": 1280, "height": 1400})
            context.on("request", lambda r: hosts.add(_host(r.url)))
            context.on("weberror", lambda e: errors.append(str(e.error)))
            violations: list[str] = []  # of every tab, reported on the console as they happen
            context.on("console", lambda m: violations.append(m.text) if m.text.startswith("CSP ") else None)
            context.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                                    "console.warn('CSP ' + e.effectiveDirective + ' ' + e.blockedURI))")
            page = context.new_page()
            admin_url = site.url + "admin/"
            page.goto(admin_url)
            page.get_by_role("button", name="登录").click()  # the local backend needs no account
            page.get_by_text("通知公示").first.wait_for()

            # Every collection opens, and an entry of each kind renders its widgets.
            for kind in registry.edited():
                files = [kind.name] if kind.file else sorted(p.stem for p in (root / "data" / str(kind.folder)).glob("*.yaml"))
                if not files:  # a kind the sample has no file of (consultations): the demo test below edits one
                    continue
                first = files[0]
                page = _open(page, admin_url + f"#/collections/{kind.folder or kind.name}/entries/{first}")
                page.locator("[data-lang=zh]").first.wait_for()
            assert errors == []

            # Edit an existing notice: the Chinese title, and an English body next to the Chinese one.
            page = _open(page, admin_url + "#/collections/notices/entries/2024-001")
            assert _field(page, "编号").locator("input").get_attribute("readonly") is not None  # id = file name
            title = _field(page, "标题").locator("input[data-lang=zh]")
            title.fill("门禁更换公示（修订）")
            body = _field(page, "正文")
            body.locator("textarea[data-lang=zh]").fill("经居委会会议表决，更换 3 号楼单元门禁。\n\n施工期间请走 2 号门。")
            body.locator("textarea[data-lang=en]").fill("Building 3's door access system will be **replaced**.")
            _publish(page)
            _saved(page, lambda: "修订" in notice.read_text(encoding="utf-8"), tmp_path / "edit.png")

            # Create a new notice through the UI.
            page = _new_notice(page, admin_url, "2026-11-25-water-cut", "停水通知", "11月26日 9:00–15:00 因管道维修停水。")
            created = root / "data" / "notices" / "2026-11-25-water-cut.yaml"
            _saved(page, created.exists, tmp_path / "new.png")

            # Upload a picture (the editor reads and previews it through blob: URLs).
            picture = tmp_path / "notice-board.png"
            picture.write_bytes(_png())
            page = _open(page, admin_url + "#/collections/notices")
            try:
                page.get_by_role("button", name="媒体").click()
            except Exception:
                page.screenshot(path=str(tmp_path / "media.png"), full_page=True)
                raise AssertionError(f"no media button at {page.url} ({tmp_path / 'media.png'})") from None
            page.locator("input[type=file]").set_input_files(str(picture))
            uploaded = root / "content" / "zh" / "files" / "notice-board.png"
            _saved(page, uploaded.exists, tmp_path / "upload.png")
            page.locator("img[src^='blob:']").first.wait_for()  # the preview shows
            assert uploaded.read_bytes() == picture.read_bytes()
            # Decap uploads anything (issue #18): an SVG with a script lands in git, for portal check to refuse.
            drawing = tmp_path / "evil.svg"
            drawing.write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"><script>window.__pwned=1</script></svg>')
            page.locator("input[type=file]").set_input_files(str(drawing))
            svg = root / "content" / "zh" / "files" / "evil.svg"
            _saved(page, svg.exists, tmp_path / "upload-svg.png")
            browser.close()
    finally:
        site.close()
        server.close()

    assert errors == []
    assert violations == []  # ADMIN_CSP is enough for the editor
    assert hosts == {"127.0.0.1"}  # nothing left the machine: no CDN, no telemetry

    after = yaml.safe_load(notice.read_text(encoding="utf-8"))
    assert after["title"] == {"zh": "门禁更换公示（修订）", "en": before["title"]["en"]}
    assert after["body"] == {"zh": "经居委会会议表决，更换 3 号楼单元门禁。\n\n施工期间请走 2 号门。",
                             "en": "Building 3's door access system will be **replaced**."}
    for key in ("id", "category", "issuer", "related"):
        assert after[key] == before[key]
    assert str(after["published"]) == str(before["published"]) and str(after["display_until"]) == str(before["display_until"])

    new = created.read_text(encoding="utf-8")
    data = yaml.safe_load(new)
    assert data == {"id": "2026-11-25-water-cut", "title": "停水通知", "category": "announcement",
                    "published": data["published"], "body": "11月26日 9:00–15:00 因管道维修停水。"}
    assert str(data["published"]) == "2026-11-25"
    assert "display_until" not in new and "''" not in new  # empty optional fields are left out

    docs, problems = load_yaml_kinds(root, registry.KINDS)
    assert {d.model.id for d in docs["notice"] if d.model} == {"2024-001", "2026-11-25-water-cut"}
    result = _portal_check(root)
    assert result.returncode == 1, result.stdout + result.stderr
    blamed = [line for line in result.stdout.splitlines() if " 错误 " in line]
    assert len(blamed) == 1 and blamed[0].startswith("content/zh/files/evil.svg: 错误 content.file-type"), blamed
    svg.unlink()
    result = _portal_check(root)
    assert result.returncode == 0, result.stdout + result.stderr


def _host(url: str) -> str:
    """The host a request goes to (a blob: URL belongs to the page that made it)."""
    return urlsplit(url.removeprefix("blob:")).hostname or url


def _png() -> bytes:
    """A 16×16 red PNG."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 16 for _ in range(16))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _open(page: Any, url: str) -> Any:
    """Open an editor page afresh, in a new tab of the same browser (the login is kept in
    its storage), and close the old one without its unload handlers. Going to the
    address in the same tab raced with the editor: after a hash change alone Decap may
    still show the previous entry's draft; a save still settling after the file is on
    disk moved a new entry's page to its own address over our navigation, or asked
    whether to leave (a dialog that a reload then waited on for 30 s, in CI)."""
    fresh = page.context.new_page()
    page.close(run_before_unload=False)
    fresh.goto(url)
    assert fresh.url == url, f"the editor went to {fresh.url} instead of {url}"
    return fresh


def _publish(page: Any) -> None:
    page.get_by_role("button", name="发布").first.click()
    page.get_by_role("menuitem", name="立即发布").click()


def _new_notice(page: Any, admin_url: str, notice_id: str, title: str, body: str) -> Any:
    """Fill in and publish a new notice (category 通知, published 2026-11-25), in a new tab: returned."""
    page = _open(page, admin_url + "#/collections/notices/new")
    _field(page, "编号").locator("input").fill(notice_id)
    _field(page, "标题").locator("input[data-lang=zh]").fill(title)
    _field(page, "类别").locator("input").first.click()
    page.get_by_text("通知（announcement）", exact=True).click()
    _field(page, "发布日期").locator("input[type=date]").fill("2026-11-25")
    _field(page, "正文").locator("textarea[data-lang=zh]").fill(body)
    _publish(page)
    return page


def _saved(page: Any, condition: Any, shot: Path) -> None:
    """Wait until ``condition`` (the file changed); on failure save a screenshot
    and report the validation messages the editor shows."""
    try:
        _wait_for(condition)
    except AssertionError:
        page.screenshot(path=str(shot), full_page=True)
        raise AssertionError(f"not saved ({shot}); errors shown: "
                             f"{page.locator('[class*=ControlErrorsList] li').all_inner_texts()}") from None


def _changed(path: Path, old: str) -> bool:
    return path.read_text(encoding="utf-8") != old


def _wait_for(condition: Any, timeout: float = 20, what: str = "the editor did not write the file") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


#: One file of each kind in the demo community, the biggest of its folder (nested
#: agenda items, votes, opening hours, form fields …), and the text field edited.
DEMO_EDITS = {"community": "name", "rules": "title", "services": "name", "meetings": "title", "notices": "title",
              "forms": "title", "approvals": "title", "contracts": "title", "matters": "title", "consultations": "title",
              "rounds": "title"}
MARK = "（已核对）"


def _demo_project(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(REPO / "data", root / "data")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    for cmd in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "data"]):
        subprocess.run(cmd, cwd=root, check=True, env=env)
    return root


def _models(root: Path) -> dict[str, dict[str, Any]]:
    docs, _ = load_yaml_kinds(root, registry.KINDS)
    return {f"{kind}:{d.file}": d.model.model_dump(by_alias=True) for kind, ds in docs.items() for d in ds if d.model}


def _marked(value: Any) -> Any:
    return value + MARK if isinstance(value, str) else {**value, "zh": value["zh"] + MARK}


def test_demo_files_of_every_kind_survive_an_edit_in_chromium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Decap rewrites the whole file its own way (key order, quoting, no comments):
    after one text edit per kind, every other value must load exactly as before."""
    from playwright.sync_api import sync_playwright

    from generator.pipeline import load_and_check

    root = _demo_project(tmp_path)
    if _portal_check(root).returncode != 0:
        pytest.skip("the demo data does not pass portal check right now")
    before = _models(root)
    targets = {"community": "community"}
    for kind in registry.edited():
        if kind.folder:
            targets[kind.folder] = max((root / "data" / kind.folder).glob("*.yaml"), key=lambda p: p.stat().st_size).stem
    server = DecapServer(root)
    monkeypatch.setenv("PORTAL_LOCAL_BACKEND", server.url)
    admin.write_admin(load_and_check(root), tmp_path / "site")  # /admin/ alone: no need for the whole site
    site = Site(tmp_path / "site", server.port)
    errors: list[str] = []
    hosts: set[str] = set()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 1400})
            context.on("weberror", lambda e: errors.append(str(e.error)))
            context.on("request", lambda r: hosts.add(_host(r.url)))
            page = context.new_page()
            admin_url = site.url + "admin/"
            page.goto(admin_url)
            page.get_by_role("button", name="登录").click()
            page.get_by_text("通知公示").first.wait_for()
            for collection, slug in targets.items():
                path = root / "data" / ("community.yaml" if collection == "community" else f"{collection}/{slug}.yaml")
                old = path.read_text(encoding="utf-8")
                page = _open(page, admin_url + f"#/collections/{collection}/entries/{slug}")
                label = "名称" if DEMO_EDITS[collection] == "name" else "标题"
                box = _field(page, label).locator("input[data-lang=zh]")
                box.fill(box.input_value() + MARK)
                _publish(page)
                _saved(page, functools.partial(_changed, path, old), tmp_path / f"{slug}.png")
                page.get_by_text("修改已保存").first.wait_for()  # "changes saved": the editor is idle again
            browser.close()
    finally:
        site.close()
        server.close()
    assert errors == [] and hosts == {"127.0.0.1"}

    result = _portal_check(root)
    assert result.returncode == 0, result.stdout + result.stderr
    after = _models(root)
    assert after.keys() == before.keys()
    changed = []
    for key, model in before.items():
        if after[key] != model:
            kind, file = key.split(":", 1)
            field = DEMO_EDITS["community" if kind == "community" else Path(file).parent.name]
            assert after[key] == {**model, field: _marked(model[field])}, key
            changed.append(file)
    assert len(changed) == len(targets)


def test_local_workflow_decap_server_and_portal_serve(tmp_path: Path) -> None:
    """The committee's local workflow: ``npx decap-server`` in the repository, then
    ``portal serve``; an edit saved in /admin/ shows on the previewed page."""
    import urllib.request

    from playwright.sync_api import sync_playwright

    root = _git_project(tmp_path)
    server = DecapServer(root)
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    serve = subprocess.Popen([sys.executable, "-m", "generator", "serve", str(root), "--port", str(port),
                              "--endpoint-port", "0"], cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                             env={**os.environ, "PORTAL_LOCAL_BACKEND": server.url})
    base = f"http://127.0.0.1:{port}/"

    def get(path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(base + path, timeout=5) as response:
                return response.status, response.read()
        except OSError:
            return 0, b""

    try:
        _wait_for(lambda: get("admin/config.yml")[0] == 200, timeout=90, what="portal serve did not serve /admin/")
        assert get("admin/decap-cms.js")[0] == 200
        config = yaml.safe_load(get("admin/config.yml")[1])
        assert config["local_backend"]["url"] == server.url
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1280, "height": 1400}).new_page()
            page.goto(base + "admin/")
            page.get_by_role("button", name="登录").click()
            page = _open(page, base + "admin/#/collections/notices/entries/2024-001")
            _field(page, "标题").locator("input[data-lang=zh]").fill("门禁更换公示（预览）")
            _publish(page)
            notice = root / "data" / "notices" / "2024-001.yaml"
            _saved(page, lambda: "预览" in notice.read_text(encoding="utf-8"), tmp_path / "serve.png")
            browser.close()
        # The preview follows the saved file (live reload rebuild).
        _wait_for(lambda: "门禁更换公示（预览）" in get("notices/2024-001/")[1].decode("utf-8", "replace"), timeout=60,
                  what="the preview did not follow the saved file")
    finally:
        serve.terminate()
        serve.wait(20)
        log.close()
        server.close()


def test_new_community_from_an_empty_folder_to_a_notice_added_in_the_editor(tmp_path: Path) -> None:
    """The issue's "done when", as a committee would do it: ``portal init`` into an
    empty folder, check, build, add a notice through /admin/ (local backend), check
    and build again, and find the notice on the site."""
    from playwright.sync_api import sync_playwright

    def portal(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True,
                              cwd=tmp_path, env={**os.environ, **(env or {})})

    done = portal("init", "qingshi", "--name", "青石社区", "--id", "qingshi")
    assert done.returncode == 0, done.stderr
    root = tmp_path / "qingshi"
    assert portal("check", str(root)).returncode == 0
    server = DecapServer(root)
    backend = {"PORTAL_LOCAL_BACKEND": server.url}
    built = portal("build", str(root), "--out", str(tmp_path / "site"), env=backend)
    assert built.returncode == 0, built.stdout + built.stderr
    site = Site(tmp_path / "site", server.port)
    hosts: set[str] = set()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 1400})
            context.on("request", lambda r: hosts.add(_host(r.url)))
            page = context.new_page()
            admin_url = site.url + "admin/"
            page.goto(admin_url)
            page.get_by_role("button", name="登录").click()
            page = _new_notice(page, admin_url, "2026-11-25-lift-repair", "5号楼电梯维修通知", "11月28日 9:00–12:00 5号楼电梯停用检修。")
            created = root / "data" / "notices" / "2026-11-25-lift-repair.yaml"
            _saved(page, created.exists, tmp_path / "journey.png")
            browser.close()
    finally:
        site.close()
        server.close()
    assert hosts == {"127.0.0.1"}

    checked = portal("check", str(root))
    assert checked.returncode == 0, checked.stdout
    rebuilt = portal("build", str(root), "--out", str(tmp_path / "site"))
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    page_html = (tmp_path / "site" / "notices" / "2026-11-25-lift-repair" / "index.html").read_text(encoding="utf-8")
    assert "5号楼电梯维修通知" in page_html and "5号楼电梯停用检修" in page_html
    assert "5号楼电梯维修通知" in (tmp_path / "site" / "notices" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("branch", ["main", "main\U0001f600", "x\x85y", "tab\there"])
def test_the_editor_configuration_is_written_as_the_python_emitter_writes_it(
        branch: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``config_yaml`` uses libyaml's emitter for speed where it writes what the pure-Python
    one writes, byte for byte (every kind's fields, both languages); a value libyaml would
    escape (an emoji, U+0085 in a branch name) keeps the Python emitter."""
    from generator.pipeline import load_and_check

    checked = load_and_check(MINIMAL)
    editor = Editor(backend="gitea", repo="street/minimal", branch=branch, base_url="https://git.example.org")
    monkeypatch.setattr(checked.project.community, "editor", editor, raising=False)
    fast = admin.config_yaml(checked)
    assert (admin._dumper(decap_config(editor)) is yaml.SafeDumper) == (branch != "main")
    monkeypatch.delattr(yaml, "CSafeDumper", raising=False)
    assert admin.config_yaml(checked) == fast
    assert yaml.safe_load(fast)["collections"]


def test_both_emitters_write_the_same_text_for_what_the_fast_one_is_given() -> None:
    """Random strings of quoting characters, line breaks, CJK and spaces, long enough to be
    folded: wherever ``_dumper`` would take libyaml's emitter, it writes what Python's does."""
    import random

    if not hasattr(yaml, "CSafeDumper"):
        pytest.skip("PyYAML without libyaml")
    alphabet = [*" \t\n\r!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~abcXYZ019", "中", "，", "\u3000", "\xa0", "\u2028",
                "\ufeff", "\x00", "\x7f", "\u200b", "\x85", "\U0001f600", "\n\n", "- ", ": ", " #"]
    rng = random.Random(20)
    compared = 0
    for i in range(4000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300 if i % 5 == 0 else 20)))
        config = {"k": value, "list": [value, {"x": value}], value[:5] or "e": 1}
        dumper = admin._dumper(config)
        python = yaml.dump(config, Dumper=yaml.SafeDumper, allow_unicode=True, sort_keys=False, width=120)
        assert yaml.dump(config, Dumper=dumper, allow_unicode=True, sort_keys=False, width=120) == python, value
        compared += dumper is not yaml.SafeDumper
    assert compared > 500
