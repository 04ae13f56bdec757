"""The street's search index: one index over every community's pages, split so that a
query fetches only the few small files holding its words (``/search/``).

Why our own index and not Pagefind's (measured in ``bench/README.md``, issue #20): the
street page first searched each community's own Pagefind index at once (``mergeIndex``);
a first query then fetched, for each of 30 communities, its entry, its metadata and the
index chunk holding the word: 792 KB for the median common word, every one over the
200 KB goal. One Pagefind index over the whole street cost about as much per word
(199 KB median), and Pagefind cannot update an index, so every street build, a
one-notice edit included, would have re-indexed 14,690 pages (95.7 s). No search library
we could find both splits its index for the browser and updates it in parts: lunr,
MiniSearch and FlexSearch load the whole index at once; Pagefind rebuilds it whole.

What this index is, and why it stays cheap to build:

- **Its text is Pagefind's**: each community's own index (built with its pages, reused
  while they are unchanged) holds a fragment per page: its address, title and the text
  Pagefind took from it (``generator.site.search``: the article, without what is
  excluded). The street index reads those, so both searches see the same text, and its
  results open the same fragments to show a page's title and an excerpt.
- **Terms**: Chinese is indexed as pairs of characters (bigrams: 维修资金 is 维修,
  修资, 资金) and single characters (for a query of one), the usual way to search
  Chinese without a dictionary in the browser; other words are lowercased, with a
  plural ``s`` taken off. ``street-search.js`` splits a query with the same rules
  (``terms``, ``shard_file``).
- **Shards**: each term's postings go to one of ``shards`` files by a hash of the term
  (FNV-1a, the same in ``street-search.js``); a shard file holds, for each community,
  its terms' postings: a query fetches one shard per term.
- **Per community, kept**: a community's part of every shard is worked out from its
  fragments only, and kept (signed) under the street's ``.portal-build`` with the list
  of fragment names it came from (Pagefind names a fragment by its content): a build
  after one edit works out only the edited community again, and joins the kept parts.
- **Ranking**: BM25 (k1 1.2, b 0.75): each posting carries its term-frequency part
  (0–99, against its community's mean page length); the browser weights it by the
  term's rarity over the whole street, which it knows once the postings are fetched.

Layout, per language, under ``search-index/`` (``street-search.js`` reads it):
``meta.json`` (version, shards, pages, the communities in shard order), ``s/<n>.json``
and ``u/<n>.json`` (single characters) (a list with one object per community: term →
[doc, part, doc, part, …], doc numbers as differences from the previous one) and
``d/<community>.json`` (the fragment names by doc number).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import signed
from generator.loading.cache import caches_off
from generator.outdir import link_as_written

VERSION = 1
FOLDER = "search-index"
#: Pagefind's fragments: gzip of this signature and the page's JSON.
_SIGNATURE = b"pagefind_dcd"
#: How many titles' worth a page's title counts for against its text (a word in the title ranks first).
TITLE_WEIGHT = 3
K1, B = 1.2, 0.75
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: A run of Chinese characters, or a word of other letters and digits (``street-search.js``: WORDS).
_WORDS = re.compile(f"[{_HAN}]+|[^\\W_{_HAN}]+")
_HAN_CHAR = re.compile(f"[{_HAN}]")


def _stem(word: str) -> str:
    """A word without its plural ``s`` (``street-search.js``: terms)."""
    return word[:-1] if len(word) > 3 and word[-1] == "s" and word[-2] != "s" else word


def terms(text: str, page: bool = False) -> list[str]:
    """The terms of a query, in order, repeated as often as they occur: a lone Chinese
    character is a term of its own, a longer run its pairs. A ``page``'s terms have
    every Chinese character as well, so that a query of one character finds it."""
    found: list[str] = []
    for word in _WORDS.findall(unicodedata.normalize("NFKC", text.replace("\u200b", "")).lower()):
        if _HAN_CHAR.match(word):
            if len(word) == 1 or page:
                found.extend(word)
            found.extend(word[i:i + 2] for i in range(len(word) - 1))
        else:
            found.append(_stem(word))
    return found


def shard_of(term: str, shards: int) -> int:
    """FNV-1a over the term's code points (``street-search.js``: shardOf)."""
    h = 0x811C9DC5
    for ch in term:
        h = ((h ^ ord(ch)) * 0x01000193) & 0xFFFFFFFF
    return h % shards


