"""Content is data, never code (issue #9): no text a committee's files hold can
run in a resident's browser, and ``portal check`` says where such text is.

The payload corpus is ``tests/xss_payloads.py`` (filter-evasion families; each
payload calls ``__xss(ID)`` if it ever runs).

Check level (``portal check`` as a subprocess, on copies of tests/projects/minimal):

- every Markdown payload, written into every Markdown field of every data kind,
  into plain-text titles and into a hand-written page ``content/zh/xss.md``, is an
  error ``markdown.unsafe-html`` at its own file and line (the value's first line
  or a line of the payload inside a block scalar);
- every URL payload in every URL field is an error ``schema.url-scheme`` at the
  value's line;
- the same layout with harmless text checks clean, and no ``markdown.unsafe-html``
  error points at a line that holds no payload.

Browser level (Debian's Chromium via Playwright): the payloads forced past the
check (the markup check dropped from ``generator.pipeline.CHECKS``, the URL
scheme rule ``generator.kinds.common.check_url`` made to accept anything), the
site built and served on 127.0.0.1, every page that holds a payload opened with
a hook that records ``__xss`` calls, dialogs, CSP violations and navigation to
``javascript:``/``data:``/``vbscript:`` addresses, every element hovered and
clicked. Zero of each. The site's own scripts still run on normal pages with
zero CSP violations, and the policy names no ``'unsafe-inline'``, no
``script-src-attr`` and no ``'unsafe-hashes'`` for scripts. A positive control
(the same payloads rendered *without* the sanitizer, on a page without a CSP)
shows the hook does see payloads that run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import markdown
import pytest
from bs4 import BeautifulSoup
from site_fixtures import SiteServer, free_port
from xss_payloads import FAMILIES, PAYLOADS, PLAIN_PAYLOADS, URL_PAYLOADS, Payload, yaml_quoted

from generator.kinds.common import Today

REPO = Path(__file__).resolve().parent.parent
MINIMAL = REPO / "tests/projects/minimal"
UNSAFE = "markdown.unsafe-html"
URL_SCHEME = "schema.url-scheme"
TODAY = dt.date(2026, 11, 22)


# -- writing payloads into a project, remembering where they went -------------------------

@dataclass(frozen=True)
class Spot:
    """Where one payload was written: the field, the file, and its lines."""

    field: str
    payload: Payload
    file: str
    first: int  #: the line of the key (where the value starts)
    last: int  #: the last line of the value

    def holds(self, line: int | None) -> bool:
        return line is not None and self.first <= line <= self.last


class YamlFile:
    """A YAML file written line by line; payloads go in as block scalars (Markdown,
    as a committee writes a long text) or double-quoted scalars (titles, URLs)."""

    def __init__(self, rel: str) -> None:
        self.rel = rel
        self.lines: list[str] = []
        self.spots: list[Spot] = []

    def add(self, *lines: str) -> None:
        for text in lines:
            self.lines.extend(text.split("\n"))

    def block(self, indent: int, key: str, text: str | Payload, name: str) -> None:
        """``key: |`` at ``indent`` spaces, the text 2 spaces deeper (``key`` must
        not share its line with a list dash)."""
        first = len(self.lines) + 1
        body = text.text if isinstance(text, Payload) else text
        self.lines.append(f"{' ' * indent}{key}: |")
        self.lines.extend(f"{' ' * (indent + 2)}{line}" if line else "" for line in body.split("\n"))
        if isinstance(text, Payload):
            self.spots.append(Spot(name, text, self.rel, first, len(self.lines)))

    def blocks(self, indent: int, key: str, payloads: list[Payload], name: str) -> None:
        """Several payloads in one block scalar, a blank line between them; the
        first one's place includes the key's line (where the value starts)."""
        first = len(self.lines) + 1
        self.lines.append(f"{' ' * indent}{key}: |")
        for i, p in enumerate(payloads):
            if i:
                self.lines.append("")
            start = len(self.lines) + 1
            self.lines.extend(f"{' ' * (indent + 2)}{line}" if line else "" for line in p.text.split("\n"))
            self.spots.append(Spot(name, p, self.rel, first if i == 0 else start, len(self.lines)))

    def quoted(self, indent: int, key: str, payload: Payload, name: str, dash: bool = False) -> None:
        lead = " " * (indent - 2) + "- " if dash else " " * indent
        self.lines.append(f"{lead}{key}: {yaml_quoted(payload.text)}")
        self.spots.append(Spot(name, payload, self.rel, len(self.lines), len(self.lines)))

    def write(self, root: Path) -> list[Spot]:
        path = root / self.rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(self.lines) + "\n", encoding="utf-8")
        return self.spots


def copy_minimal(dest: Path) -> Path:
    shutil.copytree(MINIMAL, dest, ignore=shutil.ignore_patterns(".portal-build", "site", ".portal-*"))
    return dest


def community_file(descriptions: list[tuple[str, str | list[Payload]]] = (),
                   bodies: list[tuple[str, str | Payload]] = (), url: list[Payload] = ()) -> YamlFile:
    """The sample's community.yaml plus a description per language (a text, or
    payloads one after the other), extra bodies each with a description, and
    the ``url`` payloads in the profile's URL fields (site, endpoint, editor's
    API and login addresses: the first, second, third and fourth)."""
    base = (MINIMAL / "data/community.yaml").read_text(encoding="utf-8").rstrip("\n").split("\n")
    cut = base.index("service_categories:")  # the bodies list ends here
    f = YamlFile("data/community.yaml")
    f.add(*base[:cut])
    for body_id, text in bodies:
        f.add(f"  - id: {body_id}", f"    name: 机构 {body_id}", "    kind: other")
        f.block(4, "description", text, "body.description")
    f.add(*base[cut:])
    if descriptions:
        f.add("description:")
        for lang, text in descriptions:
            if isinstance(text, str):
                f.block(2, lang, text, "community.description")
            else:
                f.blocks(2, lang, text, "community.description")
    if url:
        f.quoted(0, "site_url", url[0], "community.site_url")
        f.quoted(0, "endpoint_url", url[1], "community.endpoint_url")
        f.add("editor:", "  backend: gitea", "  repo: test/portal", "  app_id: portal-test")
        f.quoted(2, "api_root", url[2], "editor.api_root")
        f.quoted(2, "base_url", url[3], "editor.base_url")
    return f


def notice_file(rel: str, nid: str, body: str | Payload, title: Payload | None = None,
                links: list[tuple[Payload | str, Payload | str]] = ()) -> YamlFile:
    f = YamlFile(rel)
    f.add(f"id: {nid}")
    if title is None:
        f.add(f"title: {{zh: 通知 {nid}, en: Notice {nid}}}")
    else:
        f.quoted(0, "title", title, "notice.title")
    f.add("category: announcement", "issuer: jwh", "published: 2024-03-12")
    f.block(0, "body", body, "notice.body")
    _links(f, "attachments", 0, links, "notice.attachment")
    return f


def _links(f: YamlFile, key: str, indent: int, links: list[tuple[Payload | str, Payload | str]], name: str) -> None:
    """A list of ``Link``s: each title and url is a payload or plain text."""
    if not links:
        return
    pad = " " * indent
    f.add(f"{pad}{key}:")
    for title, url in links:
        if isinstance(title, Payload):
            f.quoted(indent + 4, "title", title, "link.title", dash=True)
        else:
            f.add(f"{pad}  - title: {title}")
        if isinstance(url, Payload):
            f.quoted(indent + 4, "url", url, name)
        else:
            f.add(f"{pad}    url: {url}")


def rule_file(rel: str, rid: str, summary: str | Payload, note: str | Payload,
              articles: list[str | Payload], revised: list[str | Payload] = ()) -> YamlFile:
    """A rule; with ``revised``, a second version whose articles differ (the rule
    page then shows what changed, article by article)."""
    f = YamlFile(rel)
    f.add(f"id: {rid}", f"title: {{zh: 规约 {rid}, en: Rule {rid}}}", "kind: other", "status: in-force", "body: jwh")
    f.block(0, "summary", summary, "rule.summary")
    f.add("versions:")
    versions = [("2023", "2023-01-01", articles)] + ([("2024", "2024-01-01", revised)] if revised else [])
    for label, effective, texts in versions:
        f.add(f'  - version: "{label}"', f"    effective: {effective}")
        f.block(4, "note", note, "rule.note")
        f.add("    articles:")
        for i, text in enumerate(texts, 1):
            f.add(f"      - number: {i}")
            f.block(8, "text", text, "rule.article")
    return f


def service_file(rel: str, sid: str, summary: str | Payload, eligibility: str | Payload, name: Payload | None = None,
                 links: list[tuple[Payload | str, Payload | str]] = ()) -> YamlFile:
    f = YamlFile(rel)
    f.add(f"id: {sid}")
    if name is None:
        f.add(f"name: {{zh: 服务 {sid}, en: Service {sid}}}")
    else:
        f.quoted(0, "name", name, "service.name")
    f.add("category: elderly")
    f.block(0, "summary", summary, "service.summary")
    f.add("provider: 社区食堂", "provider_body: jwh", "place: 社区服务中心一楼", "price: free")
    f.block(0, "eligibility", eligibility, "service.eligibility")
    _links(f, "links", 0, links, "service.link")
    return f


def meeting_file(rel: str, mid: str, minutes: str | Payload, items: list[tuple[str, str | Payload]],
                 documents: list[tuple[Payload | str, Payload | str]] = ()) -> YamlFile:
    """A held meeting; each agenda item (``(key, text)``) has the text as its
    background, its one option's description and its decision's text."""
    f = YamlFile(rel)
    f.add(f"id: {mid}", "body: jwh", "type: committee", f"title: 会议 {mid}", "date: 2024-05-10",
          "place: 社区活动室", "status: held", "attendance: {members: 7, present: 6}", "agenda:")
    for key, text in items:
        f.add(f"  - id: a{key}", f"    title: 议题 {key}", "    raised_by: {kind: committee, body: jwh}")
        f.block(4, "background", text, "agenda.background")
        _links(f, "documents", 4, documents if key == items[0][0] else [], "agenda.document")
        f.add("    options:", "      - id: o1", "        title: 方案一")
        f.block(8, "description", text, "option.description")
        f.add("    decision:", f"      id: D-{mid}-{key}")
        f.block(6, "text", text, "decision.text")
        f.add("      option: o1", "      votes: {for: 5, against: 1, abstain: 0}", "      outcome: adopted")
    f.block(0, "minutes", minutes, "meeting.minutes")
    _links(f, "documents", 0, documents, "meeting.document")
    return f


def form_file(rel: str, fid: str, purpose: str | Payload, privacy: str | Payload, help_text: Payload | None = None) -> YamlFile:
    f = YamlFile(rel)
    f.add(f"id: {fid}", f"title: {{zh: 表单 {fid}, en: Form {fid}}}", "kind: suggestion")
    f.block(0, "purpose", purpose, "form.purpose")
    f.block(0, "privacy", privacy, "form.privacy")
    f.add("retention_days: 30", "recipients: [jwh]", "reply_days: 5", "fields:", "  - name: text",
          "    type: textarea", "    label: {zh: 内容, en: Your suggestion}", "    required: true")
    if help_text is not None:
        f.quoted(4, "help", help_text, "form.help")
    return f


class RequestsFile(YamlFile):
    """A yearly requests file and its ledger of issued numbers (``issued.csv``), as
    ``portal inbox publish`` leaves them: without the ledger the check warns."""

    def __init__(self, rel: str) -> None:
        super().__init__(rel)
        self.issued: list[str] = ["id,receipt_key,issued"]

    def write(self, root: Path) -> list[Spot]:
        (root / "data/requests").mkdir(parents=True, exist_ok=True)
        (root / "data/requests/issued.csv").write_text("\n".join(self.issued) + "\n", encoding="utf-8")
        return super().write(root)


def requests_file(replies: list[tuple[int, str | Payload]]) -> YamlFile:
    f = RequestsFile("data/requests/2024.yaml")
    f.add("id: '2024'", "requests:")
    for n, text in replies:
        key = hashlib.md5(f"receipt-{n}".encode()).hexdigest()  # noqa: S324 - a test value, not security
        f.add(f"  - id: R2024-{n:04d}", f"    receipt_key: {key}", "    form: suggestion",
              "    received: 2024-10-02", "    first_reply: 2024-10-03", "    status: answered")
        f.block(4, "reply", text, "request.reply")
        f.issued.append(f"R2024-{n:04d},{key},2024-10-03")
    return f


def content_page(rel: str, payloads: list[Payload]) -> tuple[str, list[Spot]]:
    """A hand-written page: a heading, then each payload under a heading of its own."""
    lines, spots = ["# 安全测试", ""], []
    for p in payloads:
        lines += [f"## 条目 {p.id}", ""]
        first = len(lines) + 1
        lines += p.text.split("\n")
        spots.append(Spot("content.page", p, rel, first, len(lines)))
        lines.append("")
    return "\n".join(lines) + "\n", spots


def content_pages(root: Path, payloads: list[Payload]) -> list[Spot]:
    """``content/zh/xss.md`` with every balanced payload; each unbalanced one
    (it changes how the rest of a page is parsed) on a page of its own."""
    spots = []
    pages = [("content/zh/xss.md", [p for p in payloads if p.closed])]
    pages += [(f"content/zh/xss-{p.id}.md", [p]) for p in payloads if not p.closed]
    for rel, group in pages:
        text, found = content_page(rel, group)
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
        spots += found
    return spots


def check_layout(root: Path, md: list[Payload], plain: list[Payload], urls: list[Payload],
                 profile_urls: list[Payload]) -> list[Spot]:
    """The check-level layout: each Markdown payload alone in each Markdown field
    of each kind (a file per payload where the kind has one value per file, a
    list item per payload otherwise), the plain payloads in titles, the URL
    payloads in the ``Link`` lists, the page(s) in ``content/zh/``. The
    community profile has one description: the balanced payloads one after the
    other in Chinese, the others in English."""
    spots: list[Spot] = []
    description = [("zh", [p for p in md if p.closed]), ("en", [p for p in md if not p.closed])]
    spots += community_file(description, [(f"x{p.id}", p) for p in md], profile_urls).write(root)
    for p in md:
        spots += notice_file(f"data/notices/x{p.id}.yaml", f"x{p.id}", p).write(root)
        spots += rule_file(f"data/rules/x{p.id}.yaml", f"x{p.id}", p, p, [p]).write(root)
        spots += service_file(f"data/services/x{p.id}.yaml", f"x{p.id}", p, p).write(root)
        spots += meeting_file(f"data/meetings/x{p.id}.yaml", f"x{p.id}", p, [("1", p)]).write(root)
        spots += form_file(f"data/forms/x{p.id}.yaml", f"x{p.id}", p, p).write(root)
    spots += requests_file([(p.id, p) for p in md]).write(root)
    for p in plain:
        spots += notice_file(f"data/notices/t{p.id}.yaml", f"t{p.id}", "正文。", title=p,
                             links=[(p, "/files/a.pdf")]).write(root)
        spots += service_file(f"data/services/t{p.id}.yaml", f"t{p.id}", "服务。", "居民。", name=p).write(root)
    if urls:
        links = [(f"附件 {u.id}", u) for u in urls]
        spots += notice_file("data/notices/u.yaml", "u", "正文。", links=links).write(root)
        spots += meeting_file("data/meetings/u.yaml", "u", "纪要。", [("1", "背景。")], documents=links).write(root)
        spots += service_file("data/services/u.yaml", "u", "服务。", "居民。", links=links).write(root)
    if md:
        spots += content_pages(root, md)
    return spots


# -- running portal check -------------------------------------------------------------------

@dataclass
class CheckRun:
    root: Path
    spots: list[Spot]
    returncode: int = -1
    problems: list[dict] = field(default_factory=list)
    output: str = ""


def run_check(run: CheckRun) -> CheckRun:
    proc = subprocess.run([sys.executable, "-m", "generator", "check", str(run.root), "--format", "json",
                           "--lang", "en"], cwd=REPO, capture_output=True, text=True, timeout=300)
    run.returncode, run.output = proc.returncode, proc.stdout + proc.stderr
    try:
        run.problems = json.loads(proc.stdout)["problems"]
    except (ValueError, KeyError):
        run.problems = []
    return run


def run_all(runs: list[CheckRun]) -> list[CheckRun]:
    with ThreadPoolExecutor(2) as pool:  # two cores: two checks at a time
        return list(pool.map(run_check, runs))


def benign(p: Payload, kind: str) -> Payload:
    """Harmless text of the same shape, for the layout's clean run."""
    text = {"md": f"普通文字 {p.id}，**加粗**，<b>标签</b>，[链接](https://example.cn/a-{p.id}) 与 `代码`。\n\n第二段。",
            "plain": f"普通标题 {p.id}", "url": f"https://example.cn/files/{p.id}.pdf"}[kind]
    return Payload(p.id, "benign", text, p.closed)


