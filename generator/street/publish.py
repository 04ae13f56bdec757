"""Putting the street site in place without copying what did not change.

A street of 30 communities is ~55,000 files and ~15,000 folders. Linking every
community's kept copy into a new staging folder, swapping it in and deleting the
old one cost about 6 s of an edit's 11 (``bench/README.md``), for the one
community that changed. So the street build remembers what it published
(``published.json``: per community, its status, banner date and the digests of its
kept copy and of its published folder), and a community whose kept copy and
published folder are still exactly those is not staged again: its folder in the
published site stays where it is.

The staging folder then holds the street's own files and the communities that
changed, and ``commit`` moves them in entry by entry: each top-level entry (a
community's folder, the street's pages, ``data/``, ``feeds/`` …) is replaced whole
by two renames, so no file is ever half-written and a build that fails before
``commit`` leaves the site as it was. What it gives up against swapping the whole
folder: a build killed during those few milliseconds of renames can leave some
top-level entries from the previous build beside the new ones (each complete); the
next build puts it right, since a folder that is not as recorded is staged again.

When the published folder is not a street site this build recorded (first build,
another output folder, other addresses or code), the whole site is staged and
swapped in as before (``outdir.swap``).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Collection, Mapping

from generator.loading.cache import code_version, key_of
from generator.outdir import check_output, folder_digest, is_marked, swap
from generator.street.model import Member

RECORD = Path(".portal-build") / "street" / "published.json"


@dataclass
class Published:
    """The record of what the last street build put where (see the module docstring)."""

    out: str
    context: str
    communities: dict[str, dict[str, Any]]


def context_key(site_url: str, langs: list[str]) -> str:
    """What every published community folder depends on besides its kept copy: the street's
    addresses (the street-search buttons added to its pages), its languages and the code
    (banner and button wording)."""
    return key_of(code_version(), site_url, json.dumps(langs))


def _read(street_root: Path) -> Published | None:
    try:
        data = json.loads((street_root / RECORD).read_text(encoding="utf-8"))
        return Published(str(data["out"]), str(data["context"]), dict(data["communities"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def digest_of(out: Path, cid: str) -> str | None:
    """The digest of community ``cid``'s published folder in ``out`` (None: not a folder).
    Taken while the other communities still build (``street.build``): the published site
    is not written until ``commit``, under the build's lock."""
    folder = out / cid
    if folder.is_symlink() or not folder.is_dir():
        return None
    return folder_digest(folder)


def reusable(street_root: Path, out: Path, members: list[Member], context: str,
             since: dict[str, str | None], kept: dict[str, str],
             shown: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """The communities whose published folder in ``out`` can stay as it is, with that folder's
    digest; ``kept``: the digest of each community's kept copy now; ``shown``: each published
    folder's ``digest_of``, when taken already."""
    record = _read(street_root)
    if record is None or record.out != str(out) or record.context != context or not is_marked(out):
        return {}
    found = {}
    for m in members:
        was = record.communities.get(m.id)
        if m.status == "missing" or not isinstance(was, dict):
            continue
        if was.get("status") != m.status or was.get("since") != since.get(m.id):
            continue
        if was.get("keep") != kept.get(m.id):
            continue
        now = shown[m.id] if shown is not None and m.id in shown else digest_of(out, m.id)
        if now is not None and was.get("out") == now:
            found[m.id] = now
    return found


def commit(street_root: Path, stage: Path, out: Path, reused: Collection[str]) -> None:
    """Put the staged site at ``out``: swapped whole when nothing is reused, else each staged
    top-level entry replacing its namesake, and the entries the new site no longer has
    removed; the reused community folders stay."""
    if not reused:
        swap(street_root, stage, out)
        return
    check_output(street_root, out)  # again: the folder may have changed while the site was built
    trash = out.parent / f".{out.name}.old-{os.getpid()}"
    shutil.rmtree(trash, ignore_errors=True)
    trash.mkdir()
    staged = sorted(os.listdir(stage))
    for name in staged:
        if os.path.lexists(out / name):
            os.rename(out / name, trash / name)
        os.rename(stage / name, out / name)
    for name in os.listdir(out):
        if name not in reused and name not in staged:
            os.rename(out / name, trash / name)
    os.rmdir(stage)
    shutil.rmtree(trash, ignore_errors=True)


def remember(street_root: Path, out: Path, members: list[Member], context: str, since: dict[str, str | None],
             kept: dict[str, str], reused: dict[str, str]) -> None:
    """After ``commit``: what each published community folder now is (``reused``: those left in
    place, with their digests)."""
    communities = {m.id: {"status": m.status, "since": since.get(m.id), "keep": kept[m.id],
                          "out": reused.get(m.id) or folder_digest(out / m.id)}
                   for m in members if m.id in kept and (out / m.id).is_dir()}
    path = street_root / RECORD
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"out": str(out), "context": context, "communities": communities}), encoding="utf-8")
    tmp.replace(path)


def forget(street_root: Path) -> None:
    try:
        (street_root / RECORD).unlink()
    except OSError:
        pass
