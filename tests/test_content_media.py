"""Only pages and inert media leave ``content/`` (issue #18, defects 1 and 13).

Check level (``portal check`` as a subprocess, once per language, on a copy of
tests/projects/minimal holding every bad file at once): each file a browser can
run (HTML, XHTML, SVG with a script, JS and their kin), each allowed extension
whose bytes are really markup or another format, and each hard link (content/
and data/) is an error at its own path, in zh and en, with no traceback and
nothing of a hard-linked file's text in the output. Dot-files are neither
reported nor published (mkdocs never publishes them).

Build level: the copy into the site (``render_site``, the same rule through
``fsguard.safe_files``) leaves every one of them out even when the check is
bypassed, keeps the pages and the good media, and ``portal build`` stops.

Rule level (``media.refusal`` in process): every allowed type with its real
signature passes; every family of disguise is refused; the portal's own assets
keep their hard links (installers make them).

Headers: every host format names the PDFs and office documents for
``Content-Disposition: attachment``.

Browser level (one build): a file of every allowed non-page type, each one a
polyglot carrying ``<script>`` after its signature, served by a real nginx with
the snippet ``portal headers --host nginx`` writes, opened in Chromium: no
script ran (``window.__pwned`` stays unset), every response carries
``nosniff`` and the documents arrive as downloads. A positive control (an HTML
page with the same script placed in the site by hand) shows that the marker
does get set when such a file is published: that is defect 1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pytest
from site_fixtures import (
    NGINX,
    NGINX_CONF,
    NGINX_USER,
    PROJECTS,
    REPO,
    SECRET,
    TODAY,
    free_port,
    stop_nginx,
    wait_for_port,
)

from generator.kinds.common import Today
from generator.loading import fsguard, media

PWN = b"<script>window.__pwned = 1</script>"
HTML = b"<!DOCTYPE html><html><body>" + PWN + b"</body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>window.__pwned = 1</script></svg>'
OUTSIDE_TEXT = "HARD-LINKED-SECRET-77"

#: Files a browser could run: path -> (bytes, the error expected there).
BAD: dict[str, tuple[bytes, str]] = {
    # the reproductions of the review
    "content/zh/evil.html": (b'<script src="evil.js"></script>', "content.file-type"),
    "content/zh/evil.js": (b"window.__pwned = 1;\n", "content.file-type"),
    "content/zh/evil.svg": (SVG, "content.file-type"),
    "content/zh/evil.xhtml": (b'<html xmlns="http://www.w3.org/1999/xhtml"><script src="evil.js"/></html>',
                              "content.file-type"),
    "content/zh/files/photo.png": (HTML, "content.file-disguised"),  # an upload into the editor's media folder
    # the same families, other spellings and types
    "content/zh/EVIL.HTM": (HTML, "content.file-type"),
    "content/zh/page.shtml": (HTML, "content.file-type"),
    "content/zh/page.mht": (HTML, "content.file-type"),
    "content/zh/x.svgz": (SVG, "content.file-type"),
    "content/zh/x.mjs": (b"export const x = 1;\n", "content.file-type"),
    "content/zh/style.css": (b"body{background:url(javascript:1)}\n", "content.file-type"),
    "content/zh/feed.xml": (b'<?xml version="1.0"?><x:script xmlns:x="http://www.w3.org/1999/xhtml">1</x:script>',
                            "content.file-type"),
    "content/zh/t.xsl": (b'<?xml version="1.0"?><xsl:stylesheet/>', "content.file-type"),
    "content/zh/a.wasm": (b"\x00asm\x01\x00\x00\x00", "content.file-type"),
    "content/zh/a.swf": (b"FWS\x0a", "content.file-type"),
    "content/zh/data.json": (b'{"a": 1}', "content.file-type"),
    "content/zh/README": (HTML, "content.file-type"),  # no extension: an unknown type
    "content/en/evil.html": (HTML, "content.file-type"),  # every language
    "content/zh/files/deep/more/evil.html": (HTML, "content.file-type"),
    "content/zh/page.html.png": (HTML, "content.file-disguised"),
    "content/zh/files/scan.jpg": (SVG, "content.file-disguised"),
    "content/zh/files/anim.GIF": (b"  \n" + HTML, "content.file-disguised"),
    "content/zh/files/fake.webp": (b"RIFF\x00\x00\x00\x00WAVE" + HTML, "content.file-disguised"),
    "content/zh/files/fake.avif": (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + HTML,
                                   "content.file-disguised"),
    "content/zh/files/report.pdf": (HTML, "content.file-disguised"),
    "content/zh/files/minutes.docx": (SVG, "content.file-disguised"),
    "content/zh/files/minutes.doc": (b"\x89PNG\r\n\x1a\n", "content.file-disguised"),  # a PNG, not a document
    "content/zh/files/list.txt": (b"\xef\xbb\xbf\n  " + HTML, "content.file-disguised"),
    "content/zh/files/list.csv": (SVG, "content.file-disguised"),
}
#: Hard links to a file outside the project.
HARD = ("content/zh/files/notes.txt", "data/notices/2024-009.yaml", "content/zh/linked.md")
#: Never published, never reported: dot-files.
HIDDEN = ("content/zh/.DS_Store", "content/zh/.drafts/evil.html")


def portal(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    env.pop("PORTAL_DB", None)
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=180)


def _minimal(top: Path) -> Path:
    root = top / "proj"
    shutil.copytree(PROJECTS / "minimal", root, ignore=shutil.ignore_patterns(".portal-build", "site", ".portal-*"))
    (root / "content" / "zh").mkdir(parents=True, exist_ok=True)
    (root / "content" / "en").mkdir(parents=True, exist_ok=True)
    (root / "content" / "zh" / "about.md").write_text("# 关于\n\n![图](files/ok.png)\n", encoding="utf-8")
    (root / "content" / "zh" / "files").mkdir()
    (root / "content" / "zh" / "files" / "ok.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)
    return root


@pytest.fixture(scope="module")
def bad_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    top = tmp_path_factory.mktemp("media")
    root = _minimal(top)
    for rel, (data, _code) in BAD.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    outside = top / "outside"
    outside.mkdir()
    (outside / "notes.txt").write_text(OUTSIDE_TEXT + "\n")
    (outside / "2024-009.yaml").write_text(f"id: 2024-009\ntitle: {OUTSIDE_TEXT}\n")
    (outside / "linked.md").write_text(f'# x\n\n<iframe src="{OUTSIDE_TEXT}"></iframe>\n')  # not even checked
    for rel in HARD:
        os.link(outside / Path(rel).name, root / rel)
    for rel in HIDDEN:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(HTML)
    return root


@pytest.fixture(scope="module")
def reports(bad_project: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    return {lang: portal("check", str(bad_project), "--jobs", "1", "--lang", lang) for lang in ("zh", "en")}


WORDS = {
    "content.file-type": ("不会发布", "are not published"),
    "content.file-disguised": ("内容却不是", "the content is not"),
    "file.hard-link": ("硬链接", "hard links"),
}


@pytest.mark.parametrize("rel,code", [(rel, code) for rel, (_, code) in BAD.items()]
                         + [(rel, "file.hard-link") for rel in HARD])
def test_check_refuses_the_file_at_its_path(reports: dict[str, subprocess.CompletedProcess[str]], rel: str,
                                             code: str) -> None:
    for lang, words in zip(("zh", "en"), WORDS[code], strict=True):
        result = reports[lang]
        assert result.returncode == 1, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        lines = [x for x in result.stdout.splitlines() if x.startswith(f"{rel}: ")]
        assert len(lines) == 1, (rel, result.stdout)
        assert f" {code}: " in lines[0] and words in lines[0], lines[0]


def test_check_says_nothing_else(reports: dict[str, subprocess.CompletedProcess[str]]) -> None:
    """No other file is blamed (the good media, the pages, dot-files), and the
    hard-linked files were not read into the report."""
    expected = set(BAD) | set(HARD)
    for result in reports.values():
        blamed = {line.split(": ")[0] for line in result.stdout.splitlines() if ": " in line
                  and (line.startswith("content/") or line.startswith("data/"))}
        assert blamed == expected, blamed ^ expected
        assert OUTSIDE_TEXT not in result.stdout + result.stderr
    hints = reports["en"].stdout
    assert "convert the SVG to PNG" in next(x for x in hints.splitlines() if x.startswith("content/zh/evil.svg: "))
    assert "Markdown page" in next(x for x in hints.splitlines() if x.startswith("content/zh/evil.html: "))
    assert "copy the file itself" in next(x for x in hints.splitlines() if x.startswith(HARD[0] + ": "))


def test_build_publishes_none_of_them(bad_project: Path, tmp_path: Path) -> None:
    """Even when the check is bypassed, the copy into the site leaves them out."""
    from generator.build import render_site
    from generator.pipeline import load_and_check

    checked = load_and_check(bad_project, jobs=1)
    published: dict[str, bytes] = {}
    for lang in ("zh", "en"):
        files = render_site(checked, lang, "http://localhost:8000/")
        published.update({f"content/{lang}/{rel}": data for rel, data in files.items()})
    for rel in [*BAD, *HARD, *HIDDEN]:
        assert rel not in published, rel
    assert not any(OUTSIDE_TEXT.encode() in data for data in published.values())
    assert not any(PWN in data or b"<svg" in data for rel, data in published.items()
                   if not rel.endswith((".md", ".js", ".css")))
    assert "content/zh/about.md" in published and "content/zh/files/ok.png" in published
    assert "content/zh/assets/portal.css" in published  # the portal's own assets are still copied
    result = portal("build", str(bad_project), "--out", str(tmp_path / "www"), "--jobs", "1")
    assert result.returncode == 1 and "content.file-type" in result.stdout, result.stdout + result.stderr
    assert not (tmp_path / "www").exists()


# -- the rule itself -----------------------------------------------------------------------------

def _zip(names: dict[str, bytes]) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in names.items():
            z.writestr(name, data)
    return buffer.getvalue()


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
OOXML = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODF = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office:document/>"})
#: One file of every allowed non-page type, each a polyglot: its real signature, then a script.
GOOD: dict[str, bytes] = {
    "image.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + PWN,
    "image.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + PWN,
    "image.jpeg": b"\xff\xd8\xff\xdb" + PWN,
    "image.gif": b"GIF89a\x01\x00\x01\x00" + PWN,
    "icon.ico": b"\x00\x00\x01\x00\x01\x00\x10\x10" + PWN,
    "image.webp": b"RIFF\x24\x00\x00\x00WEBPVP8 " + PWN,
    "image.avif": b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + PWN,
    "doc.pdf": b"%PDF-1.7\n" + PWN,
    "doc.doc": OLE2 + PWN, "doc.xls": OLE2 + PWN, "doc.ppt": OLE2 + PWN,
    "doc.docx": OOXML + PWN, "doc.xlsx": OOXML + PWN, "doc.pptx": OOXML + PWN,
    "doc.odt": ODF + PWN, "doc.ods": ODF + PWN, "doc.odp": ODF + PWN,
    "table.csv": "名称,金额\n修路,100\n".encode() + PWN,
    "notes.txt": b"\xef\xbb\xbfplain words, then " + HTML,
}


def test_every_allowed_type_with_its_signature_passes(tmp_path: Path) -> None:
    assert {Path(name).suffix for name in GOOD} == media.ALLOWED - media.PAGES
    for name, data in GOOD.items():
        (tmp_path / name).write_bytes(data)
        assert media.refusal(tmp_path, tmp_path / name) is None, name
        (tmp_path / name.upper()).write_bytes(data)  # extensions in capitals too
        assert media.refusal(tmp_path, tmp_path / name.upper()) is None, name
    (tmp_path / "page.md").write_bytes(HTML)  # pages are rendered and sanitized, never copied
    assert media.refusal(tmp_path, tmp_path / "page.md") is None


@pytest.mark.parametrize("payload", [HTML, SVG, b"\n\t <?xml version='1.0'?>" + SVG, b"", b"GIF8", b"PK\x03"],
                         ids=["html", "svg", "xml", "empty", "short", "truncated"])
def test_every_allowed_media_type_refuses_what_it_is_not(tmp_path: Path, payload: bytes) -> None:
    for name in GOOD:
        ext = Path(name).suffix
        if ext in media.TEXT and not payload.lstrip().startswith(b"<"):
            continue  # text is any text that does not start like markup
        (tmp_path / name).write_bytes(payload)
        found = media.refusal(tmp_path, tmp_path / name)
        assert found is not None and found.code == "content.file-disguised", (name, payload[:10])
        assert found.params["ext"] == ext


def test_unreadable_media_is_refused_not_a_traceback(tmp_path: Path) -> None:
    # Reading fails (a folder named like an image: an OSError even for root, who reads
    # files whatever their mode): a problem at its path, not a traceback.
    path = tmp_path / "x.png"
    path.mkdir()
    found = media.refusal(tmp_path, path)
    assert found is not None and found.code == "file.unreadable"


def test_hard_links_are_refused_for_the_project_but_not_for_the_portals_own_assets(tmp_path: Path) -> None:
    """pip and uv may install the portal's files as hard links to their cache."""
    folder = tmp_path / "content" / "zh"
    folder.mkdir(parents=True)
    (tmp_path / "elsewhere.png").write_bytes(GOOD["image.png"])
    os.link(tmp_path / "elsewhere.png", folder / "linked.png")
    (folder / "copied.png").write_bytes(GOOD["image.png"])
    assert [rel for rel, _ in fsguard.safe_files(tmp_path, folder)] == ["copied.png"]
    found = fsguard.refusal(tmp_path, folder / "linked.png")
    assert found is not None and found.code == "file.hard-link" and found.params["count"] == 2
    assets = tmp_path / "site_templates" / "assets"
    assets.mkdir(parents=True)
    os.link(tmp_path / "elsewhere.png", assets / "logo.png")
    (assets / "app.js").write_text("1")  # the portal's own scripts are not content
    assert [rel for rel, _ in fsguard.safe_files(tmp_path, assets, own=True)] == ["app.js", "logo.png"]