def rotations(items: list[Payload], width: int) -> list[list[Payload]]:
    """``len(items)`` groups of ``width``, such that each item is in each position once."""
    return [[items[(k + i) % len(items)] for i in range(width)] for k in range(len(items))]


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[CheckRun]]:
    """``portal check`` over the layouts: ``"clean"`` (harmless text in every
    place), ``"payloads"`` (one copy with every payload in every field, and, as
    the profile's URL fields hold one value per project, a copy per URL payload
    in which it and the next three fill those four fields)."""
    base = tmp_path_factory.mktemp("content-safety-check")
    clean_root = copy_minimal(base / "clean")
    clean = CheckRun(clean_root, check_layout(
        clean_root, [benign(p, "md") for p in PAYLOADS], [benign(p, "plain") for p in PLAIN_PAYLOADS],
        [benign(p, "url") for p in URL_PAYLOADS], [benign(p, "url") for p in URL_PAYLOADS[:4]]))
    root = copy_minimal(base / "all")
    runs = [CheckRun(root, check_layout(root, PAYLOADS, PLAIN_PAYLOADS, URL_PAYLOADS, []))]
    for k, urls in enumerate(rotations(URL_PAYLOADS, 4)):
        root = copy_minimal(base / f"profile-{k}")
        runs.append(CheckRun(root, community_file(url=urls).write(root)))
    done = run_all([clean, *runs])
    return {"clean": done[:1], "payloads": done[1:]}


