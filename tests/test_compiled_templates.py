"""Compiled templates kept between processes (``generator.site.compiled``): a new process
takes what an earlier one compiled from a signed record of this user's, compiles again
only what changed, and never believes a record it did not sign."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import pytest

from generator.loading.cache import user_store
from generator.site import compiled, render_cache
from generator.site.compiled import Kept, StoredBytecode

RECORD = "test-code.json"


@pytest.fixture(autouse=True)
def cache_on(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The records are the subject (the suite turns caches off), in a home of this test's own."""
    monkeypatch.delenv("PORTAL_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg")))


class CountingEnvironment(jinja2.Environment):
    """An environment that notes each template it compiles from source."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.compiled: list[str] = []

    def compile(self, source: Any, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        self.compiled.append(name or "")
        return super().compile(source, name, *args, **kwargs)


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "page.html").write_text('{% extends "base.html" %}{% block body %}通知：{{ title }}{% endblock %}',
                                      encoding="utf-8")
    (folder / "base.html").write_text("<main>{% block body %}{% endblock %}</main>", encoding="utf-8")
    return folder


def render(templates: Path) -> tuple[str, CountingEnvironment, StoredBytecode]:
    """A render as a new process makes it: a fresh cache object, read from the record."""
    cache = StoredBytecode(RECORD)
    env = CountingEnvironment(loader=jinja2.FileSystemLoader(templates), bytecode_cache=cache)
    text = env.get_template("page.html").render(title="停水")
    cache.save()
    return text, env, cache


def test_a_new_process_takes_the_compiled_templates_from_the_record(templates: Path) -> None:
    first, env, _ = render(templates)
    assert first == "<main>通知：停水</main>" and sorted(env.compiled) == ["base.html", "page.html"]
    record = user_store(RECORD)
    written = record.stat().st_mtime_ns
    again, env, cache = render(templates)
    assert again == first and env.compiled == []  # nothing compiled, and so nothing to write
    assert record.stat().st_mtime_ns == written and not cache.kept.added


def test_an_edited_template_is_compiled_again(templates: Path) -> None:
    render(templates)
    (templates / "base.html").write_text("<article>{% block body %}{% endblock %}</article>", encoding="utf-8")
    text, env, _ = render(templates)
    assert text == "<article>通知：停水</article>" and env.compiled == ["base.html"]
    assert render(templates)[1].compiled == []  # and kept so


@pytest.mark.parametrize("damage", ["forged", "altered", "not json"])
def test_a_record_not_signed_here_is_ignored(templates: Path, damage: str) -> None:
    render(templates)
    record = user_store(RECORD)
    raw = record.read_bytes()
    if damage == "forged":  # another key's signature (a planted record): any tag of the right length
        raw = b"0" * 64 + raw[64:]
    elif damage == "altered":  # one byte of the payload changed under a real signature
        at = raw.index(b'"', 70) + 1
        raw = raw[:at] + (b"A" if raw[at:at + 1] != b"A" else b"B") + raw[at + 1:]
    else:
        raw = b"{}"
    record.write_bytes(raw)
    cache = StoredBytecode(RECORD)
    cache.kept.load()
    assert cache.codes == {}
    text, env, _ = render(templates)
    assert text == "<main>通知：停水</main>" and sorted(env.compiled) == ["base.html", "page.html"]


def test_nothing_is_read_or_written_when_caches_are_off(templates: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    render(templates)
    monkeypatch.setenv("PORTAL_NO_CACHE", "1")
    _, env, _ = render(templates)
    assert sorted(env.compiled) == ["base.html", "page.html"]  # the record is there, but not read
    user_store(RECORD).unlink()
    render(templates)
    assert not user_store(RECORD).exists()


def test_only_the_templates_used_are_kept_past_the_limit(templates: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Kept, "LIMIT", 3)
    cache = StoredBytecode(RECORD)
    cache.kept.load()
    cache.codes.update({f"other-checkout-{i}": b"x" for i in range(5)})  # keys no template of ours has
    env = CountingEnvironment(loader=jinja2.FileSystemLoader(templates), bytecode_cache=cache)
    env.get_template("page.html").render(title="停水")
    cache.save()
    kept = StoredBytecode(RECORD)
    kept.kept.load()
    assert len(kept.codes) == 2 and not any(k.startswith("other-") for k in kept.codes)


def test_the_names_a_template_reads_are_kept_for_the_next_process(tmp_path: Path) -> None:
    folder = tmp_path / "names"
    folder.mkdir()
    # a source no earlier test parsed: this process learns it now
    (folder / "item.md.j2").write_text(f"# {{{{ item.title }}}} {{{{ '{tmp_path.name}' }}}}\n"
                                       '{% include "foot.md.j2" %}', encoding="utf-8")
    (folder / "foot.md.j2").write_text("{{ site_url }}", encoding="utf-8")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folder))
    found = render_cache._analyse(env, "item.md.j2")
    assert found is not None and found[0] >= {"item", "site_url"}
    compiled.NAMES.save()
    fresh = Kept(compiled.NAMES.name, lambda v: v, lambda v: (frozenset(v[0]), tuple(v[1])))
    fresh.load()
    learnt = {k: v for k, v in compiled.NAMES.values.items() if k in compiled.NAMES.used}
    assert learnt and all(fresh.values.get(k) == v for k, v in learnt.items())


def test_a_process_that_later_sees_another_record_writes_it(templates: Path, monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    """One process, caches first off and then on in another home (a library caller, or this
    suite's workers, run many builds): the new record is read, and written with what the
    process already knows, though nothing is compiled again."""
    cache = StoredBytecode(RECORD)
    env = CountingEnvironment(loader=jinja2.FileSystemLoader(templates), bytecode_cache=cache)

    def fresh_render() -> None:
        env.cache = jinja2.utils.LRUCache(400)  # what a new Environment of the same process has: no templates
        env.get_template("page.html").render(title="停水")
        cache.save()

    monkeypatch.setenv("PORTAL_NO_CACHE", "1")
    fresh_render()
    assert sorted(env.compiled) == ["base.html", "page.html"] and not user_store(RECORD).exists()
    monkeypatch.delenv("PORTAL_NO_CACHE")
    fresh_render()
    assert sorted(env.compiled) == ["base.html", "page.html"]  # compiled once, in the first render only
    assert user_store(RECORD).exists()
    first = user_store(RECORD)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-home"))
    fresh_render()
    assert user_store(RECORD) != first and user_store(RECORD).exists() and len(env.compiled) == 2
    written = user_store(RECORD).stat().st_mtime_ns
    fresh_render()
    assert user_store(RECORD).stat().st_mtime_ns == written  # and not again once it holds them
    assert render(templates)[1].compiled == []  # a new process takes them from it
