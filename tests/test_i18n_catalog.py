"""The translation catalog (portal_core/i18n.py): every entry has both languages,
no empty string, the same placeholders in zh and en, and every key the code and
the templates name literally exists. The loader refuses a key defined twice."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from portal_core import i18n

REPO = Path(__file__).resolve().parent.parent
CATALOG = i18n.catalog()


#: Entries whose languages rightly differ in placeholders, with why. Changing one
#: changes what ``portal check`` prints, so they stay as they are.
PLACEHOLDERS_DIFFER = {
    "problem.table.foreign-key.hint": "the English hint says “there”: the message just named the table",
}


def _placeholders(template: str, lang: str) -> set[str]:
    """Field names of a template; in English ``x_en`` stands for ``x`` (a parameter
    that is itself in a language, e.g. ``{what}`` / ``{what_en}``)."""
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    return {name.removesuffix("_en") if lang == "en" else name for name in names}


def test_the_catalog_files_are_found_and_namespaced():
    found = {p.relative_to(REPO).as_posix() for p in i18n.files()}
    assert found >= {"portal_core/strings/endpoint.yaml", "generator/strings/problems.yaml",
                     "generator/strings/cli.yaml", "site_templates/strings.yaml", "site_templates/admin/labels.yaml",
                     "generator/kinds/notice/strings.yaml", "generator/kinds/meeting/strings.yaml"}
    assert len(CATALOG) > 400
    namespaces = {key.split(".")[0] for key in CATALOG}
    assert namespaces == {"problem", "cli", "endpoint", "site", "editor", "kind"}
    # a kind's words are in its own folder, under its name
    for path in i18n.files():
        if path.name == "strings.yaml" and path.parent.parent.name == "kinds":
            assert all(key.startswith(f"kind.{path.parent.name}.") for key in i18n.load_file(path)), path


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_entry_has_both_languages_non_empty_and_the_same_placeholders(key):
    entry = CATALOG[key]
    assert isinstance(entry, dict) and sorted(entry) == sorted(i18n.LANGS), f"{key}: needs exactly zh and en"
    for lang, value in entry.items():
        assert isinstance(value, str), f"{key}.{lang} is {value!r}, not text (quote it)"
        assert value.strip(), f"{key}.{lang} is empty"
    zh, en = _placeholders(entry["zh"], "zh"), _placeholders(entry["en"], "en")
    if key in PLACEHOLDERS_DIFFER:
        assert zh != en, f"{key} has the same placeholders now: drop it from PLACEHOLDERS_DIFFER"
        return
    assert zh == en, f"{key}: placeholders {sorted(zh)} in zh, {sorted(en)} in en"
    assert all(name.isidentifier() for name in zh | en), f"{key}: placeholders are plain names"


# -- keys the code and the templates use --------------------------------------------

#: (pattern of a literal use in Python, prefix the key gets)
USES = [
    # the one function and its bilingual form: the full key
    (re.compile(r"(?<![\w.])(?:i18n\.)?(?:text|texts|both|tr|_zh|_en)\(\s*(['\"])([a-z][\w.-]*\.[\w.-]+)\1(?=\s*[,)])"), ""),
    # endpoint/messages.text("receipt", lang)
    (re.compile(r"\bmessages\.text\(\s*(['\"])([\w.-]+)\1(?=\s*[,)])"), "endpoint."),
    # the site's renderer and feeds: renderer.t("home"), x.t('notices'), site_text("x", …)
    (re.compile(r"(?:\.t|\bsite_text)\(\s*(['\"])([\w.-]+)\1(?=\s*[,)])"), "site."),
]
TEMPLATE_USE = re.compile(r"(?<![\w.])t\(\s*(['\"])([\w.-]+)\1(?=\s*[,)])")  # not t("by-" ~ kind)


def _uses() -> list[tuple[str, str]]:
    """(where, key) of every literal key in the code and the templates."""
    found = []
    for folder in ("generator", "endpoint", "portal_core"):
        for path in sorted((REPO / folder).rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            for pattern, prefix in USES:
                for m in pattern.finditer(source):
                    line = source.count("\n", 0, m.start()) + 1
                    found.append((f"{path.relative_to(REPO)}:{line}", prefix + m.group(2)))
    templates = [*(REPO / "site_templates").rglob("*"), *(REPO / "generator" / "kinds").glob("*/templates/*")]
    for path in sorted(templates):
        if path.suffix not in (".html", ".j2", ".md", ".xml", ".js") or not path.is_file():
            continue
        prefix = "endpoint." if path.parent.name == "endpoint" else "site."  # site_templates/endpoint/
        source = path.read_text(encoding="utf-8")
        for m in TEMPLATE_USE.finditer(source):
            line = source.count("\n", 0, m.start()) + 1
            found.append((f"{path.relative_to(REPO)}:{line}", prefix + m.group(2)))
    return found


def test_every_key_used_in_code_and_templates_is_in_the_catalog():
    uses = _uses()
    assert len(uses) > 250  # the scan does see the templates and the code
    assert {key.split(".")[0] for _, key in uses} >= {"cli", "endpoint", "site"}  # problem.* keys are built from codes
    missing = [f"{where}: {key}" for where, key in uses if key not in CATALOG]
    assert missing == []


def test_a_key_the_code_uses_but_the_catalog_lacks_is_found(tmp_path):
    """The scan itself: a template and a module naming unknown keys are reported."""
    for folder in ("generator", "endpoint", "portal_core", "site_templates/pages", "site_templates/endpoint"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "generator" / "x.py").write_text('i18n.text("cli.no-such", lang)\nrenderer.t("nope")\n')
    (tmp_path / "endpoint" / "y.py").write_text('messages.text("gone", lang)\n')
    (tmp_path / "site_templates" / "pages" / "p.md.j2").write_text('{{ t("home") }} {{ t("no_such_site_key") }}\n')
    (tmp_path / "site_templates" / "endpoint" / "e.html").write_text("{{ t('receipt') }}\n")
    globals()["REPO"], saved = tmp_path, REPO
    try:
        uses = _uses()
    finally:
        globals()["REPO"] = saved
    assert [k for _, k in uses if k not in CATALOG] == ["cli.no-such", "site.nope", "endpoint.gone",
                                                         "site.no_such_site_key"]


# -- the loader ------------------------------------------------------------------------


def test_text_formats_falls_back_to_zh_and_refuses_unknown_keys():
    assert i18n.text("endpoint.field.range", "en", label="Age", min=1, max=9) == "“Age” must be between 1 and 9"
    assert i18n.text("site.search_some", "zh") == "找到 {n} 个页面"  # no params: as written, for the page's script
    assert i18n.text("site.search_some", "en", n=3) == "3 pages found"
    assert i18n.text("site.home", "fr") == "首页"
    with pytest.raises(KeyError):
        i18n.text("site.no-such-key", "zh")
    with pytest.raises(KeyError):
        i18n.text("endpoint.field.range", "en", label="Age")  # a missing parameter is an error


def test_a_key_defined_twice_is_refused(tmp_path, monkeypatch):
    one = tmp_path / "one.yaml"
    one.write_text('a.b: {zh: 甲, en: A}\na.b: {zh: 乙, en: B}\n', encoding="utf-8")
    with pytest.raises(i18n.CatalogError, match="defined twice"):
        i18n.load_file(one)
    one.write_text('a.b: {zh: 甲, en: A}\n', encoding="utf-8")
    two = tmp_path / "two.yaml"
    two.write_text('a.c: {zh: 丙, en: C}\na.b: {zh: 乙, en: B}\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "files", lambda: iter([one, two]))
    i18n.catalog.cache_clear()
    try:
        with pytest.raises(i18n.CatalogError, match="already defined"):
            i18n.catalog()
    finally:
        monkeypatch.undo()
        i18n.catalog.cache_clear()
    assert i18n.catalog() == CATALOG


def test_a_malformed_file_is_refused(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(i18n.CatalogError):
        i18n.load_file(bad)


def test_loading_is_fast_and_cached():
    import time

    i18n.catalog.cache_clear()
    start = time.perf_counter()
    fresh = i18n.catalog()
    took = time.perf_counter() - start
    assert fresh == CATALOG
    assert i18n.catalog() is fresh  # read once per process
    assert took < 0.5, f"reading the catalog took {took:.2f} s"


def test_the_merged_catalog_is_kept_as_json_while_its_files_are_the_same(tmp_path, monkeypatch):
    """Parsing the YAML is most of a start's cost: the merged table is kept (data only,
    JSON) in the user's cache, named by the files' names and bytes; a changed file, or a
    kept table that is not one, is parsed again."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    one = tmp_path / "one.yaml"
    one.write_text('a.b: {zh: 甲, en: A}\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "files", lambda: iter([one]))
    parsed: list[str] = []
    real = i18n.load_file
    monkeypatch.setattr(i18n, "load_file", lambda path, raw=None: parsed.append(path.name) or real(path, raw))
    try:
        i18n.catalog.cache_clear()
        assert i18n.catalog() == {"a.b": {"zh": "甲", "en": "A"}} and parsed == ["one.yaml"]
        [kept] = (tmp_path / "xdg" / "portal").glob("strings-*.json")
        i18n.catalog.cache_clear()
        assert i18n.catalog() == {"a.b": {"zh": "甲", "en": "A"}} and parsed == ["one.yaml"]  # not parsed again
        one.write_text('a.b: {zh: 乙, en: B}\n', encoding="utf-8")
        i18n.catalog.cache_clear()
        assert i18n.catalog() == {"a.b": {"zh": "乙", "en": "B"}} and len(parsed) == 2
        assert not kept.exists()  # the table of the earlier file went
        [kept] = (tmp_path / "xdg" / "portal").glob("strings-*.json")
        kept.write_text('["not", "a", "table"]', encoding="utf-8")
        i18n.catalog.cache_clear()
        assert i18n.catalog() == {"a.b": {"zh": "乙", "en": "B"}} and len(parsed) == 3
    finally:
        monkeypatch.undo()
        i18n.catalog.cache_clear()
    assert i18n.catalog() == CATALOG