def missing(runs: list[CheckRun], field_name: str, code: str) -> tuple[int, list[str]]:
    """How many payloads went into ``field_name``, and a line per payload that
    ``portal check`` did not report with ``code`` at its file and line."""
    placed, out = 0, []
    for run in runs:
        for spot in (s for s in run.spots if s.field == field_name):
            placed += 1
            hits = [p for p in run.problems if p["code"] == code and p["file"] == spot.file and spot.holds(p["line"])]
            if not hits:
                near = sorted({(p["line"], p["code"]) for p in run.problems if p["file"] == spot.file
                               and p["line"] is not None and spot.first - 3 <= p["line"] <= spot.last + 3})
                out.append(f"{spot.payload} at {spot.file}:{spot.first}-{spot.last}; reported near it: {near}")
    return placed, out


def test_corpus_has_every_family_and_calls_the_hook_with_its_own_number() -> None:
    """At least 40 Markdown payloads from the families issue #9 names, each of
    which would call ``__xss`` with its own number (so a run names what fired)."""
    assert len(PAYLOADS) >= 40
    for needed in ("case", "missing spaces", "slashes", "entity", "SVG", "srcdoc", "data:", "Markdown link",
                   "reference", "autolink", "split across", "nested quotes", "style", "object", "handlers"):
        assert any(needed.lower() in f.lower() for f in FAMILIES), needed
    for p in [*PAYLOADS, *PLAIN_PAYLOADS, *URL_PAYLOADS]:
        assert re.search(rf"__xss\({p.id}\)|%5F%5Fxss\({p.id}\)", p.text), p


