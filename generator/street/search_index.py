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


def fragments(index: Path) -> list[Path]:
    """The fragments of one Pagefind index (``<site>/pagefind``), in a stable order."""
    return sorted((index / "fragment").glob("*.pf_fragment"))


def read_fragment(path: Path) -> dict[str, Any] | None:
    try:
        raw = gzip.decompress(path.read_bytes())
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


def make_part(files: list[Path], shards: int) -> Part:
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
        pages.append((str(page.get("url") or ""), path.name.removesuffix(".pf_fragment"), found))
    pages.sort(key=lambda p: (p[0], p[1]))
    lengths = [sum(found.values()) for _, _, found in pages]
    mean = float(f"{sum(lengths) / len(lengths):.2g}") if lengths else 1.0
    postings: dict[str, list[int]] = {}
    last: dict[str, int] = {}
    for doc, ((_, _, found), length) in enumerate(zip(pages, lengths)):
        norm = K1 * (1 - B + B * length / mean)
        for term, tf in found.items():
            part = max(1, round(99 * tf / (tf + norm)))  # BM25's tf(k1+1)/(tf+norm), over k1+1
            postings.setdefault(term, []).extend((doc - last.get(term, 0), part))
            last[term] = doc
    by_shard: dict[str, dict[str, list[int]]] = {}
    for term, values in postings.items():
        by_shard.setdefault(shard_file(term, shards), {})[term] = values
    return Part([name for _, name, _ in pages],
                {k: json.dumps(v, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
                 for k, v in by_shard.items()})


def _key(files: list[Path], shards: int) -> str:
    digest = hashlib.blake2b(f"{VERSION}:{shards}:".encode(), digest_size=16)
    for path in files:
        digest.update(path.name.encode() + b"\0")
    return digest.hexdigest()


def part_of(files: list[Path], shards: int, store: Path | None) -> Part:
    """A community's part from its ``files`` (``fragments``), or from ``store`` when they are
    those it was made from."""
    key = _key(files, shards)
    if store is not None:
        kept = signed.load(store, "street-search-part")
        if isinstance(kept, dict) and kept.get("key") == key:
            return Part(list(kept["docs"]), {str(k): str(v) for k, v in kept["shards"].items()})
    part = make_part(files, shards)
    if store is not None:
        signed.save(store, "street-search-part", {"key": key, "docs": part.docs,
                                                   "shards": part.shards})
    return part


class _Files:
    """Writes the index's files into a new folder, linking each file whose bytes are those
    of the published index's namesake instead of writing it again. Creating thousands of
    files cost 0.1–1.2 ms each on the 2-core machine (``bench/README.md``), and after one
    edit most shards are unchanged. A published file is linked only if it is still the one
    recorded (size and modification time as written), so a build that failed, or a hand
    that touched the site, gives files written anew; nothing is ever written in place."""

    def __init__(self, folder: Path, published: Path | None, record: Path | None) -> None:
        self.folder, self.published, self.record = folder, published, record
        was = signed.load(record, "street-search-files") if record is not None and published is not None else None
        self.was: dict[str, list[Any]] = was if isinstance(was, dict) else {}
        self.now: dict[str, list[Any]] = {}
        self.linked = 0

    def put(self, name: str, text: str) -> None:
        data = text.encode("utf-8")
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        target = self.folder / name
        was = self.was.get(name)
        if self.published is not None and isinstance(was, list) and was[:1] == [digest]:
            try:
                old = self.published / name
                st = old.stat()
                if was[1:] == [st.st_size, st.st_mtime_ns]:
                    os.link(old, target)
                    self.now[name], self.linked = was, self.linked + 1
                    return
            except OSError:
                pass  # not there, or not linkable (another file system): written
        target.write_bytes(data)
        st = target.stat()
        self.now[name] = [digest, st.st_size, st.st_mtime_ns]

    def save(self) -> None:
        if self.record is not None:
            signed.save(self.record, "street-search-files", self.now)


def write_index(out: Path, indexes: Iterable[tuple[str, Path]], cache: Path | None,
                published: Path | None = None) -> dict[str, Any]:
    """Write one language's street index into ``out/search-index`` from ``indexes``
    (community id, its Pagefind folder), each community's part kept in ``cache``;
    ``published``: the folder where the last build's site is, whose unchanged index files
    are linked (``_Files``). Returns the index's ``meta.json``."""
    members = [(cid, fragments(index)) for cid, index in indexes if (index / "fragment").is_dir()]
    shards = shard_count(sum(len(files) for _, files in members))
    keep = cache is not None and not caches_off()
    parts = [part_of(files, shards, cache / "parts" / f"{cid}.json" if keep and cache else None)
             for cid, files in members]
    folder = out / FOLDER
    for family in ("s", "u", "d"):
        (folder / family).mkdir(parents=True, exist_ok=True)
    files = _Files(folder, published / FOLDER if published is not None and keep else None,
                   cache / "files.json" if keep and cache else None)
    for name in (f"{family}/{n}" for family in ("s", "u") for n in range(shards)):
        files.put(f"{name}.json", "[" + ",".join(p.shards.get(name, "{}") for p in parts) + "]")
    for (cid, _), part in zip(members, parts):
        files.put(f"d/{cid}.json", json.dumps(part.docs, separators=(",", ":")))
    meta = {"version": VERSION, "shards": shards, "pages": sum(len(p.docs) for p in parts),
            "communities": [cid for cid, _ in members]}
    files.put("meta.json", json.dumps(meta, separators=(",", ":")))
    files.save()
    return meta
