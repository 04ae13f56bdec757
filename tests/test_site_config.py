"""``mkdocs.yml`` is data (issue #18, defect 3): a community file may set names,
colours, a logo, theme features and menu entries; everything that is code or a
path the build owns is refused by ``portal check`` at its line, and ``portal
build`` builds from the portal's own values only."""

from __future__ import annotations

import json
import os
import shutil
import struct
import zlib
from pathlib import Path

import pytest

from generator import site_config
from tests.scaffold_helpers import REPO, init, portal

#: The mkdocs.yml every project made by ``portal init`` before this change holds.
OLD_SKELETON = """\
site_name: 社区居务公开
site_url: http://localhost:8000/
use_directory_urls: true
strict: false
theme:
  name: material
  language: zh
  font: false
  custom_dir: site_templates/theme   # 没有这个文件夹时用 portal 自带的主题
  features:
    - navigation.tabs
    - navigation.prune
    - navigation.indexes
    - navigation.top
    - navigation.footer
  palette:
    scheme: default
    primary: custom
    accent: custom
extra:
  generator: false
extra_css:
  - assets/portal.css
markdown_extensions:
  - attr_list
  - md_in_html
  - tables
  - admonition
  - toc:
      permalink: "¶"
plugins: []
"""

MARKER = "/tmp/portal-hook-ran-{pid}"

#: (name, mkdocs.yml, expected code, expected line)
REFUSED = [
    ("custom_dir .git", "site_name: x\ntheme:\n  custom_dir: .git\n", "site.config-owned", 3),
    ("custom_dir .", "theme:\n  custom_dir: .\n", "site.config-owned", 2),
    ("custom_dir outside", "theme:\n  features: [navigation.tabs]\n  custom_dir: ../elsewhere\n", "site.config-owned", 3),
    ("custom_dir absolute", "theme:\n  custom_dir: /home/ci/.ssh\n", "site.config-owned", 2),
    ("hooks", "site_name: x\nhooks: [/abs/path.py]\n", "site.config-owned", 2),
    ("plugins", "plugins:\n  - search\n  - macros\n", "site.config-owned", 1),
    ("extension dict", "markdown_extensions:\n  pymdownx.snippets: {base_path: /}\n", "site.config-owned", 1),
    ("extension added", "markdown_extensions: [attr_list, pymdownx.snippets]\n", "site.config-owned", 1),
    ("docs_dir", "site_name: x\ndocs_dir: /etc\n", "site.config-owned", 2),
    ("site_dir", "site_dir: ../../var/www\n", "site.config-owned", 1),
    ("extra_javascript", "extra_javascript: [https://evil.example/x.js]\n", "site.config-owned", 1),
    ("extra_css other", "extra_css: [https://evil.example/x.css]\n", "site.config-owned", 1),
    ("watch", "watch: [/]\n", "site.config-owned", 1),
    ("INHERIT", "INHERIT: ../other/mkdocs.yml\n", "site.config-owned", 1),
    ("theme name", "theme:\n  name: readthedocs\n", "site.config-owned", 2),
    ("extra portal", "extra:\n  portal: {default: en}\n", "site.config-owned", 2),
    ("python tag", "site_name: x\ncopyright: !!python/object/apply:os.system [touch /tmp/x]\n", "site.config-tag", 2),
    ("python name tag", "site_name: !!python/name:os.system\n", "site.config-tag", 1),
    ("ENV tag", "site_name: x\nsite_author: !ENV [HOME, x]\n", "site.config-tag", 2),
    ("not a mapping", "- site_name\n- x\n", "site.config-not-mapping", 1),
    ("text", "just words\n", "site.config-not-mapping", 1),
    ("invalid yaml", "site_name: x\ntheme:\n  palette: [\n", "yaml.syntax", 4),
    ("unknown key", "site_name: x\nrepo_url: https://x.example\n", "schema.unknown-field", 2),
    ("features dict", "theme:\n  features:\n    navigation.tabs: true\n", "schema.type", 2),
    ("unknown feature", "theme:\n  features: [navigation.instant]\n", "schema.choice", 2),
    ("bad colour", "theme:\n  palette:\n    primary: rainbow\n", "schema.choice", 2),
    ("named font", "theme:\n  font: {text: Roboto}\n", "schema.choice", 2),
    ("svg logo", "theme:\n  logo: images/logo.svg\n", "schema.pattern", 2),
    ("logo outside", "theme:\n  logo: ../../.git/config.png\n", "schema.pattern", 2),
    ("nav outside", "nav:\n  - 密钥: ../.portal-secret.md\n", "schema.pattern", 2),
    ("nav script", "nav:\n  - x: javascript:alert(1)\n", "schema.pattern", 2),
    ("homepage script", "extra:\n  homepage: javascript:alert(1)\n", "schema.pattern", 2),
    ("analytics", "extra:\n  analytics: {provider: google, property: G-X}\n", "schema.unknown-field", 2),
    ("duplicate key", "site_name: a\nsite_name: b\n", "yaml.duplicate-key", 2),
    ("alias", "a: &x 1\nsite_name: *x\n", "yaml.alias", 1),
]


