"""What a first search query downloads on one built site, file by file.

    .venv/bin/python bench/bench_search.py SITE_DIR [--words 50] [--lang zh,en] [--extra 维修资金,电梯]

SITE_DIR is a built ``site/`` (one community: ``portal build`` output). For the
``--words`` commonest words of each language (chosen as ``bench_street.py`` does)
and the ``--extra`` words, Chromium opens ``search/`` in a fresh context, types the
word and waits for the results; every Pagefind file sent is counted at the test
server (Pagefind fetches from a worker) and grouped: the fixed part (script,
WebAssembly, entry, metadata), the word's index chunks, the shown results'
fragments. ``bytes`` are the files as stored (as ``bench_street.py`` counts);
``served`` counts the JavaScript as the hosts the portal configures send it,
gzipped (``header_formats``: nginx ``gzip_types``, Caddy ``encode gzip``); Pagefind's
index, fragments and WebAssembly are gzip files already. Prints a table and writes
``bench/results/search-<date>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import statistics
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from bench_street import common_words, first_queries  # noqa: E402


def _group(path: str) -> str:
    if "/fragment/" in path:
        return "fragment"
    if "/index/" in path:
        return "index"
    return "fixed"


def _served_size(site: Path, path: str, n: int) -> int:
    """The bytes a gzip-configured host sends for a file sent as ``n`` bytes here."""
    name = path.split("?")[0]
    if not name.endswith((".js", ".css", ".json")):
        return n
    return len(gzip.compress((site / name.lstrip("/")).read_bytes(), 6))


def query_bytes(site: Path, words: dict[str, list[str]]) -> dict[str, Any]:
    """Per language: each word's first query (``bench_street.first_queries``) split into
    Pagefind's fixed files, index chunks and fragments, as stored and as a host sends them."""
    out: dict[str, Any] = {}
    for lang, queries in first_queries(site, words).items():
        per_word: dict[str, Any] = {}
        for word, (fetched, found) in queries.items():
            groups = {"fixed": 0, "index": 0, "fragment": 0}
            largest = 0
            served = 0
            for path, n in fetched:
                groups[_group(path)] += n
                served += _served_size(site, path, n)
                if "/fragment/" in path:
                    largest = max(largest, n)
            per_word[word] = {"bytes": sum(groups.values()), "served": served, **groups,
                              "largest_fragment": largest, "results_shown": found}
        sizes = [v["bytes"] for v in per_word.values()]
        served_sizes = [v["served"] for v in per_word.values()]
        out[lang] = {"words": per_word, "median_bytes": statistics.median(sizes) if sizes else 0,
                     "max_bytes": max(sizes, default=0),
                     "median_served": statistics.median(served_sizes) if served_sizes else 0,
                     "max_served": max(served_sizes, default=0),
                     "over_200kb": [w for w, v in per_word.items() if v["bytes"] > 200_000],
                     "served_over_200kb": [w for w, v in per_word.items() if v["served"] > 200_000],
                     "no_results": [w for w, v in per_word.items() if not v["results_shown"]]}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--words", type=int, default=50)
    parser.add_argument("--lang", default="zh,en")
    parser.add_argument("--extra", default="", help="comma-separated words measured too (first language)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    langs = [x for x in args.lang.split(",") if x]
    words = {lang: common_words(args.site, lang, args.words) for lang in langs}
    extra = [w for w in args.extra.split(",") if w]
    if extra and langs:
        words[langs[0]] = extra + [w for w in words[langs[0]] if w not in extra]
    result = query_bytes(args.site, words)
    for lang, r in result.items():
        print(f"{lang}: median {r['median_bytes'] / 1000:.0f} KB, max {r['max_bytes'] / 1000:.0f} KB, "
              f"over 200 KB: {r['over_200kb']}, no results: {r['no_results']}")
        print(f"{lang}, JavaScript gzipped as served: median {r['median_served'] / 1000:.0f} KB, "
              f"max {r['max_served'] / 1000:.0f} KB, over 200 KB: {r['served_over_200kb']}")
        for word, v in sorted(r["words"].items(), key=lambda kv: -kv[1]["bytes"])[:8]:
            print(f"  {word}: {v['bytes'] / 1000:.0f} KB = fixed {v['fixed'] / 1000:.0f} + index "
                  f"{v['index'] / 1000:.0f} + fragments {v['fragment'] / 1000:.0f} "
                  f"(largest {v['largest_fragment'] / 1000:.0f}), {v['results_shown']} shown")
    out = args.out or BENCH / "results" / f"search-{dt.date.today().isoformat()}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"site": str(args.site), **result}, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