def shard_file(term: str, shards: int) -> str:
    """The shard a term is in: single characters apart (``u/``), as each is in most pages and
    a query of one is rare: a query of words then fetches only the shards of pairs and words."""
    family = "u" if len(term) == 1 and _HAN_CHAR.match(term) else "s"
    return f"{family}/{shard_of(term, shards)}"


def shard_count(pages: int) -> int:
    """Shards for a street of ``pages`` (one language): a power of two near one per four
    pages, so a shard stays a few KB however large the street (16 to 4,096)."""
    return max(16, min(4096, 1 << max(0, math.ceil(math.log2(max(1, pages) / 4)))))


@dataclass
class Part:
    """One community's part of a language's index."""

    docs: list[str]  # fragment names, by doc number
    shards: dict[str, str]  # shard file ("s/<n>", "u/<n>") → its JSON object text


def fragments(index: Path) -> list[str]:
    """The fragments of one Pagefind index (``<site>/pagefind``), in a stable order, as path
    strings: each build lists ~30,000 of them, and making as many ``Path`` objects (and
    sorting them) cost half a second."""
    folder = os.path.join(index, "fragment")
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".pf_fragment"))
    except OSError:
        return []
    return [f"{folder}/{n}" for n in names]


def read_fragment(path: str | Path) -> dict[str, Any] | None:
    try:
        with open(path, "rb") as file:
            raw = gzip.decompress(file.read())
    except (OSError, EOFError, gzip.BadGzipFile):
        return None
    if not raw.startswith(_SIGNATURE):
        return None
    try:
        page = json.loads(raw[len(_SIGNATURE):])
    except ValueError:
        return None
    return page if isinstance(page, dict) else None


_HAN_PAIR = re.compile(f"(?=([{_HAN}]{{2}}))")  # every pair, overlapping
_OTHER_WORD = re.compile(f"[^\\W_{_HAN}]+")


def page_terms(text: str) -> Counter[str]:
    """``terms(text, page=True)``, counted, by three regular expressions over the whole text
    rather than word by word: a community's pages are all counted again when one changes."""
    text = unicodedata.normalize("NFKC", text.replace("\u200b", "")).lower()
    found = Counter(_HAN_CHAR.findall(text))
    found.update(_HAN_PAIR.findall(text))
    found.update(map(_stem, _OTHER_WORD.findall(text)))
    return found