# -- headers -------------------------------------------------------------------------------------

def test_every_host_format_sends_documents_as_attachments() -> None:
    from generator.site import header_formats as hf
    from generator.site.security_headers import HeaderSet, SiteNeeds

    needs = SiteNeeds(pages=1, documents=["files/会议 纪要.pdf", "en/files/budget.xlsx"])
    site = {"Content-Security-Policy": "default-src 'none'", "X-Content-Type-Options": "nosniff"}
    headers = HeaderSet(needs, site, dict(site), "default-src 'none'")
    netlify = hf.netlify(headers)
    assert "/files/%E4%BC%9A%E8%AE%AE%20%E7%BA%AA%E8%A6%81.pdf\n  Content-Disposition: attachment\n" in netlify
    assert "/en/files/budget.xlsx\n  Content-Disposition: attachment\n" in netlify
    for fmt in (hf.nginx, hf.caddy, hf.apache, hf.vercel):
        out = fmt(headers)
        assert "Content-Disposition" in out and "attachment" in out and "docx" in out and "pdf" in out, fmt.__name__
    import re

    for name in ("a.pdf", "b.DOCX", "c.odp", "d.ppt"):
        assert re.search(hf.DOCUMENTS_RE, "/files/" + name, re.IGNORECASE), name
    for name in ("a.png", "a.pdf.html", "a.csv", "pdf"):
        assert not re.search(hf.DOCUMENTS_RE, "/files/" + name, re.IGNORECASE), name