def test_the_layout_with_harmless_text_checks_clean(checked) -> None:
    """The same files, fields and lines with harmless Markdown, titles and https
    addresses pass ``portal check``: every error below comes from a payload."""
    run = checked["clean"][0]
    assert run.returncode == 0, run.output[-3000:]
    assert run.problems == []


MARKDOWN_FIELDS = ["community.description", "body.description", "notice.body", "rule.summary", "rule.note",
                   "rule.article", "service.summary", "service.eligibility", "meeting.minutes", "agenda.background",
                   "option.description", "decision.text", "form.purpose", "form.privacy", "request.reply"]


@pytest.mark.parametrize("field_name", MARKDOWN_FIELDS)
def test_every_payload_in_a_markdown_field_is_refused_at_its_line(checked, field_name: str) -> None:
    """``portal check`` exits 1 and reports each Markdown payload written into
    ``field_name`` as ``markdown.unsafe-html`` at its file and line."""
    runs = checked["payloads"]
    placed, unreported = missing(runs, field_name, UNSAFE)
    assert placed == len(PAYLOADS), placed
    assert all(r.returncode == 1 for r in runs if any(s.field == field_name for s in r.spots)), \
        [(r.root.name, r.returncode, r.output[-500:]) for r in runs if r.returncode != 1]
    assert not unreported, f"{len(unreported)} of {placed} payloads not reported:\n" + "\n".join(unreported)


def test_every_payload_in_a_hand_written_page_is_refused_at_its_line(checked) -> None:
    """A page in ``content/zh/`` holding the payloads (the unbalanced ones on
    pages of their own): each is an error at its line of the page."""
    placed, unreported = missing(checked["payloads"], "content.page", UNSAFE)
    assert placed == len(PAYLOADS)
    assert not unreported, f"{len(unreported)} of {placed} payloads not reported:\n" + "\n".join(unreported)


@pytest.mark.parametrize("field_name", ["notice.title", "service.name", "link.title"])
def test_payloads_in_plain_text_fields_are_refused_at_their_line(checked, field_name: str) -> None:
    """Titles are escaped, but Markdown syntax in them (links, attribute lists)
    is still live: the check refuses a payload in a title at its line."""
    placed, unreported = missing(checked["payloads"], field_name, UNSAFE)
    assert placed == len(PLAIN_PAYLOADS)
    assert not unreported, f"{len(unreported)} of {placed} payloads not reported:\n" + "\n".join(unreported)


URL_FIELDS = ["notice.attachment", "meeting.document", "agenda.document", "service.link", "community.site_url",
              "community.endpoint_url", "editor.api_root", "editor.base_url"]


