"""``portal-endpoint``: the committee's commands on the endpoint's server, where the
site builder (and ``portal``) may not be installed. Settings as for the endpoint
(``PORTAL_DB``, ``PORTAL_SITE``, ``PORTAL_SECRET``; ``endpoint/settings.py``).

    portal-endpoint ballots issue 2027-minsheng --households 420 --sheet slips.html
    portal-endpoint ballots status 2027-minsheng
    portal-endpoint ballots revoke 2027-minsheng K7QM-4XRA-3PCW
    portal-endpoint ballots export 2027-minsheng --out data/rounds/2027-minsheng.ballots.csv

Exit status: 0 done, 1 refused (no secret, unknown round, another community's
database), 2 usage. Files are written whole or not at all (a temporary file renamed).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

from endpoint import ballot_codes, ballot_store
from endpoint.ballot_sheet import render_sheet
from endpoint.settings import Settings
from endpoint.store import ForeignStore, Store
from portal_core import i18n
from portal_core.languages import pick


class Refused(Exception):
    """A sentence (zh · en) for the committee; exit status 1."""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except Refused as exc:
        print(f"portal-endpoint: {exc}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portal-endpoint", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    groups = parser.add_subparsers(required=True, metavar="ballots")
    ballots = groups.add_parser("ballots", help="ballot codes and online ballots of participatory-budgeting rounds")
    commands = ballots.add_subparsers(required=True, metavar="issue|status|revoke|export")

    def command(name: str, run: Any, help: str) -> argparse.ArgumentParser:
        p = commands.add_parser(name, help=help, description=help)
        p.add_argument("round", help="the round's id (as in data/rounds/)")
        p.add_argument("--db", help="sqlite:///path or postgresql://… (default: PORTAL_DB)")
        p.add_argument("--site", help="the built site, for forms/spec.json (default: PORTAL_SITE)")
        p.add_argument("--secret-file", type=Path, help="read the secret from this file (default: PORTAL_SECRET)")
        p.set_defaults(run=run)
        return p

    p = command("issue", _issue, "make N new codes for the round (more later adds codes); Example: "
                                 "portal-endpoint ballots issue 2027-minsheng --households 420 --sheet slips.html")
    p.add_argument("--households", type=int, required=True, help="how many codes (one per household)")
    p.add_argument("--out", type=Path, help="CSV of the codes (round,code); without --out and --sheet: stdout")
    p.add_argument("--sheet", type=Path, help="printable A4 HTML, one slip per code")
    p.add_argument("--title", help="the round's title on the slips (default: from the spec)")
    p.add_argument("--url", help="the ballot page's address printed on the slips")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the slips")
    command("status", _status, "codes issued, spent and revoked, ballots received; "
                               "Example: portal-endpoint ballots status 2027-minsheng")
    p = command("revoke", _revoke, "revoke unspent codes (a slip lost or given twice); "
                                   "Example: portal-endpoint ballots revoke 2027-minsheng K7QM-4XRA-3PCW")
    p.add_argument("codes", nargs="+", help="the codes to revoke")
    p = command("export", _export, "the ballots as CSV (ballot,project,value), for data/rounds/<id>.ballots.csv; "
                                   "Example: portal-endpoint ballots export 2027-minsheng --out 2027-minsheng.ballots.csv")
    p.add_argument("--out", type=Path, help="write here instead of stdout")
    p.add_argument("--receipts", type=Path, help="also write the sorted list of receipts (to publish with the count)")
    return parser


# -- context -------------------------------------------------------------------------------

def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env(db=args.db, site=args.site)
    if args.secret_file is not None:
        settings.secret = args.secret_file.read_text(encoding="utf-8").strip()
    return settings


def _round(settings: Settings, round_id: str, required: bool) -> dict[str, Any]:
    """The round's entry in the built site's spec (empty if there is no spec and not ``required``)."""
    path = Path(settings.site) / "forms" / "spec.json"
    spec = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    entry = (spec.get("ballots") or {}).get(round_id)
    if entry is None and (required or path.exists()):
        raise Refused(i18n.both("endpoint.ballot.cli.unknown-round", round=round_id))
    return {**(entry or {}), "community": spec.get("community")}


def _store(settings: Settings, community: Any) -> Store:
    store = Store(settings.db)
    if isinstance(community, str) and community:
        try:
            store.check_community(community)
        except ForeignStore as exc:
            store.close()
            raise Refused(i18n.both("endpoint.foreign-store", store_community=exc.store_community,
                                    community=exc.community)) from None
    return store


def _secret(settings: Settings) -> bytes:
    if not settings.secret:
        raise Refused(i18n.both("endpoint.ballot.cli.no-secret"))
    return settings.secret.encode()


def _write(path: Path, text: str, private: bool = False) -> None:
    """Whole or not at all: a temporary file beside it, renamed."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8", newline="")
    if private:
        tmp.chmod(0o600)
    tmp.replace(path)


