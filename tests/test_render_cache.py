"""The render cache (``generator.site.render_cache``): a page is rendered again
only when something it can read changed, and a cached render is byte for byte
what a cold one gives, whatever changed in between."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import pytest

from generator.build import SiteFiles, render_languages, render_site
from generator.kinds.base import Page
from generator.kinds.common import Today
from generator.loading import cache as check_cache
from generator.pipeline import load_and_check
from generator.site import render_cache
from generator.site.render import TEMPLATES, Renderer
from generator.site.render_cache import RenderCache, base_key

SITE = "http://localhost:8000/"
NOTICE = "data/notices/2024-001.yaml"


@pytest.fixture(autouse=True)
def cache_on(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The cache is the subject here (the suite turns it off: tests/conftest.py), with
    its signing key in a folder of this test's own; nothing kept in memory from before."""
    monkeypatch.delenv("PORTAL_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg")))
    render_cache._MEMORY.clear()
    yield
    render_cache._MEMORY.clear()


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pages really rendered (not taken from the cache), in order."""
    done: list[str] = []
    real = Renderer._render

    def counted(self: Renderer, page: Page, common: dict[str, Any], url: str) -> str:
        done.append(page.path)
        return real(self, page, common, url)

    monkeypatch.setattr(Renderer, "_render", counted)
    return done


def cold(root: Path, langs: tuple[str, ...] = ("zh", "en")) -> dict[str, SiteFiles]:
    """What a render without any cache gives."""
    os.environ["PORTAL_NO_CACHE"] = "1"
    try:
        return warm(root, langs)
    finally:
        del os.environ["PORTAL_NO_CACHE"]


def warm(root: Path, langs: tuple[str, ...] = ("zh", "en"), jobs: int | None = 1) -> dict[str, SiteFiles]:
    checked = load_and_check(root, jobs=1)
    assert checked.report.ok, checked.report.problems
    return render_languages(checked, list(langs), SITE, "http://localhost:8001", "s3cret", jobs)


def same(a: dict[str, SiteFiles], b: dict[str, SiteFiles]) -> None:
    assert a.keys() == b.keys()
    for lang in a:
        assert a[lang].keys() == b[lang].keys(), lang
        for rel in a[lang]:
            assert a[lang][rel] == b[lang][rel], f"{lang}: {rel}"
        assert a[lang].generated == b[lang].generated


def entries(root: Path) -> list[Path]:
    return sorted((root / ".portal-build" / "cache").glob("render-*/pages-*.pickle"))


def test_a_warm_render_is_byte_identical_and_renders_only_what_it_cannot_key(minimal: Any, renders: list[str]) -> None:
    before = cold(minimal.root)
    renders.clear()
    first = warm(minimal.root)
    pages = len(renders)
    assert pages > 20
    same(first, before)
    assert [p.name for p in entries(minimal.root)] == ["pages-en.pickle", "pages-zh.pickle"]
    # from the signed entries on disk (a new build), then from memory (portal serve)
    render_cache._MEMORY.clear()
    for _ in range(2):
        renders.clear()
        same(warm(minimal.root), before)
        assert len(renders) < pages // 4, renders  # only pages whose inputs cannot be hashed
    # the languages in forked workers (jobs ≥ 2) give the same files
    same(warm(minimal.root, jobs=2), before)


def test_an_edited_notice_changes_its_page_and_every_page_listing_it(minimal: Any, renders: list[str]) -> None:
    first = warm(minimal.root)
    minimal.replace(NOTICE, "门禁更换公示", "门禁系统更换公示（第二次）")
    renders.clear()
    after = warm(minimal.root)
    assert "notices/2024-001.md" in renders
    same(after, cold(minimal.root))
    listing = [rel for rel, data in after["zh"].items() if "门禁系统更换公示（第二次）".encode() in data]
    assert {"notices/2024-001.md", "notices/index.md"} <= set(listing)
    for rel in listing:
        assert after["zh"][rel] != first["zh"][rel], rel
    # every other page listing notices was re-rendered too: nothing of the old title is left
    assert not [rel for rel, data in after["zh"].items() if rel in after["zh"].generated
                and "门禁更换公示".encode() in data]


def test_another_day_renders_as_a_cold_render_would(minimal: Any) -> None:
    """What is on display, overdue or upcoming depends on the date."""
    for day in (dt.date(2024, 3, 15), dt.date(2026, 11, 22)):
        Today.value = day
        warm(minimal.root)
    Today.value = dt.date(2024, 3, 15)
    again = warm(minimal.root)
    same(again, cold(minimal.root))
    notice = again["zh"]["notices/2024-001.md"]
    Today.value = dt.date(2026, 11, 22)
    assert warm(minimal.root)["zh"]["notices/2024-001.md"] != notice  # on display, then not


def test_each_language_is_its_own(minimal: Any) -> None:
    zh = warm(minimal.root, ("zh",))
    en = warm(minimal.root, ("en",))
    assert zh["zh"]["notices/2024-001.md"] != en["en"]["notices/2024-001.md"]
    same(en, cold(minimal.root, ("en",)))


def test_site_settings_code_and_strings_are_in_every_key(minimal: Any, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    templates = tmp_path / "site_templates"
    shutil.copytree(TEMPLATES, templates, ignore=shutil.ignore_patterns("__pycache__"))
    key = base_key(minimal.root, templates, "zh", "zh")
    assert base_key(minimal.root, templates, "zh", "zh") == key
    assert base_key(minimal.root, templates, "en", "zh") != key
    strings = templates / "strings.yaml"
    strings.write_text(strings.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert base_key(minimal.root, templates, "zh", "zh") != key
    key = base_key(minimal.root, templates, "zh", "zh")
    minimal.write("mkdocs.yml", "site_description: 新的说明\n")  # the site settings a project may choose
    assert base_key(minimal.root, templates, "zh", "zh") != key
    key = base_key(minimal.root, templates, "zh", "zh")
    monkeypatch.setattr(check_cache, "_code_version", "another version of the portal's code and strings")
    assert base_key(minimal.root, templates, "zh", "zh") != key
    # and the pages are rendered again as they would be cold
    same(warm(minimal.root), cold(minimal.root))


def test_an_edited_template_or_included_template_renders_again(tmp_path: Path, renders: list[str]) -> None:
    templates = tmp_path / "site_templates"
    (templates / "pages").mkdir(parents=True)
    (templates / "pages" / "thing.md.j2").write_text('# {{ thing }}\n\n{% include "part.md.j2" %}\n', encoding="utf-8")
    (templates / "part.md.j2").write_text("part one {{ other }}\n", encoding="utf-8")
    page = Page("thing.md", "thing.md.j2", {"zh": "标题"}, {"thing": "甲", "other": "乙"})

    def render(context: dict[str, Any] | None = None) -> str:
        cache = RenderCache.open(tmp_path, templates, "zh", "zh")
        assert cache is not None
        text = Renderer("zh", "zh", templates=templates, cache=cache).render(
            Page(page.path, page.template, page.title, context or page.context), {"site_url": SITE})
        cache.save()
        return text

    first = render()
    assert "part one 乙" in first and render() == first
    assert renders == ["thing.md"]
    (templates / "part.md.j2").write_text("part two {{ other }}\n", encoding="utf-8")
    assert "part two 乙" in render()
    (templates / "pages" / "thing.md.j2").write_text('# {{ thing }}!\n\n{% include "part.md.j2" %}\n',
                                                     encoding="utf-8")
    assert "# 甲!" in render()
    assert "part two 丙" in render({"thing": "甲", "other": "丙"})  # a value the included template reads
    assert renders == ["thing.md"] * 4
    # an include chosen while rendering cannot be keyed: such a page is rendered every time
    (templates / "pages" / "thing.md.j2").write_text('{% include which %}\n', encoding="utf-8")
    render({"which": "part.md.j2", "other": "丁"})
    render({"which": "part.md.j2", "other": "丁"})
    assert renders[-2:] == ["thing.md", "thing.md"]


def test_a_value_that_cannot_be_hashed_makes_the_page_uncacheable(tmp_path: Path, renders: list[str]) -> None:
    templates = tmp_path / "site_templates"
    (templates / "pages").mkdir(parents=True)
    (templates / "pages" / "f.md.j2").write_text("{{ f(1) }}\n", encoding="utf-8")
    cache = RenderCache.open(tmp_path, templates, "zh", "zh")
    assert cache is not None
    renderer = Renderer("zh", "zh", templates=templates, cache=cache)
    n = [0]

    def f(x: int) -> int:  # a closure: it has no pickle, so no hash of what it returns
        n[0] += x
        return n[0]

    page = Page("f.md", "f.md.j2", "f", {"f": f})
    assert renderer.render(page, {}).endswith("1\n")
    assert renderer.render(page, {}).endswith("2\n")
    assert cache.uncacheable == 2


@pytest.mark.parametrize("declared", [True, False])
def test_what_a_helper_reads_from_the_context_is_in_the_key(tmp_path: Path, renders: list[str],
                                                            declared: bool) -> None:
    """A ``pass_context`` helper (as ``jsonld``'s) reads names the template does not
    name: those it lists in ``context_names``, else anything."""
    templates = tmp_path / "site_templates"
    (templates / "pages").mkdir(parents=True)
    (templates / "pages" / "h.md.j2").write_text("{{ helper() }}\n", encoding="utf-8")

    def helper(context: Any) -> str:
        return str(context.get("hidden"))

    if declared:
        helper.context_names = ("hidden",)  # type: ignore[attr-defined]
    page = Page("h.md", "h.md.j2", "h", {})
    for hidden in ("一", "二", "二"):
        cache = RenderCache.open(tmp_path, templates, "zh", "zh")
        renderer = Renderer("zh", "zh", templates=templates, cache=cache)
        renderer.env.globals["helper"] = jinja2.pass_context(helper)
        assert renderer.render(page, {"hidden": hidden}).endswith(f"{hidden}\n")
        assert cache is not None
        cache.save()
    assert renders == ["h.md", "h.md"]  # the third render, with the same value, from the cache


def test_corrupt_or_forged_entries_are_ignored(minimal: Any, tmp_path: Path) -> None:
    before = cold(minimal.root)
    warm(minimal.root)
    stored = entries(minimal.root)
    assert stored
    for path in stored:
        blob = path.read_bytes()
        path.write_bytes(blob[: len(blob) // 2])  # truncated
    render_cache._MEMORY.clear()
    same(warm(minimal.root), before)
    # planted entries (a pull request can commit .portal-build/) are not signed with this
    # machine's key: never unpickled, whatever they hold
    marker = tmp_path / "pwned"
    for path in entries(minimal.root):
        path.write_bytes(os.urandom(32) + pickle.dumps((check_cache.FORMAT, check_cache.code_version(), "",
                                                         _Boom(str(marker)))))
    render_cache._MEMORY.clear()
    same(warm(minimal.root), before)
    assert not marker.exists()
    # a signed entry that is not a table of pages is not used either
    folder = entries(minimal.root)[0].parent
    store = check_cache.Cache(minimal.root, check_cache.signing_key() or b"", folder)
    store.put("pages-zh", "", ["not", "pages"])
    render_cache._MEMORY.clear()
    same(warm(minimal.root), before)


def test_no_cache_when_turned_off(minimal: Any, renders: list[str]) -> None:
    cold(minimal.root)
    first = len(renders)
    cold(minimal.root)
    assert len(renders) == 2 * first
    assert not entries(minimal.root)


def test_pages_come_from_the_signed_entries_on_disk(minimal: Any) -> None:
    """The other side of the signature: a signed entry is trusted, so the key must stay
    outside the project (``generator.loading.cache``); the page comes from the entry."""
    checked = load_and_check(minimal.root, jobs=1)
    render_site(checked, "zh", SITE)
    path = next(p for p in entries(minimal.root) if p.name == "pages-zh.pickle")
    store = check_cache.Cache(minimal.root, check_cache.signing_key() or b"", path.parent)
    pages = store.get("pages-zh", "")
    assert isinstance(pages, dict) and pages
    store.put("pages-zh", "", {key: "SIGNED-BUT-CHANGED" for key in pages})
    render_cache._MEMORY.clear()
    files = render_site(checked, "zh", SITE)
    assert files["notices/2024-001.md"] == b"SIGNED-BUT-CHANGED"


class _Boom:
    """Unpickling this creates a file: proof that an entry was unpickled."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (Path(self.path),))


def test_a_budget_line_is_hashed_once_per_render_and_by_every_field() -> None:
    """Budget lines (slotted dataclasses) sit in several lists of one render: each is hashed
    once by identity, as a model is, and its hash covers every field."""
    from dataclasses import fields, replace

    from generator.kinds.budget.model import BudgetLine

    line = BudgetLine("data/budgets/2024.csv", 2, "2024-001", 2024, "community-fund", "expenditure", 2000.0, 1800.0,
                      "", "办公经费", "办公用品")
    other = replace(line, id="2024-002", line=3)
    models: dict[int, tuple[Any, bytes]] = {}
    together = render_cache._hash(([line, other], [line], {"fund": [other, line]}), models)
    assert {id(line), id(other)} == set(models), "each line hashed once, whatever holds it"
    assert together == render_cache._hash(([replace(line), replace(other)], [replace(line)],
                                           {"fund": [replace(other), replace(line)]}))
    changed = {f.name: render_cache._hash([replace(line, **{f.name: _changed(getattr(line, f.name))})])
               for f in fields(line)}
    assert render_cache._hash([line]) not in changed.values()
    assert len(set(changed.values())) == len(changed), "every field is in the hash"


def _changed(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if value is None:
        return 1
    return value + (1 if isinstance(value, (int, float)) else "x")


def test_an_edited_budget_line_renders_as_a_cold_render_would(minimal: Any, renders: list[str]) -> None:
    first = warm(minimal.root)
    minimal.replace("data/budgets/2024.csv", "办公用品,2000,1800", "办公用品和打印纸,2000,1800")
    renders.clear()
    after = warm(minimal.root)
    same(after, cold(minimal.root))
    showing = [rel for rel, data in after["zh"].items() if "办公用品和打印纸".encode() in data]
    assert showing and all(rel in renders for rel in showing)
    assert all(after["zh"][rel] != first["zh"][rel] for rel in showing)


def test_the_process_keeps_the_pages_of_a_few_renders_only(tmp_path: Path) -> None:
    """``portal serve`` renders one project again and again: its last render stays in
    memory. A street build renders 30 communities once each in one process: only the last
    few project-languages stay (each community's pages are on disk, in its own cache)."""
    slots = []
    for i in range(render_cache._MEMORY_SLOTS + 3):
        cache = RenderCache(f"base-{i}", None, "zh", f"/street/c{i}")
        cache.now = {f"key-{i}": f"page {i}"}
        cache.save()
        slots.append(cache.slot)
    assert list(render_cache._MEMORY) == slots[-render_cache._MEMORY_SLOTS:]
    again = RenderCache("base-x", None, "zh", "/street/c4")  # rendered again: its pages are found, and kept newest
    assert again.stored == {"key-4": "page 4"}
    again.now = {"key-4b": "page 4b"}
    again.save()
    assert list(render_cache._MEMORY)[-1] == slots[4] and render_cache._MEMORY[slots[4]] == {"key-4b": "page 4b"}
    assert len(render_cache._MEMORY) == render_cache._MEMORY_SLOTS