@pytest.mark.parametrize("field_name", URL_FIELDS)
def test_every_url_payload_is_refused_at_its_line(checked, field_name: str) -> None:
    """Each URL payload (``javascript:`` in any case, after blanks or control
    characters, split by a tab or newline, entity-encoded; ``data:``,
    ``vbscript:``) in ``field_name`` is ``schema.url-scheme`` at the value's line."""
    runs = checked["payloads"]
    placed, unreported = missing(runs, field_name, URL_SCHEME)
    assert placed == len(URL_PAYLOADS)
    assert all(r.returncode == 1 for r in runs if any(s.field == field_name for s in r.spots))
    assert not unreported, f"{len(unreported)} of {placed} payloads not reported:\n" + "\n".join(unreported)


def test_unsafe_html_is_reported_only_where_a_payload_is(checked) -> None:
    """Every ``markdown.unsafe-html`` error points into a payload's lines (no
    error lands on a neighbouring line or a harmless value), and the copy with
    every kind's payloads has no error of any other kind: the locations the
    tests above accept are the payloads', not a coincidence."""
    stray = []
    for run in checked["payloads"]:
        for p in run.problems:
            if p["code"] == UNSAFE and not any(s.file == p["file"] and s.holds(p["line"]) for s in run.spots):
                stray.append(f"{run.root.name}: {p['file']}:{p['line']}:{p['col']} {p['message']}")
    assert not stray, "\n".join(stray)
    other = [f"{p['file']}:{p['line']} {p['code']}: {p['message']}" for p in checked["payloads"][0].problems
             if p["severity"] == "error" and p["code"] not in (UNSAFE, URL_SCHEME)]
    assert not other, "\n".join(other)


# -- the browser -------------------------------------------------------------------------------

def joined(payloads: list[Payload]) -> str:
    """All payloads in one Markdown text, the unbalanced ones last."""
    ordered = [p for p in payloads if p.closed] + [p for p in payloads if not p.closed]
    return "\n\n".join(p.text for p in ordered)


def browser_layout(root: Path) -> None:
    """Every payload in every Markdown field, as one long text in fields that hold
    one value per record and one list item each where the kind has lists (bodies,
    rule articles, agenda items, requests); plain payloads in titles, names,
    link texts and a form field's help; URL payloads in every ``Link`` list."""
    md, everything = PAYLOADS, joined(PAYLOADS)
    links = [(PLAIN_PAYLOADS[i % len(PLAIN_PAYLOADS)], u) for i, u in enumerate(URL_PAYLOADS)]
    community_file([("zh", everything), ("en", everything)], [(f"x{p.id}", p) for p in md]).write(root)
    notice_file("data/notices/xss.yaml", "xss", everything, title=PLAIN_PAYLOADS[0], links=links).write(root)
    for p in PLAIN_PAYLOADS:
        notice_file(f"data/notices/t{p.id}.yaml", f"t{p.id}", "正文。", title=p).write(root)
    rule_file("data/rules/xss.yaml", "xss", everything, everything, list(md),
              [Payload(p.id, p.family, p.text + f"\n\n修订 {p.id}。", p.closed) for p in md]).write(root)
    service_file("data/services/xss.yaml", "xss", everything, everything, name=PLAIN_PAYLOADS[1], links=links).write(root)
    meeting_file("data/meetings/xss.yaml", "xss", everything, [(str(p.id), p) for p in md], documents=links).write(root)
    form_file("data/forms/xss.yaml", "xss", everything, everything, help_text=PLAIN_PAYLOADS[2]).write(root)
    requests_file([(p.id, p) for p in md]).write(root)
    content_pages(root, md)


@dataclass
class Built:
    out: Path
    url: str
    pages: list[str]  #: pages (relative HTML paths) that hold payloads
    normal: list[str]  #: pages that hold none, for the site's own scripts


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory: pytest.TempPathFactory):
    """The payloads forced past ``portal check`` and built: the markup check is
    taken out of ``CHECKS`` and ``check_url`` accepts any address, so whatever
    reaches the pages is up to the renderer's sanitizer alone."""
    import generator.checks
    import generator.kinds.common
    import generator.pipeline
    from generator.build import BuildError, build

    base = tmp_path_factory.mktemp("content-safety-site")
    root = copy_minimal(base / "project")
    browser_layout(root)
    out = base / "site"
    out.mkdir()
    server = SiteServer(out)
    saved = Today.value
    with pytest.MonkeyPatch.context() as mp:
        without = tuple((name, run) for name, run in generator.checks.CHECKS if name != "markup")
        assert len(without) == len(generator.checks.CHECKS) - 1, "no 'markup' entry in generator.checks.CHECKS"
        mp.setattr(generator.checks, "CHECKS", without)
        mp.setattr(generator.pipeline, "CHECKS", without)  # imported by name at module load
        mp.setattr(generator.kinds.common, "check_url", lambda value: value)
        mp.setenv("PORTAL_SECRET", "content-safety-tests")
        Today.value = TODAY
        try:
            build(root, out, site_url=server.url, endpoint_url=f"http://127.0.0.1:{free_port()}")
        except BuildError as exc:
            server.close()
            report = getattr(exc, "report", None)
            problems = "\n".join(map(str, report.problems[:20])) if report is not None else ""
            pytest.fail(f"the site with the payloads did not build: {exc}\n{problems}")
        finally:
            Today.value = saved
    pages, normal = [], []
    for path in sorted(out.rglob("*.html")):
        rel = path.relative_to(out).as_posix()
        if rel.startswith("admin/"):
            continue
        text = path.read_text(encoding="utf-8")
        (pages if re.search(r"xss|xsstitle", text) else normal).append(rel)
    yield Built(out, server.url, pages, normal)
    server.close()