# -- commands ------------------------------------------------------------------------------

def _issue(args: argparse.Namespace) -> int:
    settings = _settings(args)
    secret = _secret(settings)
    entry = _round(settings, args.round, required=args.title is None)
    if args.households < 1:
        raise SystemExit("portal-endpoint: --households must be at least 1")
    codes: list[str] = []
    seen: set[str] = set()
    while len(codes) < args.households:
        code = ballot_codes.new_code()
        if code not in seen:
            seen.add(code)
            codes.append(code)
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(["round", "code"])
    writer.writerows([args.round, c] for c in codes)
    title = args.title or pick(entry.get("title"), args.lang) or args.round
    sheet = render_sheet(codes, title=title, lang=args.lang, url=args.url or "", opens=entry.get("opens"),
                         closes=entry.get("closes"))
    store = _store(settings, entry.get("community"))
    try:
        ballot_store.issue(store, secret, args.round, codes)
    finally:
        store.close()
    # Stored first: a code printed but not stored would be refused at the vote.
    if args.out:
        _write(args.out, table.getvalue(), private=True)
    if args.sheet:
        _write(args.sheet, sheet, private=True)
    if not args.out and not args.sheet:
        sys.stdout.write(table.getvalue())
    print(i18n.both("endpoint.ballot.cli.issued", n=len(codes), round=args.round), file=sys.stderr)
    return 0


def _status(args: argparse.Namespace) -> int:
    settings = _settings(args)
    entry = _round(settings, args.round, required=False)
    store = _store(settings, entry.get("community"))
    try:
        counts = ballot_store.status(store, args.round)
    finally:
        store.close()
    print(i18n.both("endpoint.ballot.cli.status", round=args.round, **counts))
    return 0


def _revoke(args: argparse.Namespace) -> int:
    settings = _settings(args)
    secret = _secret(settings)
    entry = _round(settings, args.round, required=False)
    codes = []
    for text in args.codes:
        code = ballot_codes.normalize(text)
        if code is None:
            raise Refused(i18n.both("endpoint.ballot.cli.bad-code", code=text))
        codes.append(code)
    store = _store(settings, entry.get("community"))
    try:
        done = ballot_store.revoke(store, secret, args.round, codes)
    finally:
        store.close()
    for code in codes:
        if code not in done:
            print(i18n.both("endpoint.ballot.cli.not-revoked", code=code), file=sys.stderr)
    print(i18n.both("endpoint.ballot.cli.revoked", n=len(done)))
    return 0 if len(done) == len(codes) else 1


def _export(args: argparse.Namespace) -> int:
    import datetime as dt

    from portal_core.china_time import TZ

    settings = _settings(args)
    entry = _round(settings, args.round, required=False)
    closes = entry.get("closes")
    if closes and dt.datetime.now(TZ).date().isoformat() <= closes:
        print(i18n.both("endpoint.ballot.cli.still-open", round=args.round, closes=closes), file=sys.stderr)
    store = _store(settings, entry.get("community"))
    try:
        rows = ballot_store.ballot_rows(store, args.round)
        receipts = ballot_store.receipts(store, args.round) if args.receipts else []
    finally:
        store.close()
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(["ballot", "project", "value"])
    writer.writerows(rows)
    if args.out:
        _write(args.out, table.getvalue())
    else:
        sys.stdout.write(table.getvalue())
    if args.receipts:
        _write(args.receipts, "receipt\n" + "".join(f"{r}\n" for r in receipts))
    print(i18n.both("endpoint.ballot.cli.exported", n=len({r[0] for r in rows})), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