@pytest.mark.parametrize(("text", "code", "line"), [case[1:] for case in REFUSED], ids=[c[0] for c in REFUSED])
def test_refused_at_its_line(text, code, line):
    _config, problems = site_config.parse(text)
    found = [(p.code, p.file, p.line) for p in problems]
    assert (code, "mkdocs.yml", line) in found, found
    assert all(p.severity == "error" for p in problems)


@pytest.mark.parametrize("text", [c[1] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_refused_file_gives_the_defaults(text):
    config, problems = site_config.parse(text)
    assert problems and config == site_config.SiteConfig()


def test_what_init_wrote_before_passes_silently():
    """Projects made by an older ``portal init`` say what the portal says anyway."""
    config, problems = site_config.parse(OLD_SKELETON)
    assert problems == []
    assert config.theme.palette == site_config.Palette()


@pytest.mark.parametrize("path", [REPO / "mkdocs.yml", REPO / "generator/scaffold/skeleton/mkdocs.yml"])
def test_the_portals_own_files_pass(path):
    config, problems = site_config.parse(path.read_text(encoding="utf-8"))
    assert problems == []
    assert config == site_config.SiteConfig(site_name="社区居务公开")


def test_defaults_equal_the_skeleton():
    """A project without mkdocs.yml builds like one with the skeleton's."""
    assert site_config.read(REPO / "tests")[0] == site_config.SiteConfig()


def test_owned_key_message_says_what_to_do():
    from portal_core.i18n import text

    (problem,) = site_config.parse("theme:\n  custom_dir: .git\n")[1]
    zh = text("problem.site.config-owned", "zh", **problem.params)
    en = text("problem.site.config-owned", "en", **problem.params)
    assert "theme.custom_dir" in zh and ".git" in zh
    assert "theme.custom_dir" in en and "published" in en
    assert "删除这一行" in text("problem.site.config-owned.hint", "zh")


def png(width: int = 2, height: int = 2) -> bytes:
    raw = b"".join(b"\x00" + b"\x10\x60\xc0" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_logo_must_exist_and_be_an_image(tmp_path):
    (tmp_path / "content" / "zh" / "images").mkdir(parents=True)
    (tmp_path / "mkdocs.yml").write_text("theme:\n  logo: images/logo.png\n  favicon: images/fav.png\n"
                                         "nav:\n  - 指南: guide.md\n", encoding="utf-8")
    problems = site_config.check(tmp_path, ["zh", "en"])
    assert sorted((p.code, p.line, p.params["path"]) for p in problems) == [
        ("site.config-missing-file", 2, "images/logo.png"), ("site.config-missing-file", 3, "images/fav.png"),
        ("site.config-missing-file", 5, "guide.md")]
    (tmp_path / "content" / "zh" / "images" / "logo.png").write_text("<script>alert(1)</script>")
    (tmp_path / "content" / "zh" / "images" / "fav.png").write_bytes(png())
    (tmp_path / "content" / "zh" / "guide.md").write_text("# 指南\n", encoding="utf-8")
    problems = site_config.check(tmp_path, ["zh", "en"])
    assert [(p.code, p.line, p.params["path"]) for p in problems] == [
        ("site.config-not-image", 2, "content/zh/images/logo.png")]
    (tmp_path / "content" / "zh" / "images" / "logo.png").write_bytes(png())
    assert site_config.check(tmp_path, ["zh", "en"]) == []


def test_a_logo_linked_out_of_the_project_is_refused(tmp_path):
    (tmp_path / "content" / "zh" / "images").mkdir(parents=True)
    secret = tmp_path.parent / f"{tmp_path.name}-secret.png"
    secret.write_bytes(png())
    (tmp_path / "content" / "zh" / "images" / "logo.png").symlink_to(secret)
    (tmp_path / "mkdocs.yml").write_text("theme:\n  logo: images/logo.png\n", encoding="utf-8")
    assert [p.code for p in site_config.check(tmp_path, ["zh"])] == ["site.config-not-image"]


def test_a_linked_or_special_mkdocs_yml_is_not_read(tmp_path):
    (tmp_path / "mkdocs.yml").symlink_to("/etc/passwd")
    assert [p.code for p in site_config.check(tmp_path, ["zh"])] == ["file.link-outside"]
    (tmp_path / "mkdocs.yml").unlink()
    os.mkfifo(tmp_path / "mkdocs.yml")
    assert [p.code for p in site_config.check(tmp_path, ["zh"])] == ["file.special"]


# -- the real command ------------------------------------------------------------


@pytest.fixture(scope="module")
def skeleton(tmp_path_factory):
    return init(tmp_path_factory.mktemp("init"), "--no-git")


@pytest.fixture
def project(skeleton, tmp_path):
    root = tmp_path / "p"
    shutil.copytree(skeleton, root, symlinks=True)
    return root


def assert_refused(done):
    """Exit 1 with a report, not a crash."""
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "internal error" not in done.stdout + done.stderr


CLI_CASES = [c for c in REFUSED if c[0] in ("custom_dir .git", "custom_dir .", "custom_dir outside", "plugins",
                                             "extension dict", "docs_dir", "site_dir", "python tag", "INHERIT",
                                             "not a mapping", "invalid yaml", "features dict", "ENV tag")]


@pytest.mark.parametrize(("text", "code", "line"), [c[1:] for c in CLI_CASES], ids=[c[0] for c in CLI_CASES])
def test_portal_check_refuses(project, text, code, line):
    (project / "mkdocs.yml").write_text(text, encoding="utf-8")
    done = portal("check", "--format", "json", cwd=project)
    assert_refused(done)
    problems = json.loads(done.stdout)["problems"]
    assert {"code": code, "file": "mkdocs.yml", "line": line} in [
        {k: p[k] for k in ("code", "file", "line")} for p in problems], problems
    human = portal("check", cwd=project)
    assert_refused(human)
    assert f"mkdocs.yml:{line}" in human.stdout + human.stderr


def test_a_hook_never_runs(project):
    marker = Path(MARKER.format(pid=os.getpid()))
    marker.unlink(missing_ok=True)
    hook = project / "evil_hook.py"
    hook.write_text(f"from pathlib import Path\nPath({str(marker)!r}).write_text('ran')\n"
                    "def on_config(config):\n    return config\n", encoding="utf-8")
    (project / "mkdocs.yml").write_text(f"site_name: x\nhooks:\n  - {hook}\n", encoding="utf-8")
    for command in ("check", "build"):
        done = portal(command, cwd=project)
        assert_refused(done)
        assert "mkdocs.yml:2" in done.stdout + done.stderr
        assert not marker.exists(), command
    assert not (project / "site").exists()


def test_custom_dir_git_publishes_nothing(project):
    (project / ".git").mkdir(exist_ok=True)
    (project / ".git" / "config").write_text('[http]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n')
    (project / "mkdocs.yml").write_text("theme:\n  custom_dir: .git\n", encoding="utf-8")
    done = portal("build", cwd=project)
    assert_refused(done)
    assert "mkdocs.yml:2" in done.stdout + done.stderr
    assert not (project / "site").exists()


def test_allowed_settings_take_effect(project):
    """Colours, logo, favicon, texts and a menu entry reach the built site; text
    stays text; the language without its own logo uses the default one's."""
    images = project / "content" / "zh" / "images"
    images.mkdir(parents=True, exist_ok=True)
    (images / "logo.png").write_bytes(png())
    (images / "favicon.png").write_bytes(png(1, 1))
    (project / "content" / "zh" / "guide.md").write_text("# 荷叶专用指南\n", encoding="utf-8")
    (project / "mkdocs.yml").write_text(
        "site_name: 社区居务公开\n"
        "site_description: 荷叶社区的\"居务\"公开\n"
        "copyright: © 2026 <b>荷叶社区</b> & 居委会\n"
        "theme:\n"
        "  features: [navigation.tabs, navigation.prune, navigation.top]\n"
        "  palette: {scheme: default, primary: indigo, accent: teal}\n"
        "  logo: images/logo.png\n"
        "  favicon: images/favicon.png\n"
        "nav:\n"
        "  - 荷叶专用指南: guide.md\n", encoding="utf-8")
    done = portal("build", "--jobs", "1", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    site = project / "site"
    zh = (site / "index.html").read_text(encoding="utf-8")
    en = (site / "en" / "index.html").read_text(encoding="utf-8")
    assert 'data-md-color-primary="indigo"' in zh and 'data-md-color-accent="teal"' in zh
    assert 'data-md-color-primary="indigo"' in en
    assert 'src="images/logo.png"' in zh
    assert 'src="/images/logo.png"' in en  # en has no copy: the default language's
    assert (site / "images" / "logo.png").read_bytes() == png()
    assert 'rel="icon" href="images/favicon.png"' in zh
    assert "© 2026 &lt;b&gt;荷叶社区&lt;/b&gt; &amp; 居委会" in zh and "<b>荷叶社区</b>" not in zh
    guide = (site / "guide" / "index.html").read_text(encoding="utf-8")  # a page without a paragraph
    assert '<meta name="description" content="荷叶社区的&quot;居务&quot;公开">' in guide  # it cannot leave the attribute
    assert 'href="guide/"' in zh and "荷叶专用指南" in zh
    assert "荷叶专用指南" not in en and "guide/" not in en  # the page exists in Chinese only
    # the portal's own theme and extensions are still there
    assert "assets/portal.css" in zh
    assert not (site / "config").exists() and not list(site.rglob(".portal-secret"))


def test_a_project_made_before_checks_and_builds_with_the_portals_theme(project):
    """The old skeleton's lines pass; its ``custom_dir: site_templates/theme`` no
    longer makes the project's own folder the theme (templates are code)."""
    (project / "mkdocs.yml").write_text(OLD_SKELETON, encoding="utf-8")
    theme = project / "site_templates" / "theme"
    theme.mkdir(parents=True)
    (theme / "main.html").write_text('{% extends "base.html" %}{% block content %}PROJECT-THEME{% endblock %}',
                                     encoding="utf-8")
    (theme / "leak.txt").write_text("not for the site", encoding="utf-8")
    done = portal("check", "--format", "json", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["problems"] == []
    built = portal("build", "--jobs", "1", cwd=project)
    assert built.returncode == 0, built.stdout + built.stderr
    site = project / "site"
    assert not list(site.rglob("leak.txt"))
    assert not [p for p in site.rglob("*.html") if "PROJECT-THEME" in p.read_text(encoding="utf-8")]
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'data-md-color-primary="custom"' in home and "assets/portal.css" in home


def test_two_palettes_icons_and_links(project):
    (project / "mkdocs.yml").write_text(
        "theme:\n"
        "  palette:\n"
        "    - media: \"(prefers-color-scheme: light)\"\n"
        "      primary: teal\n"
        "      toggle: {icon: material/brightness-7, name: '切换到\"深色\"<b>'}\n"
        "    - media: \"(prefers-color-scheme: dark)\"\n"
        "      scheme: slate\n"
        "      primary: black\n"
        "      toggle: {icon: material/brightness-4, name: 切换到浅色}\n"
        "extra:\n"
        "  homepage: https://example.org/\n"
        "nav:\n"
        "  - 区政府网站: https://www.gov.cn/\n", encoding="utf-8")
    built = portal("build", "--jobs", "1", cwd=project)
    assert built.returncode == 0, built.stdout + built.stderr
    for home in (project / "site" / "index.html", project / "site" / "en" / "index.html"):
        text = home.read_text(encoding="utf-8")
        assert 'data-md-color-primary="teal"' in text and 'data-md-color-primary="black"' in text
        assert 'title="切换到&quot;深色&quot;&lt;b&gt;"' in text  # a label, never markup
        assert 'href="https://www.gov.cn/"' in text and "区政府网站" in text
        assert 'href="https://example.org/"' in text