#: Runs in every frame before the page's own scripts: ``__xss`` reports to the
#: test, as do CSP violations, and clicks or submits that would go to a script
#: or data address.
HOOK = r"""
(() => {
  const report = (kind, detail) => { try { window.__xssReport(kind, String(detail), location.href); } catch (e) {} };
  Object.defineProperty(window, "__xss", {value: (id) => report("xss", id), writable: false, configurable: false});
  document.addEventListener("securitypolicyviolation", (e) => report("csp",
    `${e.violatedDirective} blocked=${e.blockedURI} at ${e.sourceFile}:${e.lineNumber} sample=${e.sample}`), true);
  const unsafe = /^(javascript|data|vbscript):$/i;
  const scheme = (value) => { try { return new URL(value, location.href).protocol; } catch (e) { return ""; } };
  document.addEventListener("click", (e) => {
    const a = e.target instanceof Element ? e.target.closest("a[href], area[href]") : null;
    if (a && unsafe.test(scheme(a.getAttribute("href")))) report("navigate", a.getAttribute("href"));
  }, true);
  document.addEventListener("submit", (e) => {
    const action = e.submitter?.getAttribute("formaction") || e.target.getAttribute("action") || "";
    if (unsafe.test(scheme(action))) report("navigate", action);
  }, true);
})();
"""

#: Everything in the live DOM a payload could act through.
AUDIT = r"""
() => {
  const found = [];
  const unsafe = /^(javascript|data|vbscript):$/i;
  const urlAttrs = new Set(["href", "src", "action", "formaction", "data", "xlink:href", "poster", "background",
                            "codebase", "cite", "ping", "srcset"]);
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      if (name.startsWith("on") || name === "srcdoc") found.push(`${el.localName} ${name}="${a.value.slice(0, 80)}"`);
      if (urlAttrs.has(name)) {
        let protocol = "";
        try { protocol = new URL(a.value, location.href).protocol; } catch (e) {}
        if (unsafe.test(protocol)) found.push(`${el.localName} ${name}="${a.value.slice(0, 80)}"`);
      }
    }
  }
  const content = document.querySelector("article") || document.body || document.documentElement;
  const bad = "iframe, frame, object, embed, base, meta, style, svg script, math, form, input, button, " +
              "textarea, select, link";
  for (const el of content.querySelectorAll(bad)) {
    if (el.closest("form.portal-form, form[role=search]")) continue;  // the site's own forms (forms, search)
    found.push(`<${el.localName}> in the content: ${el.outerHTML.slice(0, 100)}`);
  }
  for (const el of document.querySelectorAll("script")) {
    if (/json/.test(el.type || "")) continue;  // data, never run
    const src = el.getAttribute("src");
    let own = false;
    try { own = src !== null && new URL(src, location.href).origin === location.origin; } catch (e) {}
    if (!own && (src !== null || /xss/.test(el.textContent))) found.push(`script: ${el.outerHTML.slice(0, 100)}`);
  }
  return found;
}
"""

#: Fires what hovering, focusing and clicking would, on every element of the
#: content; anchors only when they would not just load another page.
SYNTHETIC = r"""
() => {
  const content = document.querySelector("article") || document.body || document.documentElement;
  const kinds = ["pointerover", "pointerenter", "mouseover", "mouseenter", "mousemove", "mousedown", "mouseup",
                 "focus", "focusin", "pointerdown", "pointerup", "animationstart", "toggle"];
  let n = 0;
  for (const el of [content, ...content.querySelectorAll("*")]) {
    for (const kind of kinds) el.dispatchEvent(new Event(kind, {bubbles: true}));
    const link = el.closest("a[href]");
    let protocol = "";
    try { protocol = link ? new URL(link.getAttribute("href"), location.href).protocol : ""; } catch (e) {}
    if (!link || !/^https?:$/.test(protocol)) {
      if (!el.closest("form.portal-form, form[role=search]")) el.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true}));
    }
    n++;
  }
  return n;
}
"""

#: Elements a resident would point at or click (real mouse input, Playwright).
TARGETS = "article a, article img, article details, article summary, article button, article input"

#: Remembers the targets of a page; ``POINT`` scrolls one into view and says where
#: to point, whether clicking it does more than load another page of the site
#: (following an ordinary link proves nothing and leaves the page), and whether
#: it links to another scheme than http(s).
COLLECT = "(selector) => (window.__targets = Array.from(document.querySelectorAll(selector))).length"
POINT = r"""
(i) => {
  const el = (window.__targets || [])[i];
  if (!el || !el.isConnected) return null;
  el.scrollIntoView({block: "center", inline: "center"});
  const r = el.getBoundingClientRect();
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  if (r.width < 1 || r.height < 1 || x < 0 || y < 0 || x > innerWidth || y > innerHeight) return null;
  const a = el.closest("a[href]");
  let click = true, other = false;
  if (a) {
    try {
      const url = new URL(a.getAttribute("href"), location.href);
      other = !/^https?:$/.test(url.protocol);
      click = other || (url.origin === location.origin && url.pathname === location.pathname);
    } catch (e) {}
  }
  return {x, y, click, other};
}
"""


