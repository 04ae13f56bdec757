"""``portal build STREET``: every community into ``site/<id>/``, the street's own
pages at the root, the whole street site swapped in at once.

- Each community is built by ``generator.build.build`` (its own check, pages,
  forms, search and security headers, with site_url = street site_url + ``<id>/``)
  into a kept last-good copy, ``.portal-build/street/sites/<id>``; that build
  replaces the copy only when it succeeds, so a broken community's copy is its
  last good site.
- A community with errors (or a ``git:`` one that could not be fetched) is
  ``stale``: its last good copy is published with a "not updated since" banner
  on every page; never built, it is ``missing`` and nothing of it is published.
  The others are published: one community's files never stop its neighbours.
- The street site is assembled beside ``out`` and put in place (``street.publish``):
  a failed street build (street.yaml broken, a bug) leaves the previous site; a
  community whose published folder is as the last build left it is not copied again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from generator.build import BuildError
from generator.build import build as build_community
from generator.kinds.common import Text, Today
from generator.outdir import UnsafeOutput, check_output, folder_digest, is_marked, locked, reclaim, write_marker
from generator.pipeline import Checked
from generator.problems import Problem, Report
from generator.street import publish
from generator.street.check import check_community, named, shown_root
from generator.street.collect import community_facts
from generator.street.fetch import fetch
from generator.street.headers import write_street_headers
from generator.street.load import load_street
from generator.street.memo import Memo
from generator.street.model import CommunityEntry, Member, Street, community_root
from generator.street.search import StreetIndex, add_street_option, copy_script, search_page
from generator.street.site import add_banner, beijing, write_pages
from generator.street.views import street_pages, write_street_files
from portal_core.i18n import both

KEEP = Path(".portal-build") / "street" / "sites"
MEMO = Path(".portal-build") / "street" / "memo.json"
#: Each community's part of the street search index, kept for the next build (``search_index``).
SEARCH_PARTS = Path(".portal-build") / "street" / "search"
DEFAULT_SITE_URL = "http://localhost:8000/"


@dataclass
class StreetResult:
    out: Path
    members: list[Member]
    report: Report = field(default_factory=Report)  #: every community's problems, named

    def count(self, status: str) -> int:
        return sum(1 for m in self.members if m.status == status)


def _state_file(street_root: Path, cid: str) -> Path:
    return street_root / KEEP / f"{cid}.json"


def _last_good(street_root: Path, cid: str) -> tuple[dt.datetime | None, Text | None]:
    """When the kept copy was built, and the community's name then."""
    try:
        data = json.loads(_state_file(street_root, cid).read_text(encoding="utf-8"))
        return dt.datetime.fromisoformat(data["updated"]), data.get("name")
    except (OSError, ValueError, KeyError, TypeError):
        return None, None


def build_member(street_root: Path, entry: CommunityEntry, site_url: str, jobs: int | None,
                 strict: bool, fetched: Problem | None, today: dt.date) -> tuple[Member, list[Problem]]:
    """Build one community into its kept copy, and work out what it gives the street views
    (``collect.community_facts``: only its small ``Facts`` are kept, never its checked
    project); never raises for its data."""
    root = community_root(street_root, entry)
    keep = street_root / KEEP / entry.id
    problems: list[Problem] = []
    member = Member(entry, root, "built")
    if fetched is not None:  # a git: community that could not be fetched
        problems.append(fetched)
    elif not root.is_dir():  # not where street.yaml says: never create it
        problems += check_community(street_root, entry)[1]
    else:
        try:
            result = build_community(root, keep, site_url=f"{site_url}{entry.id}/", jobs=jobs, strict=strict)
        except BuildError as exc:
            if exc.report is None:
                problems.append(_internal(entry, str(exc)))
            else:
                problems += named(exc.report.problems, shown_root(street_root, entry), entry.id)
        except UnsafeOutput as exc:  # e.g. path: naming the street folder itself
            problems.append(_internal(entry, exc.message("en")))
        except Exception as exc:  # noqa: BLE001 - one community's failure, whatever it is, never stops the others
            problems.append(_internal(entry, f"{type(exc).__name__}: {exc}"))
        else:
            problems += named(result.report.problems if result.report else [], shown_root(street_root, entry),
                              entry.id)
            member.updated, member.name = _last_good(street_root, entry.id)
            member.kept_digest = result.site_digest
            if not result.unchanged or member.updated is None:
                member.updated = _now()
            _facts(member, today, result.checked, result.inputs)
            del result  # its checked project: only the facts are kept
            state = {"updated": member.updated.isoformat(), "name": member.name}
            _state_file(street_root, entry.id).write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
            return member, problems
    member.status = "stale" if is_marked(keep) else "missing"
    if member.status == "stale":
        member.updated, member.name = _last_good(street_root, entry.id)
    if root.is_dir():
        _facts(member, today)
    member.report = Report(list(problems))
    return member, problems


def _now() -> dt.datetime:
    """When a community's pages were built (to the second; tests pin it)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _facts(member: Member, today: dt.date, checked: Checked | None = None, inputs: str | None = None) -> None:
    """The member's street facts, and its name from them."""
    member.facts = community_facts(member.root, today, checked, inputs)
    if member.facts.name is not None:
        member.name = member.facts.name


def _internal(entry: CommunityEntry, message: str) -> Problem:
    return Problem("street.build-failed", "street.yaml", params={"community": entry.id, "detail": message[:300]})


