"""The committee's inbox: read, answer and publish submissions.

Library functions mirroring ``portal inbox list|show|export|reply|publish``.
``publish`` is the only way submissions reach the public site: it writes
``data/requests/<year>.yaml`` with category, dates, status and the committee's
reply — never the resident's text or private fields — and ``portal check``
then validates that file like any other.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import fcntl
import io
import json
import os
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from endpoint.store import STATUSES, ForeignStore, Store
from generator import registry
from generator.forms_spec import compile_form
from generator.load import load_yaml_kinds
from generator.loading import ledger as ledgers
from generator.loading.yamlfile import LocDict, LocList, YamlProblem, parse_yaml, plain
from generator.receipt_key import derive
from generator.receipt_key import forms as forms_of_key
from portal_core.forms import public_category
from portal_core.i18n import both
from portal_core.i18n import text as tr
from portal_core.receipts import normalize

#: Form kinds whose submissions are published one by one (others only in aggregate).
PUBLISHED_KINDS = ("suggestion", "request", "agenda-proposal")


class InboxError(Exception):
    """A mistake the committee member can fix (unknown receipt, bad status …)."""


def open_store(db: str, encryption_key: str = "") -> Store:
    return Store(db)


def _decrypt(value: str | None, key: str) -> dict[str, Any]:
    if not value:
        return {}
    if key:
        from cryptography.fernet import Fernet

        value = Fernet(key.encode()).decrypt(value.encode()).decode()
    try:
        record: dict[str, Any] = json.loads(value)
        return record
    except ValueError:
        return {"(encrypted)": "set PORTAL_ENCRYPTION_KEY to read"}


def _receipt(text: str) -> str:
    receipt = normalize(text)
    if receipt is None:
        raise InboxError(f"{tr('cli.inbox.bad-receipt', 'zh', text=text)} · {tr('cli.inbox.not-a-receipt', 'en')}")
    return receipt


def list_submissions(store: Store, status: str | None = None, form: str | None = None) -> list[dict[str, Any]]:
    return store.list(status=status, form_id=form)


def show(store: Store, receipt: str, encryption_key: str = "") -> dict[str, Any]:
    sub = store.get(_receipt(receipt))
    if sub is None:
        raise InboxError(both("cli.inbox.no-such-receipt", receipt=receipt))
    out = dict(sub)
    out["public"] = json.loads(out.pop("public_json"))
    out["private"] = _decrypt(out.pop("private_json"), encryption_key)
    out["events"] = store.events(sub["receipt"])
    return out


class Conflict(InboxError):
    """Someone else changed the submission between reading and writing it."""


def reply(store: Store, receipt: str, status: str, text: str | None, category: str | None = None,
          expect_status: str | None = None) -> dict[str, Any]:
    """Record a reply, only if the submission is as it was read (and in ``expect_status``
    when given: the status the member saw in ``inbox list/show``). Two members answering
    at once: the second gets ``Conflict`` instead of silently replacing the first."""
    if status not in STATUSES:
        raise InboxError(both("cli.inbox.bad-status", statuses=", ".join(STATUSES)))
    r = _receipt(receipt)
    seen = store.get(r)
    if seen is None:
        raise InboxError(both("cli.inbox.no-such-receipt", receipt=receipt))
    if status in ("answered", "closed") and not text and not seen["reply"]:
        raise InboxError(both("cli.inbox.reply-needs-text"))
    if expect_status is not None and seen["status"] != expect_status:
        raise _conflict(r, seen)
    if not store.reply(r, status, text, category, revision=seen["revision"]):
        raise _conflict(r, store.get(r) or seen)
    return store.get(r)  # type: ignore[return-value]


def _conflict(receipt: str, now: dict[str, Any]) -> Conflict:
    return Conflict(both("cli.inbox.conflict", receipt=receipt, status=now["status"]))


_FORMULA = ("=", "+", "-", "@", "\t", "\r")
#: Control characters but tab, line feed and carriage return, DEL, and lone surrogates: a NUL
#: truncates the cell (or the file) in spreadsheet programs, escapes rewrite terminals.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _safe_cell(value: Any) -> str:
    """A cell committees can open in Excel or WPS: control characters dropped, and
    text that a spreadsheet would run as a formula (CSV injection) prefixed with
    an apostrophe. Numbers stay numbers (``-1`` is no formula).

    >>> _safe_cell("=HYPERLINK(\\"http://x\\")"), _safe_cell("路灯\\x00"), _safe_cell(-1)
    ('\\'=HYPERLINK("http://x")', '路灯', '-1')
    """
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = _CONTROL.sub("", text)
    return "'" + text if text.startswith(_FORMULA) else text


def export(store: Store, fmt: str = "csv", encryption_key: str = "") -> str:
    rows = []
    for sub in store.list():
        public = json.loads(sub["public_json"])
        private = _decrypt(sub["private_json"], encryption_key)
        rows.append({"receipt": sub["receipt"], "form": sub["form_id"], "received": sub["received_at"],
                     "status": sub["status"], "category": sub["category"], "reply": sub["reply"],
                     "rating": sub["rating"], **{f"field:{k}": v for k, v in public.items()},
                     **{f"private:{k}": v for k, v in private.items()}})
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([_safe_cell(c) for c in columns])
    for row in rows:
        writer.writerow([_safe_cell(row.get(c)) for c in columns])
    return buf.getvalue()


# -- publish: merge the inbox into the public record -------------------------------------------

HEADER = f"# {tr('cli.publish.header', 'zh')}\n# {tr('cli.publish.header', 'en')}\n"
#: Fields of a published record that the inbox keeps up to date; all others (the
#: committee's ``summary`` …) are the file's own.
INBOX_FIELDS = ("category", "status", "first_reply", "closed", "reply", "rating")
ORDER = ("id", "receipt_key", "form", "category", "summary", "received", "first_reply", "closed", "status",
         "reply", "rating")
PUBLIC_ID = re.compile(r"^R(\d{4})-(\d+)$")


@dataclass
class YearFile:
    """One ``data/requests/<year>.yaml``: its records, and the text each came from."""

    year: int
    path: Path
    text: str = ""  #: as read ("" for a new file)
    records: list[dict[str, Any]] = field(default_factory=list)
    satisfaction: list[dict[str, Any]] = field(default_factory=list)
    #: verbatim text: before the first record, of each record, of the satisfaction
    #: section. None: the layout is not the one publish writes, so the file is
    #: written anew (same values, not the same bytes).
    head: str | None = None
    pieces: list[str] = field(default_factory=list)
    tail: str = ""
    indent: str = ""
    empty: bool = False  #: written as an empty list: ``head`` holds it, verbatim
    changed: set[int] = field(default_factory=set)
    satisfaction_changed: bool = False
    added: list[dict[str, Any]] = field(default_factory=list)

    def render(self) -> str:
        if self.head is None:
            return self._full()
        if self.empty and self.added:
            return self._full()  # "requests: []" gets its first records: no record text to keep
        parts = [self.head]
        for i, (record, piece) in enumerate(zip(self.records, self.pieces)):
            if i in self.changed:
                _body, trailing = _split_trailing(piece)
                parts.append(_dump_record(record, self.indent) + trailing)
            else:
                parts.append(piece)
        parts.extend(_dump_record(r, self.indent) for r in self.added)
        if self.satisfaction_changed:
            parts.append(yaml.safe_dump({"satisfaction": self.satisfaction}, allow_unicode=True, sort_keys=False))
        else:
            parts.append(self.tail)
        return "".join(parts)

    def _full(self) -> str:
        lines = self.text.splitlines(keepends=True)
        comments = "".join(lines[:next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))])
        doc: dict[str, Any] = {"id": str(self.year), "requests": [*self.records, *self.added]}
        if self.satisfaction:
            doc["satisfaction"] = self.satisfaction
        return (comments or HEADER) + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


@dataclass
class PublishResult:
    written: list[Path] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    updated: list[tuple[str, list[str]]] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  #: published records this inbox does not know
    answers: int = 0  #: satisfaction answers counted for the first time
    diff: str = ""
    #: (public number, receipt, key the ledger gives it to): requests left out because
    #: their number belongs to another request; never renumbered, the committee decides
    conflicts: list[tuple[str, str, str]] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)  #: numbers newly written into the ledger
    adopted: bool = False  #: the database did not know its community: it now belongs to this one
    adopted_by: str = ""  #: that community's id


def _dump_record(record: dict[str, Any], indent: str) -> str:
    text = yaml.safe_dump([record], allow_unicode=True, sort_keys=False)
    return "".join(indent + line for line in text.splitlines(keepends=True))


def _split_trailing(piece: str) -> tuple[str, str]:
    """A record's text and the comment or blank lines after it (kept when it is rewritten)."""
    lines = piece.splitlines(keepends=True)
    cut = len(lines)
    while cut > 1 and (not lines[cut - 1].strip() or lines[cut - 1].lstrip().startswith("#")):
        cut -= 1
    return "".join(lines[:cut]), "".join(lines[cut:])


def _read_year(path: Path, year: int) -> YearFile:
    text = path.read_text(encoding="utf-8")
    try:
        data = parse_yaml(text)
    except YamlProblem as exc:
        raise InboxError(both("cli.publish.cannot-parse", path=path, line=exc.line)) from exc
    if data is None:
        data = LocDict()
    requests = data.get("requests") if isinstance(data, dict) else None
    satisfaction = data.get("satisfaction") if isinstance(data, dict) else None
    if not isinstance(data, LocDict) or not isinstance(requests or [], list) \
            or not isinstance(satisfaction or [], list) or not all(isinstance(r, dict) for r in requests or []):
        raise InboxError(both("cli.publish.not-requests-file", path=path))
    yf = YearFile(year, path, text, [plain(r) for r in requests or []], [plain(s) for s in satisfaction or []])
    # Record by record, the text as written, so a record publish does not change
    # keeps its bytes. Only the layout publish itself writes is cut up this way.
    lines = text.splitlines(keepends=True)
    keys = sorted((pos[0], key) for key, pos in data.pos.items())
    if [k for _, k in keys] not in (["id", "requests"], ["id", "requests", "satisfaction"]):
        return yf
    starts = [pos[0] for pos in requests.pos] if isinstance(requests, LocList) else []
    cols = [pos[1] for pos in requests.pos] if isinstance(requests, LocList) else []
    end = data.pos["satisfaction"][0] if "satisfaction" in data.pos else len(lines) + 1
    if not starts:
        yf.head, yf.tail, yf.empty = "".join(lines[:end - 1]), "".join(lines[end - 1:]), True
        return yf
    for line, col in zip(starts, cols):
        if col < 3 or lines[line - 1][:col - 1].strip() != "-":
            return yf  # not "- key: value" blocks
    yf.indent = lines[starts[0] - 1][:cols[0] - 3]
    yf.head = "".join(lines[:starts[0] - 1])
    bounds = [*starts, end]
    yf.pieces = ["".join(lines[a - 1:b - 1]) for a, b in zip(bounds, bounds[1:])]
    yf.tail = "".join(lines[end - 1:])
    return yf


def _norm(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _norm(v) for k, v in value.items()}
    return value


def _same_text(old: Any, new: Any) -> bool:
    """A reply rewritten in the file as {zh: …, en: …} is the same reply if its zh text is."""
    if isinstance(old, dict) and isinstance(new, str):
        return old.get("zh") == new
    return bool(_norm(old) == _norm(new))


def _merge(old: dict[str, Any], new: dict[str, Any], acted: bool) -> dict[str, Any]:
    """The published record ``old`` updated with what the inbox knows (``new``).

    The inbox never erases: a value it lacks keeps the published one. A status is
    taken from the inbox only if the committee acted on it there (``acted``): a new
    database that merely holds the submission does not undo a published answer."""
    merged = dict(old)
    if acted:
        merged["status"] = new["status"]
    for name in ("category", "reply", "rating"):
        if new.get(name) is not None and not _same_text(old.get(name), new[name]):
            merged[name] = new[name]
    dates = [d for d in (old.get("first_reply"), new.get("first_reply")) if isinstance(d, dt.date)]
    if dates:
        merged["first_reply"] = min(dates)
    if merged.get("status") in ("closed", "rejected"):
        if new.get("closed") is not None and (acted or old.get("closed") is None):
            merged["closed"] = new["closed"]
    elif acted and new.get("status") not in ("closed", "rejected"):
        merged.pop("closed", None)  # reopened
    if list(merged) != list(old):
        rank = {k: i for i, k in enumerate(ORDER)}
        merged = dict(sorted(merged.items(), key=lambda kv: rank.get(kv[0], len(ORDER))))
    return merged


def _published_category(sub: dict[str, Any], spec: dict[str, Any], events: list[dict[str, Any]]) -> str | None:
    """The committee's category (``inbox reply --category``) or a public choice answer,
    never a private or free-text one (rows stored before that rule may hold one)."""
    chosen = [e["detail"] for e in events if e["kind"] == "category" and e["detail"]]
    if chosen:
        return str(chosen[-1])
    return public_category(spec, sub["category"])


def _keys(store: Store, subs: list[dict[str, Any]], community_id: str) -> tuple[dict[str, str], dict[str, str]]:
    """receipt → derived key (hex) for ``subs``, and the ones newly derived (to cache).

    PBKDF2 is slow on purpose (~50 ms a receipt): each is computed once and kept
    with its submission; the first time, on every core (hashlib releases the GIL)."""
    prefix = f"{community_id}:"
    keys = {s["receipt"]: s["key_cache"][len(prefix):] for s in subs
            if (s.get("key_cache") or "").startswith(prefix)}
    missing = [s["receipt"] for s in subs if s["receipt"] not in keys]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        fresh = dict(zip(missing, pool.map(lambda r: derive(r, community_id), missing)))
    keys.update(fresh)
    return keys, {r: prefix + k for r, k in fresh.items()}


def publish(store: Store, project: Path, dry_run: bool = False) -> PublishResult:
    """Merge the inbox into ``data/requests/<year>.yaml``; see ``_publish``.

    Two publishes into one project at once (two members, two inboxes) take turns:
    each reads the files only after the other has written them. The lock is on
    the ``data`` folder itself, so no lock file lands in the repository."""
    data = project / "data"
    if not data.is_dir():
        raise InboxError(both("cli.publish.no-data", data=data))
    fd = os.open(data, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if dry_run else fcntl.LOCK_EX)
        return _publish(store, project, dry_run)
    finally:
        os.close(fd)  # releases the lock


def _publish(store: Store, project: Path, dry_run: bool) -> PublishResult:
    """Merge the inbox into ``data/requests/<year>.yaml``.

    Published records stay: those this inbox knows (by receipt key) get its status,
    dates, reply and rating; the others are kept as they are. A new record takes the
    number after the highest ever issued in its year (in the ledger ``issued.csv``,
    the files or this inbox), and keeps it, in the ledger and the store, for good.
    A request whose number the ledger or a file gives to another request is left
    out and reported (``conflicts``), never renumbered. The store must serve the
    project's community (``ForeignStore`` otherwise, before anything is read).
    Satisfaction answers are counted once.
    ``dry_run``: compute and diff, write nothing (neither files nor the store)."""
    docs, _ = load_yaml_kinds(project, registry.KINDS)
    community = next((d.model for d in docs["community"] if d.model is not None), None)
    if community is None:
        raise InboxError(both("cli.publish.community-invalid"))
    try:  # before anything is read from the store: another community's requests never enter
        adopting = store.check_community(community.id)
    except ForeignStore as exc:
        raise InboxError(both("cli.publish.foreign-store", store_community=exc.store_community,
                              community=exc.community, db=store.url)) from None
    ledger = ledgers.read(project)
    if ledger.bad:
        bad = ledger.bad[0]
        raise InboxError(both("cli.publish.ledger-unreadable", path=ledger.path.relative_to(project), line=bad.line))
    forms = {d.model.id: d.model for d in docs["form"] if d.model is not None}
    specs = {form_id: compile_form(form) for form_id, form in forms.items()}
    folder = project / "data" / "requests"
    files: dict[int, YearFile] = {}
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        if path.stem.isdigit():
            files[int(path.stem)] = _read_year(path, int(path.stem))

    def year_file(year: int) -> YearFile:
        if year not in files:
            files[year] = YearFile(year, folder / f"{year}.yaml")
        return files[year]

    # Every published record, by each form of its key, and the highest number per year.
    by_key: dict[str, tuple[YearFile, int]] = {}
    taken: set[str] = set()
    highest: Counter[int] = Counter()
    stored_ids = store.public_ids()
    for yf in files.values():
        for i, record in enumerate(yf.records):
            if isinstance(record.get("receipt_key"), str):
                by_key.setdefault(record["receipt_key"], (yf, i))
            taken.add(str(record.get("id")))
    for taken_id in [*taken, *stored_ids.values()]:
        m = PUBLIC_ID.match(taken_id)
        if m:
            highest[int(m.group(1))] = max(highest[int(m.group(1))], int(m.group(2)))
    for year, top in ledger.highest().items():  # a number ever issued, even if its record is gone
        highest[year] = max(highest[year], top)
    # The ledger keeps every number published: the file's own records first (a project
    # published before the ledger existed starts it from them), then the new ones.
    issue: dict[str, ledgers.Entry] = {}  # number → new line, in the order issued

    def record_issued(public_id: str, key: str, day: dt.date) -> None:
        if ledger.owner(public_id) is None and public_id not in issue:
            issue[public_id] = ledgers.Entry(public_id, key, day)

    key_of_id: dict[str, str] = {}  # the receipt key of the published record with this number
    for yf in files.values():
        for record in yf.records:
            rid, rkey, rday = record.get("id"), record.get("receipt_key"), record.get("received")
            key_of_id.setdefault(str(rid), rkey if isinstance(rkey, str) else "")
            if isinstance(rid, str) and PUBLIC_ID.match(rid) and isinstance(rkey, str) \
                    and ledgers.KEY.match(rkey) and isinstance(rday, dt.date):
                record_issued(rid, rkey, rday)

    result = PublishResult()
    subs = sorted(store.list(), key=lambda s: (s["received_at"], s["receipt"]))
    published_subs = [s for s in subs if s["form_id"] in forms and forms[s["form_id"]].kind in PUBLISHED_KINDS]
    keys, new_cache = _keys(store, published_subs, community.id)
    new_ids: dict[str, str] = {}
    known: set[tuple[int, int]] = set()
    for sub in published_subs:
        form = forms[sub["form_id"]]
        events = store.events(sub["receipt"])
        received = dt.datetime.fromisoformat(sub["received_at"]).date()
        first_reply = next((e["at"][:10] for e in events if e["kind"].startswith("status:") and e["detail"]), None)
        # the last closing: a request reopened and closed again was closed on the later date
        closed = next((e["at"][:10] for e in reversed(events) if e["kind"] in ("status:closed", "status:rejected")),
                      None)
        fresh = {
            "category": _published_category(sub, specs[form.id], events),
            "first_reply": dt.date.fromisoformat(first_reply) if first_reply else None,
            "closed": dt.date.fromisoformat(closed) if closed else None,
            "status": sub["status"],
            "reply": sub["reply"],
            "rating": sub["rating"],
        }
        current, old_hex = forms_of_key(keys[sub["receipt"]])
        match = by_key.get(current) or by_key.get(old_hex)
        if match is not None:
            yf, i = match
            known.add((yf.year, i))
            old = yf.records[i]
            if stored_ids.get(sub["receipt"]) != old.get("id"):
                new_ids[sub["receipt"]] = str(old.get("id"))  # the file is what the public saw
            acted = any(e["kind"].startswith("status:") for e in events)
            merged = _merge(old, fresh, acted)
            changed = [k for k in INBOX_FIELDS if _norm(merged.get(k)) != _norm(old.get(k))]
            if changed:
                yf.records[i] = merged
                yf.changed.add(i)
                result.updated.append((str(old.get("id")), changed))
            continue
        # Not in the files: the number the ledger gave it (its record was deleted or
        # lost), else the one this database gave it, else the next never issued.
        entry = ledger.of_key(current) or ledger.of_key(old_hex)
        public_id = entry.id if entry is not None else stored_ids.get(sub["receipt"])
        if public_id is None:
            year = received.year
            highest[year] += 1
            public_id = f"R{year}-{highest[year]:04d}"
        else:
            owner = ledger.owner(public_id) or issue.get(public_id)
            holders = {owner.receipt_key if owner is not None else None, key_of_id.get(public_id)}
            others = sorted(k for k in holders - {None, current, old_hex} if k is not None)
            if others:
                other = others[0]
                # Its number was given to another request (another database, a merge of
                # two checkouts): report it, never renumber a published request.
                result.conflicts.append((public_id, sub["receipt"], other))
                continue
        if stored_ids.get(sub["receipt"]) != public_id:
            new_ids[sub["receipt"]] = public_id
        record_issued(public_id, current, dt.date.today())
        taken.add(public_id)
        record = {"id": public_id, "receipt_key": current, "form": form.id, "category": fresh["category"],
                  "received": received, **{k: fresh[k] for k in INBOX_FIELDS if k != "category"}}
        yf = year_file(received.year)
        rank = {k: i for i, k in enumerate(ORDER)}
        yf.added.append({k: v for k, v in sorted(record.items(), key=lambda kv: rank[kv[0]]) if v is not None})
        result.added.append(public_id)
    for yf in files.values():
        result.kept += [str(r.get("id")) for i, r in enumerate(yf.records) if (yf.year, i) not in known]
    result.issued = list(issue)
    result.adopted, result.adopted_by = adopting, community.id

    counted = _count_answers(subs, forms, year_file)
    result.answers = len(counted)
    old_texts: dict[Path, str] = {}
    new_texts: dict[Path, str] = {}
    for _year, yf in sorted(files.items()):
        text = yf.render()
        if text != yf.text:
            old_texts[yf.path], new_texts[yf.path] = yf.text, text
    if issue:
        old_texts[ledger.path], new_texts[ledger.path] = ledger.text, ledger.render(list(issue.values()))
    result.diff = "".join(
        "".join(difflib.unified_diff(old_texts[p].splitlines(keepends=True), new_texts[p].splitlines(keepends=True),
                                     f"a/{p.relative_to(project)}", f"b/{p.relative_to(project)}"))
        for p in new_texts)
    if dry_run:
        return result
    store.bind(community.id)
    folder.mkdir(parents=True, exist_ok=True)
    # The ledger first: a number is recorded as issued before any file shows it.
    for path, text in sorted(new_texts.items(), key=lambda item: item[0] != ledger.path):
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)  # a reader never sees half a file
        result.written.append(path)
    store.record_publish(new_ids, new_cache, counted)
    return result


def _count_answers(subs: list[dict[str, Any]], forms: dict[str, Any], year_file: Any) -> list[str]:
    """Add the satisfaction answers not counted before to the published counts
    (which therefore never go down); returns their receipts."""
    counted = []
    for sub in subs:
        form = forms.get(sub["form_id"])
        if form is None or form.kind != "satisfaction" or sub["published_at"] is not None:
            continue
        public = json.loads(sub["public_json"])
        yf = year_file(dt.datetime.fromisoformat(sub["received_at"]).year)
        for f in form.fields:
            value = public.get(f.name)
            if f.type != "rating" or not isinstance(value, int):
                continue
            entry = next((e for e in yf.satisfaction if e.get("form") == form.id and e.get("field") == f.name), None)
            if entry is None:
                label = f.label if isinstance(f.label, str) else dict(f.label)
                entry = {"form": form.id, "field": f.name, "label": label, "counts": {}}
                yf.satisfaction.append(entry)
                yf.satisfaction.sort(key=lambda e: (str(e.get("form")), str(e.get("field"))))
            counts = entry["counts"]
            counts[value] = counts.get(value, 0) + 1
            entry["counts"] = {k: counts[k] for k in sorted(counts)}
            yf.satisfaction_changed = True
        counted.append(sub["receipt"])
    return counted