class Watch:
    """One browser context with the hook; what every page in it reported."""

    def __init__(self, browser) -> None:
        self.events: list[tuple[str, str, str]] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        self.context.expose_binding("__xssReport", lambda source, kind, detail, where: self.events.append(
            (kind, detail, where)))
        self.context.add_init_script(HOOK)
        self.context.on("page", lambda page: self._watch(page))

    def _watch(self, page) -> None:
        def dialog(d) -> None:
            self.events.append(("dialog", f"{d.type}: {d.message}", page.url))
            d.dismiss()

        page.on("dialog", dialog)
        page.on("console", lambda m: self.events.append(("csp", m.text, page.url))
                if "Content Security Policy" in m.text else None)
        page.on("framenavigated", lambda f: self.events.append(("navigate", f.url, page.url))
                if re.match(r"\s*(javascript|data|vbscript):", f.url, re.I) else None)
        page.on("request", lambda r: self.events.append(("navigate", r.url[:100], page.url))
                if re.match(r"(javascript|data|vbscript):", r.url, re.I) and r.is_navigation_request() else None)
        page.on("popup", lambda p: self.events.append(("popup", p.url, page.url)))

    def close(self) -> None:
        self.context.close()

    def of(self, *kinds: str) -> list[tuple[str, str, str]]:
        return [e for e in self.events if e[0] in kinds]


def exercise(page, url: str, pointer: bool = True) -> list[str]:
    """Open ``url`` in ``page``; with ``pointer``, move the mouse over each link,
    image, details, button and input of the content and click those that do
    more than load another page; then fire hover, focus and click events at
    every content element. Returns what the live DOM still holds that could run."""
    def same_page() -> bool:
        return page.url.split("#")[0] == url.split("#")[0]

    page.goto(url, wait_until="load")
    if pointer:
        count = page.evaluate(COLLECT, TARGETS)
        for i in range(count):
            try:
                where = page.evaluate(POINT, i)
                if where:
                    page.mouse.move(where["x"], where["y"])
                    if where["click"]:
                        page.mouse.click(where["x"], where["y"])
                    if where["other"]:  # a script address runs a moment later, unless the next click cancels it
                        page.wait_for_timeout(60)
            except Exception:  # noqa: BLE001 - the page went away under the click
                pass
            if not same_page():  # an ordinary link after all: come back
                page.goto(url, wait_until="load")
                page.evaluate(COLLECT, TARGETS)
    page.evaluate(SYNTHETIC)
    page.wait_for_timeout(150)  # toggle events, SMIL begin, autofocus
    if not same_page():
        page.goto(url, wait_until="load")
    return page.evaluate(AUDIT)


def describe(events: list[tuple[str, str, str]]) -> str:
    return "\n".join(f"{kind}: {detail} (on {where})" for kind, detail, where in events[:60])


def test_payload_pages_were_built(xss_site: Built) -> None:
    """Every kind's page with payloads exists (so the browser tests below open them)."""
    for rel in ("index.html", "organisation/index.html", "notices/xss/index.html", "rules/xss/index.html",
                "services/xss/index.html", "meetings/xss/index.html", "decisions/index.html", "forms/xss/index.html",
                "requests/index.html", "xss/index.html", "en/index.html"):
        assert rel in xss_site.pages, (rel, xss_site.pages)


def test_no_payload_runs_in_the_browser(xss_site: Built, browser) -> None:
    """Every page holding payloads, opened in Chromium, every link, image,
    details, button and cell hovered and clicked, every content element sent
    pointer, focus and click events: no ``__xss`` call, no dialog, no navigation
    to a script or data address, no CSP violation (the sanitizer must not leave
    anything for the policy to stop), and nothing left in the live DOM that could
    run (handlers, ``srcdoc``, script/data addresses, frames, forms, scripts)."""
    watch = Watch(browser)
    leftovers: dict[str, list[str]] = {}
    try:
        page = watch.context.new_page()
        for rel in xss_site.pages:
            # The English pages come from the same templates and texts: events only.
            found = exercise(page, xss_site.url + rel.removesuffix("index.html"), pointer=not rel.startswith("en/"))
            if found:
                leftovers[rel] = found
    finally:
        watch.close()
    ran = watch.of("xss", "dialog", "navigate", "popup")
    assert not ran, f"payloads ran: IDs {sorted({e[1] for e in watch.of('xss')})}\n{describe(ran)}"
    assert not watch.of("csp"), describe(watch.of("csp"))
    assert not leftovers, "\n".join(f"{rel}: {items[:15]}" for rel, items in leftovers.items())


def test_site_search_shows_the_payload_titles_as_text(xss_site: Built, browser) -> None:
    """The search results, which the search page builds in the browser from its
    index (Pagefind), list the pages holding payloads (their titles and text excerpts);
    showing and pointing at them runs nothing."""
    watch = Watch(browser)
    try:
        page = watch.context.new_page()
        page.goto(xss_site.url)
        page.locator("a.portal-search-link").click()  # the search page (Pagefind)
        page.locator("#search-q").fill("xss")
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.querySelectorAll('.search-results a').length > 0", timeout=15000)
        for i in range(page.evaluate(COLLECT, ".search-results a")):
            where = page.evaluate(POINT, i)
            if where:
                page.mouse.move(where["x"], where["y"])
        page.wait_for_timeout(150)
        found = page.evaluate(AUDIT)
    finally:
        watch.close()
    assert not watch.of("xss", "dialog", "navigate", "popup", "csp"), describe(watch.events)
    assert not found, found


