"""The street's search index (``generator.street.search_index``) and the browser script
that reads it (``street-search.js``), without a browser: the script's rules run in
Node on the index Python wrote. The communities' Pagefind indexes are made here as
Pagefind writes them (a fragment per page), so each test says exactly what the pages hold.
The page in a real browser: ``tests/test_street_search.py``."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from generator.street import search_index
from generator.street.search_index import shard_file, shard_of, terms, write_index

SCRIPT = Path(__file__).resolve().parent.parent / "generator/street/templates/street-search.js"
NODE_RUN = """
const vm = require("vm"), fs = require("fs");
const ctx = {document: {querySelector: () => null}};
vm.createContext(ctx);
vm.runInContext(fs.readFileSync(process.argv[1], "utf8"), ctx);
const calls = JSON.parse(fs.readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(calls.map(([name, args]) => ctx.streetSearchIndex[name](...args))));
"""


def node(calls: list[tuple[str, list[Any]]]) -> list[Any]:
    """What the browser script's rules (``streetSearchIndex``) return for ``calls``."""
    done = subprocess.run(["node", "-e", NODE_RUN, str(SCRIPT)], input=json.dumps(calls), capture_output=True,
                          text=True, timeout=60, check=True)
    return list(json.loads(done.stdout))


def write_pages(index: Path, pages: dict[str, tuple[str, str]]) -> None:
    """A Pagefind index's fragments: name → (title, text), the text as Pagefind gives it
    (words of Chinese parted by zero-width spaces)."""
    folder = index / "fragment"
    folder.mkdir(parents=True, exist_ok=True)
    for name, (title, text) in pages.items():
        body = {"url": f"/{name}/", "content": text, "word_count": len(text), "meta": {"title": title}}
        (folder / f"zh_{name}.pf_fragment").write_bytes(
            gzip.compress(b"pagefind_dcd" + json.dumps(body, ensure_ascii=False).encode()))


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def cache_on(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PORTAL_NO_CACHE", "0")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


SAMPLES = ["维修资金使用公示", "Meetings of the committee", "楼", "３号楼ＡＢＣ", "glass class bus buses",
           "业委会\u200b换届\u200b选举", "Ünïcode Straße 2024年", "电梯 elevator's repairs", "①②", "", "—！？"]


def test_the_script_splits_and_places_terms_as_the_index_does() -> None:
    assert terms("维修资金") == ["维修", "修资", "资金"]
    assert terms("Meetings") == ["meeting"] and terms("class") == ["class"] and terms("bus") == ["bus"]
    assert terms("楼") == ["楼"] and terms("３号楼") == ["3", "号楼"]  # full-width digits as half-width (NFKC)
    got = node([("terms", [s]) for s in SAMPLES])
    # the script drops repeats (a query's terms); the index counts them
    assert got == [list(dict.fromkeys(terms(s))) for s in SAMPLES]
    words = sorted({t for s in SAMPLES for t in terms(s)})
    for shards in (16, 2048):
        assert node([("shardOf", [t, shards]) for t in words]) == [shard_of(t, shards) for t in words]
        assert node([("shardFile", [t, shards]) for t in words]) == [shard_file(t, shards) for t in words]
    assert shard_file("楼", 16).startswith("u/") and shard_file("号楼", 16).startswith("s/")
    assert shard_file("a", 16).startswith("s/")
    # a page's terms: every character too, for a query of one; counted the same way in bulk
    assert terms("银杏果", page=True) == ["银", "杏", "果", "银杏", "杏果"]
    for sample in SAMPLES:
        assert search_index.page_terms(sample) == Counter(terms(sample, page=True)), sample


def _rank(out: Path, query: str) -> list[tuple[str, str]]:
    """The pages the script ranks for ``query`` (community, fragment name), best first."""
    folder = out / search_index.FOLDER
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    words = list(dict.fromkeys(terms(query)))
    shards = [json.loads((folder / f"{shard_file(w, meta['shards'])}.json").read_text(encoding="utf-8"))
              for w in words]
    ranked = node([("rank", [meta, shards, words])])[0]
    docs = {cid: json.loads((folder / "d" / f"{cid}.json").read_text(encoding="utf-8")) for cid in meta["communities"]}
    return [(meta["communities"][r["c"]], docs[meta["communities"][r["c"]]][r["doc"]]) for r in ranked]


def test_every_word_is_required_and_the_title_and_rare_words_rank_first(tmp_path: Path) -> None:
    filler = "居民\u200b议事\u200b会议\u200b记录。" * 30
    write_pages(tmp_path / "a", {
        "lift": ("电梯维修通知", "5号楼电梯本周维修。"),
        "minutes": ("议事会议记录", filler + "会上提到电梯。"),  # 电梯 once, in a long text
        "budget": ("年度预算", "维修资金 2026 年预算。"),
    })
    write_pages(tmp_path / "b", {
        "lift": ("电梯年检", "全部电梯年检合格。电梯运行正常。"),
        "trees": ("修剪树木", "修剪梧桐树。"),
    })
    out = tmp_path / "out"
    meta = write_index(out, [("a", tmp_path / "a"), ("b", tmp_path / "b")], None)
    assert meta == {"version": 1, "shards": 16, "pages": 5, "communities": ["a", "b"]}

    lift = _rank(out, "电梯")
    # three pages say 电梯: those with it in the title first, the long minutes last
    assert set(lift) == {("a", "zh_lift"), ("b", "zh_lift"), ("a", "zh_minutes")} and lift[-1] == ("a", "zh_minutes")
    assert _rank(out, "电梯维修") == [("a", "zh_lift")]  # both words: only the lift notice of a
    assert _rank(out, "维修") == [("a", "zh_lift"), ("a", "zh_budget")]  # in its title first
    assert _rank(out, "梧桐") == [("b", "zh_trees")]
    assert _rank(out, "桐") == [("b", "zh_trees")] and set(_rank(out, "修")) == {("a", "zh_lift"), ("a", "zh_budget"),
                                                                            ("b", "zh_trees")}
    assert _rank(out, "电梯 梧桐") == [] and _rank(out, "停车") == []
    # every posting's doc number is the difference from the one before
    shard = json.loads((out / search_index.FOLDER / "s" / f"{shard_of('电梯', 16)}.json").read_text(encoding="utf-8"))
    assert len(shard) == 2 and all(x > 0 for x in shard[0]["电梯"][0::2][1:])
    # each posting's weight is BM25's term-frequency part, 1-99: more for a term said more often
    # in a page of the same length (b's lift notice says 电梯 four times: its title, weighed 3, and twice)
    (b_lift,) = shard[1]["电梯"][1::2]
    assert 1 <= min(shard[0]["电梯"][1::2]) and b_lift <= 99 and b_lift > min(shard[0]["电梯"][1::2])


def count_parts_made(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """From now on, how many fragments each part worked out (not loaded) was made from."""
    made: list[int] = []
    real = search_index.make_part
    def counted(found: list[str], shards: int) -> search_index.Part:
        made.append(len(found))
        return real(found, shards)

    monkeypatch.setattr(search_index, "make_part", counted)
    return made


def test_each_community_is_worked_out_again_only_when_its_pages_change(tmp_path: Path, cache_on: None,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    for cid in "abc":
        write_pages(tmp_path / cid, {f"p{i}": (f"{cid} 公告 {i}", f"第{i}号\u200b通知\u200b内容 {cid}") for i in range(6)})
    indexes = [(cid, tmp_path / cid) for cid in "abc"]
    made = count_parts_made(monkeypatch)
    cache = tmp_path / "parts"

    write_index(tmp_path / "first", indexes, cache)
    assert len(made) == 3 and sorted(p.name for p in (cache / "parts").iterdir()) == ["a.json", "b.json", "c.json"]
    made.clear()
    write_index(tmp_path / "second", indexes, cache)
    assert made == [] and files(tmp_path / "second") == files(tmp_path / "first")

    # b's pages change (a page edited: Pagefind gives it a new fragment name, the old one goes)
    (tmp_path / "b/fragment/zh_p2.pf_fragment").unlink()
    write_pages(tmp_path / "b", {"p2x": ("b 公告 2（更正）", "第2号\u200b通知\u200b更正")})
    written = {p.name: p.stat().st_mtime_ns for p in (cache / "parts").iterdir()}
    write_index(tmp_path / "third", indexes, cache)
    assert made == [6]  # b only
    assert {p.name for p in (cache / "parts").iterdir() if p.stat().st_mtime_ns != written[p.name]} == {"b.json"}
    monkeypatch.setenv("PORTAL_NO_CACHE", "1")
    write_index(tmp_path / "fresh", indexes, cache)
    assert files(tmp_path / "third") == files(tmp_path / "fresh")  # the same index as one made from nothing
    assert _rank(tmp_path / "third", "更正") == [("b", "zh_p2x")]


def test_a_part_record_altered_in_the_cache_is_not_believed(tmp_path: Path, cache_on: None) -> None:
    write_pages(tmp_path / "a", {"p": ("停水通知", "明天停水。")})
    cache = tmp_path / "parts"
    write_index(tmp_path / "out", [("a", tmp_path / "a")], cache)
    record = cache / "parts" / "a.json"
    record.write_bytes(record.read_bytes().replace("停水".encode(), "停电".encode()))
    write_index(tmp_path / "again", [("a", tmp_path / "a")], cache)
    assert _rank(tmp_path / "again", "停水") == [("a", "zh_p")] and _rank(tmp_path / "again", "停电") == []


def test_damaged_fragments_are_left_out_not_fatal(tmp_path: Path) -> None:
    write_pages(tmp_path / "a", {"good": ("停水通知", "明天停水。")})
    (tmp_path / "a/fragment/zh_bad.pf_fragment").write_bytes(b"not gzip")
    (tmp_path / "a/fragment/zh_other.pf_fragment").write_bytes(gzip.compress(b'{"url": "/x/"}'))  # no signature
    meta = write_index(tmp_path / "out", [("a", tmp_path / "a"), ("gone", tmp_path / "missing")], None)
    assert meta["pages"] == 1 and meta["communities"] == ["a"]
    assert _rank(tmp_path / "out", "停水") == [("a", "zh_good")]


def test_the_shards_grow_with_the_street() -> None:
    assert [search_index.shard_count(n) for n in (0, 10, 64, 1000, 7345, 10**6)] == [16, 16, 16, 256, 2048, 4096]



def test_unchanged_files_are_linked_from_the_published_index_and_changed_ones_written(
        tmp_path: Path, cache_on: None) -> None:
    """After one page is edited, only the shards of its changed terms (and the page list of
    its community) are written; the rest are links to the published files (same inode), and
    a published file altered since it was written is not linked."""
    for cid in "ab":
        write_pages(tmp_path / cid, {f"p{i}": (f"{cid} 公告 {i}", f"第{i}号\u200b通知 {cid}") for i in range(4)})
    indexes = [(cid, tmp_path / cid) for cid in "ab"]
    cache = tmp_path / "cache"
    write_index(tmp_path / "v1", indexes, cache, published=None)
    write_index(tmp_path / "v2", indexes, cache, published=tmp_path / "v1")  # nothing changed: all linked
    old = {p.relative_to(tmp_path / "v1"): p.stat().st_ino for p in (tmp_path / "v1").rglob("*.json")}
    assert {p.relative_to(tmp_path / "v2"): p.stat().st_ino for p in (tmp_path / "v2").rglob("*.json")} == old

    (tmp_path / "a/fragment/zh_p1.pf_fragment").unlink()  # one page of a edited: Pagefind names it anew
    write_pages(tmp_path / "a", {"p1b": ("a 公告 1", "第1号\u200b通知 a 停电")})
    victim = tmp_path / "v2" / search_index.FOLDER / "d" / "b.json"
    victim.unlink()
    victim.write_text('["planted"]', encoding="utf-8")  # a published file changed by hand: not linked
    write_index(tmp_path / "v3", indexes, cache, published=tmp_path / "v2")
    new = {p.relative_to(tmp_path / "v3"): p for p in (tmp_path / "v3").rglob("*.json")}
    written = {name for name, p in new.items() if p.stat().st_ino != old.get(name)}
    cut = {Path(search_index.FOLDER, f"{search_index.shard_file(t, 16)}.json") for t in ("停", "电", "停电")}
    assert cut <= written and Path(search_index.FOLDER, "d/b.json") in written
    assert len(written) < len(new) / 2  # the shards without a's changed terms are linked
    assert json.loads(new[Path(search_index.FOLDER, "d/b.json")].read_text(encoding="utf-8")) != ["planted"]
    assert _rank(tmp_path / "v3", "停电") == [("a", "zh_p1b")]
    write_index(tmp_path / "fresh", indexes, None)
    assert files(tmp_path / "v3") == files(tmp_path / "fresh")


def test_parts_made_ahead_are_used_and_files_from_an_unpublished_build_are_not_trusted(
        tmp_path: Path, cache_on: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """``prepare`` (run as each community is built) leaves the part ``write_index`` then uses
    without working it out again; and after a build whose index was written but never
    published, the next index links only what the published one really holds."""
    for cid in "ab":
        write_pages(tmp_path / cid, {f"p{i}": (f"{cid} 公告 {i}", f"第{i}号\u200b通知 {cid}") for i in range(5)})
    indexes = [(cid, tmp_path / cid) for cid in "ab"]
    cache = tmp_path / "cache"
    write_index(tmp_path / "v1", indexes, cache)
    made = count_parts_made(monkeypatch)
    (tmp_path / "b/fragment/zh_p3.pf_fragment").unlink()
    write_pages(tmp_path / "b", {"p3b": ("b 公告 3", "第3号\u200b通知 b 停水")})
    for cid in "ab":
        search_index.prepare(tmp_path / cid, cache / "parts" / f"{cid}.json")
    assert made == [5]  # b's part, worked out ahead; a's loaded
    write_index(tmp_path / "v2", indexes, cache, published=tmp_path / "v1")
    assert made == [5] and _rank(tmp_path / "v2", "停水") == [("b", "zh_p3b")]

    # a build works out b's part ahead, then fails before writing the index at all
    (tmp_path / "b/fragment/zh_p2.pf_fragment").unlink()
    write_pages(tmp_path / "b", {"p2b": ("b 公告 2", "第2号\u200b通知 b 停车")})
    search_index.prepare(tmp_path / "b", cache / "parts" / "b.json")
    search_index._READY.clear()  # that process ended
    # a build writes its index from another b, then fails before publishing it: v2 stays published
    (tmp_path / "b/fragment/zh_p4.pf_fragment").unlink()
    write_pages(tmp_path / "b", {"p4b": ("b 公告 4", "第4号\u200b通知 b 停电")})
    write_index(tmp_path / "lost", indexes, cache, published=tmp_path / "v2")
    shutil.rmtree(tmp_path / "lost")
    (tmp_path / "b/fragment/zh_p0.pf_fragment").unlink()
    write_pages(tmp_path / "b", {"p0b": ("b 公告 0", "第0号\u200b通知 b 停气")})
    write_index(tmp_path / "v3", indexes, cache, published=tmp_path / "v2")
    assert _rank(tmp_path / "v3", "停车") == [("b", "zh_p2b")] and _rank(tmp_path / "v3", "停水") == [("b", "zh_p3b")]
    monkeypatch.setenv("PORTAL_NO_CACHE", "1")
    write_index(tmp_path / "fresh", indexes, None)
    assert files(tmp_path / "v3") == files(tmp_path / "fresh")
    linked = [p for p in (tmp_path / "v3").rglob("*.json") if p.stat().st_nlink > 1]
    assert linked  # what a's part and b's unchanged terms make is still linked from v2