def build_street(street_root: Path, out: Path | None = None, site_url: str | None = None, jobs: int | None = None,
                 strict: bool = False, on_wait: Callable[[], None] | None = None,
                 today: dt.date | None = None, progress: Callable[..., None] | None = None) -> StreetResult:
    """Raises ``BuildError`` (with the report) when street.yaml is broken, and with
    ``strict`` when any community is not updated; nothing is replaced then. ``progress``:
    called with ``("community", id=…)`` as each community starts, then ``("street")``
    (``generator.progress.Steps``; ``street_steps`` counts them)."""
    street_root = Path(street_root).resolve()
    out = (out or street_root / "site").resolve()
    street, problems = load_street(street_root)
    if street is None:
        raise BuildError("street.yaml has errors", Report(problems, files_checked=1))
    check_output(street_root, out)
    (street_root / KEEP).mkdir(parents=True, exist_ok=True)
    reclaim(street_root / ".portal-build")
    try:
        with locked(street_root / ".portal-build" / "street.lock", on_wait), \
                locked(out.parent / f".{out.name}.lock", on_wait):
            return _build(street_root, street, out, site_url, jobs, strict, today, progress or _quiet)
    except TimeoutError:
        raise BuildError(both("cli.build.still-running")) from None


def _link_or_copy(src: str, dst: str) -> None:
    """A hard link when the two folders share a file system, else a copy."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def street_steps(street_root: Path) -> int:
    """How many steps ``build_street`` reports: one per community and the street's own (1 when
    street.yaml cannot be read: the build then stops at once)."""
    street, _ = load_street(Path(street_root).resolve())
    return (len(street.communities) if street is not None else 0) + 1


def _quiet(step: str, **params: str) -> None:
    """No progress report (library calls, tests)."""


def _build(street_root: Path, street: Street, out: Path, site_url: str | None, jobs: int | None, strict: bool,
           today: dt.date | None, progress: Callable[..., None]) -> StreetResult:
    site_url = (site_url or street.site_url or DEFAULT_SITE_URL).rstrip("/") + "/"
    day = today or Today.get()
    failures = {entry.id: fetch(street_root, entry) for entry in street.communities if entry.git}
    workers = jobs or min(len(street.communities), os.cpu_count() or 1)
    langs = [street.languages.default, *[x for x in street.languages.others if x in ("zh", "en")]]
    # Threads for the communities; each community's mkdocs builds run in their own processes
    # (mkdocs is not made to run twice at once in one process), unless --jobs 1.
    inner = 1 if jobs == 1 else None
    shown: dict[str, str | None] = {}  # each community's published folder as found (publish.reusable)
    with StreetIndex(street_root / SEARCH_PARTS, langs, in_process=jobs == 1) as index:
        with ThreadPoolExecutor(max(1, workers)) as pool:
            def one(entry: CommunityEntry) -> tuple[Member, list[Problem]]:
                progress("community", id=entry.id)
                member, found = build_member(street_root, entry, site_url, inner, strict, failures.get(entry.id), day)
                # what the street's own steps need of this community, done while the others build
                if member.status != "missing":
                    index.prepare(street_root / KEEP / entry.id, entry.id)
                shown[entry.id] = publish.digest_of(out, entry.id)
                return member, found

            done = list(pool.map(one, street.communities))
        members = [m for m, _ in done]
        report = Report([p for _, found in done for p in found])
        result = StreetResult(out, members, report)
        if strict and any(m.status != "built" for m in members):
            raise BuildError(both("cli.street.strict-failed"), report)
        progress("street")
        stage = out.parent / f".{out.name}.building-{os.getpid()}"
        for leftover in out.parent.glob(f".{out.name}.building-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        context = publish.context_key(site_url, langs)
        since = {m.id: (beijing(m.updated) if m.updated else "?") if m.status == "stale" else None for m in members}
        kept = {m.id: m.kept_digest or folder_digest(street_root / KEEP / m.id) for m in members
                if m.status != "missing"}
        # communities whose published folder is still what the last build put there stay in place
        reused = publish.reusable(street_root, out, members, context, since, kept, shown)
        memo = Memo(street_root / MEMO, "street-memo")  # the street's calendar and pages, made again only when changed
        try:
            stage.mkdir(parents=True)
            for m in members:
                if m.status == "missing":
                    continue
                if m.id in reused:  # seen through a link while the street's files are made (search, headers)
                    os.symlink(out / m.id, stage / m.id, target_is_directory=True)
                    continue
                # a community built now is linked, not copied (its kept copy is replaced whole by its next
                # build, never written in place); a stale one is copied, as its pages get the banner
                shutil.copytree(street_root / KEEP / m.id, stage / m.id, symlinks=True,
                                copy_function=_link_or_copy if m.status == "built" else shutil.copy2)
                if m.status == "stale":
                    add_banner(stage / m.id, since[m.id] or "?")
            base = urlsplit(site_url).path.rstrip("/") + "/"
            # the index reads only the communities' Pagefind indexes: written in its own process
            # while this one writes the street's pages
            index.write(stage, members, out)
            pages = [*street_pages(street, members, day), search_page(stage, members, langs)]
            write_pages(pages, stage, langs, base, site_url, memo)
            copy_script(stage)
            add_street_option(stage, [m for m in members if m.id not in reused], langs, base)
            write_street_files(street, members, stage, langs, site_url, memo)
            write_street_headers(stage, [m.id for m in members if m.status != "missing"])
            index.wait()
            write_marker(stage)
            for cid in reused:
                (stage / cid).unlink()
            publish.commit(street_root, stage, out, reused)
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)  # removes the reused communities' links, never what they point to
            raise
    publish.remember(street_root, out, members, context, since, kept, reused)
    memo.save()
    return result