def test_site_scripts_run_without_csp_violations_on_normal_pages(xss_site: Built, browser) -> None:
    """On the pages without payloads the theme's inline script (``__md_scope``,
    allowed by its hash) and bundle (``document$``) run, the forms page's
    ``forms.js`` fills in its idempotency key, and nothing violates the policy."""
    watch = Watch(browser)
    wrong = []
    try:
        for rel in xss_site.normal:
            if not rel.endswith("index.html"):
                continue
            page = watch.context.new_page()
            try:
                page.goto(xss_site.url + rel.removesuffix("index.html"), wait_until="load")
                page.wait_for_timeout(200)
                state = page.evaluate("""() => ({scope: typeof __md_scope !== 'undefined' && __md_scope instanceof URL,
                                                 bundle: typeof document$ !== 'undefined',
                                                 idem: Array.from(document.querySelectorAll('input[name=_idem]'))
                                                           .map(i => i.value)})""")
                if not (state["scope"] and state["bundle"]):
                    wrong.append(f"{rel}: theme scripts did not run: {state}")
                if rel.startswith("forms/") and rel != "forms/index.html" and not all(state["idem"] or [""]):
                    wrong.append(f"{rel}: forms.js did not run: {state}")
            finally:
                page.close()
    finally:
        watch.close()
    assert "forms/suggestion/index.html" in xss_site.normal
    assert not wrong, "\n".join(wrong)
    assert not watch.of("csp"), describe(watch.of("csp"))
    assert not watch.of("xss", "dialog", "navigate", "popup"), describe(watch.events)


def csp_of(html: str) -> dict[str, list[str]]:
    metas = BeautifulSoup(html, "html.parser").find_all("meta", attrs={"http-equiv": re.compile("^content-security-policy$", re.I)})
    assert len(metas) == 1, f"{len(metas)} CSP <meta> tags"
    directives: dict[str, list[str]] = {}
    for part in metas[0]["content"].split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def test_policy_allows_no_handler_and_hashes_only_the_sites_own_scripts(xss_site: Built) -> None:
    """Every page's ``<meta>`` CSP: no ``script-src-attr``, no ``'unsafe-inline'``,
    ``'unsafe-hashes'`` at most for style attributes (table alignment), and each
    script hash is that of an inline script the site itself wrote (none of them
    holds anything of a payload). No executable inline script holds one either."""
    inline: dict[str, str] = {}
    policies: dict[str, dict[str, list[str]]] = {}
    problems = []
    for path in sorted(xss_site.out.rglob("*.html")):
        rel = path.relative_to(xss_site.out).as_posix()
        if rel.startswith("admin/"):
            continue
        html = path.read_text(encoding="utf-8")
        policies[rel] = policy = csp_of(html)
        if "script-src-attr" in policy:
            problems.append(f"{rel}: script-src-attr {policy['script-src-attr']}")
        for name, values in policy.items():
            if "'unsafe-inline'" in values:
                problems.append(f"{rel}: 'unsafe-inline' in {name}")
            if "'unsafe-hashes'" in values and name != "style-src-attr":
                problems.append(f"{rel}: 'unsafe-hashes' in {name}")
        for script in BeautifulSoup(html, "html.parser").find_all("script"):
            if script.get("src") or "json" in (script.get("type") or ""):
                continue
            text = script.string or ""
            inline[_hash(text)] = text
            if "xss" in text:
                problems.append(f"{rel}: an inline script holds a payload: {text[:100]!r}")
    for rel, policy in policies.items():
        for name in ("script-src", "script-src-elem", "default-src"):
            for value in policy.get(name, []):
                if value.startswith("'sha") and value not in inline:
                    problems.append(f"{rel}: {name} allows {value}, which is no inline script of the site")
    assert not problems, "\n".join(sorted(set(problems))[:40])


def _hash(text: str) -> str:
    import base64

    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode('utf-8')).digest()).decode()}'"


def test_positive_control_the_hook_sees_payloads_that_run(xss_site: Built, browser, tmp_path: Path) -> None:
    """The same payloads rendered by Markdown *without* the sanitizer, on a page
    without a policy: the hook records the ones that run (a handler on load, on
    hover, on click, a ``javascript:`` link, a toggle), and it sees a refused
    handler on a page with a policy and a dialog; so the zeros above mean
    nothing ran, not that nothing was watched."""
    renderer = markdown.Markdown(extensions=["attr_list", "md_in_html", "tables", "admonition"])
    parts = []
    for p in [p for p in PAYLOADS if p.closed and "<base" not in p.text and "<meta" not in p.text] + \
             [p for p in PAYLOADS if not p.closed]:
        parts.append(f"<section>{renderer.convert(p.text)}</section>")
        renderer.reset()
    control = tmp_path / "control"
    control.mkdir()
    (control / "index.html").write_text("<!doctype html><html><head><meta charset=utf-8><title>control</title></head>"
                                        f"<body><article>{''.join(parts)}</article></body></html>", encoding="utf-8")
    (control / "x.png").write_bytes(b"not an image")
    # the other channels: a handler a policy refuses, and a dialog
    (control / "csp.html").write_text('<!doctype html><meta http-equiv="Content-Security-Policy" '
                                      """content="script-src 'self'"><img src="x.png" onerror="__xss(0)">""")
    (control / "dialog.html").write_text('<!doctype html><script>alert("hook check")</script>')
    server = SiteServer(control)
    watch = Watch(browser)
    try:
        page = watch.context.new_page()
        exercise(page, server.url)
        page.goto(server.url + "csp.html", wait_until="load")
        page.goto(server.url + "dialog.html", wait_until="load")
        page.wait_for_timeout(150)
    finally:
        watch.close()
        server.close()
    assert watch.of("csp"), "the hook saw no CSP violation on csp.html"
    assert watch.of("dialog"), "the hook saw no dialog on dialog.html"
    fired = {int(e[1]) for e in watch.of("xss")}
    expected = {p.id for p in PAYLOADS for t in (
        '<div><img src="x.png"onerror=', "<svg/onload=", "[link {}](javascript:", '<a href="/" onmouseover=',
        "<details open ontoggle=", '<p onclick="') if p.text.startswith(t.replace("{}", str(p.id)))}
    assert len(expected) >= 6, expected
    assert expected <= fired, f"the hook missed {sorted(expected - fired)}; it saw {sorted(fired)}"
    assert len(fired) >= len(PAYLOADS) // 3, sorted(fired)