# -- in a browser, behind the nginx snippet ------------------------------------------------------



@dataclass
class Served:
    out: Path
    url: str


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A project with one file of every allowed type in content/zh/files/, built
    once and served by nginx with the generated header snippet."""

    from generator.build import build

    assert Path(NGINX).is_file(), "nginx is missing: run scripts/setup --test (Debian package nginx)"
    top = tmp_path_factory.mktemp("media-site")
    root = _minimal(top)
    for name, data in GOOD.items():
        (root / "content" / "zh" / "files" / name).write_bytes(data)
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    saved_today, Today.value = Today.value, TODAY
    saved_secret = os.environ.get("PORTAL_SECRET")
    os.environ["PORTAL_SECRET"] = SECRET
    try:
        build(root, top / "site", site_url=url)
    finally:
        Today.value = saved_today
        if saved_secret is None:
            os.environ.pop("PORTAL_SECRET", None)
        else:
            os.environ["PORTAL_SECRET"] = saved_secret
    out = top / "site"
    # The positive control: what defect 1 published, put into the site by hand.
    (out / "control.html").write_bytes(b'<!DOCTYPE html><html><head><script src="control.js"></script></head></html>')
    (out / "control.js").write_bytes(b"window.__pwned = 1;\n")
    prefix = top / "nginx"
    (prefix / "tmp").mkdir(parents=True)
    cli = portal("headers", "--site", str(out), "--host", "nginx", "--out", str(prefix / "community-portal-headers.conf"))
    assert cli.returncode == 0, cli.stdout + cli.stderr
    (prefix / "nginx.conf").write_text(NGINX_CONF.format(user=NGINX_USER, prefix=prefix, port=port, site=out))
    args = [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, proc, prefix / "error.log")
        yield Served(out, url)
    finally:
        stop_nginx(proc)


def test_allowed_media_never_run_a_script_in_chromium(served: Served, browser) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import Error as PlaywrightError

    assert {p.name for p in (served.out / "files").iterdir()} == set(GOOD) | {"ok.png"}
    context = browser.new_context(accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(served.url + "control.html")
        assert page.evaluate("() => window.__pwned") == 1, "the control did not run: the marker proves nothing"
        for name in sorted(GOOD):
            url = served.url + "files/" + name
            page.goto("about:blank")
            download = Path(name).suffix.lower() in media.DOCUMENTS
            if download:  # sent as an attachment: the browser saves it and stays where it was
                with page.expect_download() as got:
                    with pytest.raises(PlaywrightError, match="Download is starting"):
                        page.goto(url)
                assert got.value.url == url
            else:
                try:
                    page.goto(url)  # shown as an image or text (a type nginx does not know is saved)
                except PlaywrightError as exc:
                    assert "Download is starting" in str(exc), (name, exc)
            response = context.request.get(url)
            assert response.status == 200, name
            headers = response.headers
            assert headers.get("x-content-type-options") == "nosniff", name
            assert "text/html" not in headers.get("content-type", ""), name
            assert ("attachment" in headers.get("content-disposition", "")) == download, name
            assert page.evaluate("() => window.__pwned") is None, f"a script ran from {name}"
            assert page.evaluate("() => document.querySelectorAll('script').length") == 0, name
        assert page.evaluate("() => window.__pwned") is None
    finally:
        context.close()


def test_caddy_snippet_sends_documents_as_attachments(served: Served, tmp_path: Path) -> None:
    """The same built site behind `portal headers --host caddy` in a real Caddy."""
    import socket
    import time
    import urllib.request

    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.skip("caddy is not installed")
    snippet = tmp_path / "portal.caddy"
    assert portal("headers", "--site", str(served.out), "--host", "caddy", "--out", str(snippet)).returncode == 0
    port = free_port()
    (tmp_path / "Caddyfile").write_text(f"{{\n\tadmin off\n\tauto_https off\n}}\nhttp://127.0.0.1:{port} {{\n"
                                        f"\troot * {served.out}\n\timport {snippet}\n}}\n", encoding="utf-8")
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    proc = subprocess.Popen([caddy, "run", "--config", str(tmp_path / "Caddyfile"), "--adapter", "caddyfile"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "caddy did not start"
                time.sleep(0.1)
        for name in sorted(GOOD):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/files/{name}", timeout=10) as r:
                assert r.headers["X-Content-Type-Options"] == "nosniff", name
                document = Path(name).suffix in media.DOCUMENTS
                assert (r.headers.get("Content-Disposition") == "attachment") == document, name
    finally:
        proc.terminate()
        proc.wait(10)