def make_part(files: list[str], shards: int) -> Part:
    """A community's postings, shard by shard, from its fragments. Pages are numbered by
    address and lengths weighed against a rounded mean, so that an edit to one page
    changes only the shards of its own terms (``write_index`` links the others)."""
    pages: list[tuple[str, str, Counter[str]]] = []
    for path in files:
        page = read_fragment(path)
        if page is None:
            continue
        meta = page.get("meta")
        title = str((meta.get("title") if isinstance(meta, dict) else None) or "")
        found = page_terms(str(page.get("content") or ""))
        for term, n in page_terms(title).items():
            found[term] += n * TITLE_WEIGHT
        pages.append((str(page.get("url") or ""), os.path.basename(path).removesuffix(".pf_fragment"), found))
    pages.sort(key=lambda p: (p[0], p[1]))
    lengths = [sum(found.values()) for _, _, found in pages]
    mean = float(f"{sum(lengths) / len(lengths):.2g}") if lengths else 1.0
    postings: dict[str, list[int]] = {}
    last: dict[str, int] = {}
    for doc, ((_, _, found), length) in enumerate(zip(pages, lengths)):
        norm = K1 * (1 - B + B * length / mean)
        weight: dict[int, int] = {}  # by term frequency: most of a page's terms occur once or twice
        for term, tf in found.items():
            part = weight.get(tf)
            if part is None:
                part = weight[tf] = max(1, round(99 * tf / (tf + norm)))  # BM25's tf(k1+1)/(tf+norm), over k1+1
            had = postings.get(term)
            if had is None:
                postings[term] = [doc, part]
            else:
                had += (doc - last[term], part)
            last[term] = doc
    by_shard: dict[str, dict[str, list[int]]] = {}
    for term, values in postings.items():
        by_shard.setdefault(shard_file(term, shards), {})[term] = values
    return Part([name for _, name, _ in pages],
                {k: json.dumps(v, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
                 for k, v in by_shard.items()})


def _key(files: list[str], shards: int) -> str:
    digest = hashlib.blake2b(f"{VERSION}:{shards}:".encode(), digest_size=16)
    for path in files:
        digest.update(os.path.basename(path).encode() + b"\0")
    return digest.hexdigest()


@dataclass
class Got:
    """A community's part as ``part_of`` found it: its ``key``, and the part its record held
    before, when that was made from other fragments (``before``: its key and part), for
    ``write_index`` to tell which shard files it changed."""

    key: str
    part: Part
    before: tuple[str, Part] | None = None


#: Parts this process has loaded or made (``prepare``), by their store: what ``part_of`` looks at first.
_READY: dict[Path, Got] = {}


def part_of(files: list[str], shards: int, store: Path | None) -> Got:
    """A community's part from its ``files`` (``fragments``), or from ``store`` (or what
    ``prepare`` left of it in this process) when they are those it was made from."""
    key = _key(files, shards)
    if store is None:
        return Got(key, make_part(files, shards))
    ready = _READY.pop(store, None)
    if ready is not None and ready.key == key:
        return ready
    return _kept_or_made(files, shards, key, store, signed.load(store, "street-search-part"))


def _as_part(kept: dict[str, Any]) -> Part:
    return Part(list(kept["docs"]), {str(k): str(v) for k, v in kept["shards"].items()})


def _kept_or_made(files: list[str], shards: int, key: str, store: Path, kept: Any) -> Got:
    if isinstance(kept, dict) and kept.get("key") == key:
        return Got(key, _as_part(kept))
    # the part it replaces, for write_index to tell which files changed (same shard count only)
    before = (str(kept["key"]), _as_part(kept)) if isinstance(kept, dict) and kept.get("count") == shards else None
    part = make_part(files, shards)
    signed.save(store, "street-search-part", {"key": key, "count": shards, "docs": part.docs,
                                               "shards": part.shards})
    return Got(key, part, before)


def prepare(index: Path, store: Path) -> None:
    """Load or work out one community's part ahead of ``write_index``, in this process, as
    soon as its Pagefind ``index`` is final (``street.search.StreetIndex``: while the other
    communities still build). Made for the shard count its last part was made for: when
    the street's count has changed since, ``write_index`` works it out again."""
    kept = signed.load(store, "street-search-part")
    count = kept.get("count") if isinstance(kept, dict) else None
    if isinstance(count, int) and count > 0:  # else no earlier part: write_index knows the count
        files = fragments(index)
        _READY[store] = _kept_or_made(files, count, _key(files, count), store, kept)


def unchanged_files(got: list[tuple[str, Got]], made_from: Any, shards: int) -> set[str] | None:
    """The index files whose text is what it was when made from ``made_from`` (each community's
    part key then, in order; ``_Files`` keeps it), without joining or hashing them: a shard
    file is the communities' parts of it, so it is unchanged when each community's part of it
    is. None when that cannot be told (other communities, or a changed part whose part
    before is not the one the files were made from): every file is then compared by digest."""
    if not isinstance(made_from, list) or [cid for cid, _ in got] != [
            m[0] if isinstance(m, list) and len(m) == 2 else None for m in made_from]:
        return None
    names = {f"{family}/{n}.json" for family in ("s", "u") for n in range(shards)}
    names |= {f"d/{cid}.json" for cid, _ in got}
    for (cid, now), (_, was_key) in zip(got, made_from):
        if now.key == was_key:
            continue
        if now.before is None or now.before[0] != was_key:
            return None
        old, new = now.before[1], now.part
        names.difference_update(f"{k}.json" for k in old.shards.keys() | new.shards.keys()
                                if old.shards.get(k) != new.shards.get(k))
        if old.docs != new.docs:
            names.discard(f"d/{cid}.json")
    return names


class _Files:
    """Writes the index's files into a new folder, linking each file whose bytes are those
    of the published index's namesake instead of writing it again. Creating thousands of
    files cost 0.1–1.2 ms each on the 2-core machine (``bench/README.md``), and after one
    edit most shards are unchanged. A published file is linked only if it is still the one
    recorded (size and modification time as written), so a build that failed, or a hand
    that touched the site, gives files written anew; nothing is ever written in place.
    The record also says which parts the files were made from (``unchanged_files``)."""

    def __init__(self, folder: Path, published: Path | None, record: Path | None) -> None:
        self.folder, self.published, self.record = folder, published, record
        was = signed.load(record, "street-search-files") if record is not None and published is not None else None
        was = was if isinstance(was, dict) else {}
        recorded = was.get("files")
        self.was: dict[str, list[Any]] = recorded if isinstance(recorded, dict) else {}
        self.made_from: Any = was.get("from")
        self.now: dict[str, list[Any]] = {}
        self.linked = 0

    def link(self, name: str) -> bool:
        """Link ``name`` from the published index if it is there as recorded."""
        was = self.was.get(name)
        if self.published is None or not isinstance(was, list) \
                or not link_as_written(f"{self.published}/{name}", f"{self.folder}/{name}", was[1:]):
            return False
        self.now[name], self.linked = was, self.linked + 1
        return True

    def put(self, name: str, text: str) -> None:
        data = text.encode("utf-8")
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        was = self.was.get(name)
        if isinstance(was, list) and was[:1] == [digest] and self.link(name):
            return
        target = self.folder / name
        target.write_bytes(data)
        st = target.stat()
        self.now[name] = [digest, st.st_size, st.st_mtime_ns]

    def save(self, made_from: list[list[str]]) -> None:
        if self.record is not None:
            signed.save(self.record, "street-search-files", {"files": self.now, "from": made_from})


def write_index(out: Path, indexes: Iterable[tuple[str, Path]], cache: Path | None,
                published: Path | None = None) -> dict[str, Any]:
    """Write one language's street index into ``out/search-index`` from ``indexes``
    (community id, its Pagefind folder), each community's part kept in ``cache``;
    ``published``: the folder where the last build's site is, whose unchanged index files
    are linked (``_Files``). Returns the index's ``meta.json``."""
    members = [(cid, fragments(index)) for cid, index in indexes if (index / "fragment").is_dir()]
    shards = shard_count(sum(len(files) for _, files in members))
    keep = cache is not None and not caches_off()
    got = [(cid, part_of(files, shards, cache / "parts" / f"{cid}.json" if keep and cache else None))
           for cid, files in members]
    parts = [g.part for _, g in got]
    folder = out / FOLDER
    for family in ("s", "u", "d"):
        (folder / family).mkdir(parents=True, exist_ok=True)
    files = _Files(folder, published / FOLDER if published is not None and keep else None,
                   cache / "files.json" if keep and cache else None)
    same = unchanged_files(got, files.made_from, shards) or set()
    for name in (f"{family}/{n}.json" for family in ("s", "u") for n in range(shards)):
        if name not in same or not files.link(name):
            stem = name.removesuffix(".json")
            files.put(name, "[" + ",".join(p.shards.get(stem, "{}") for p in parts) + "]")
    for (cid, _), part in zip(members, parts):
        name = f"d/{cid}.json"
        if name not in same or not files.link(name):
            files.put(name, json.dumps(part.docs, separators=(",", ":")))
    meta = {"version": VERSION, "shards": shards, "pages": sum(len(p.docs) for p in parts),
            "communities": [cid for cid, _ in members]}
    files.put("meta.json", json.dumps(meta, separators=(",", ":")))
    files.save([[cid, g.key] for cid, g in got])
    return meta
