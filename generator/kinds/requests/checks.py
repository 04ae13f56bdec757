"""Published numbers against the ledger of issued numbers (``issued.csv``, see ``ledger``):
a number is given once, to one request, and stays in the ledger when its record goes."""

from __future__ import annotations

from collections.abc import Iterator

from generator.index import Index
from generator.load import Project, rel
from generator.loading import ledger as ledgers
from generator.loading.fsguard import refusal
from generator.problems import Problem


def check(project: Project, index: Index) -> Iterator[Problem]:
    docs = [d for d in project.docs.get("requests", []) if d.model is not None]
    published = [(d, i, r) for d in docs for i, r in enumerate(d.model.requests)]
    path = ledgers.path_of(project.root)
    file = rel(project.root, path)
    if not path.exists() and not path.is_symlink():
        if published:
            doc, i, _ = published[0]
            yield doc.problem("request.ledger-missing", "requests", i, "id", severity="warning", ledger=file)
        return
    refused = refusal(project.root, path)
    if refused is not None:
        yield refused
        return
    ledger = ledgers.read(project.root)
    for bad in ledger.bad:
        yield Problem(f"request.ledger-{bad.reason}", file, bad.line, None, {"value": bad.value[:40]})
    for first, later in ledger.duplicates():
        yield Problem("request.ledger-duplicate", file, later.line, None,
                      {"id": later.id, "first": first.line, "key": first.receipt_key})
    if ledger.bad and ledger.bad[0].reason == "header":
        return  # nothing was read: every record would look unrecorded
    for doc, i, r in published:
        owner = ledger.owner(r.id)
        if owner is None:
            yield doc.problem("request.not-issued", "requests", i, "id", severity="warning", id=r.id, ledger=file)
        elif owner.receipt_key != r.receipt_key:
            yield doc.problem("request.issued-to-other", "requests", i, "id", id=r.id, ledger=file,
                              line=owner.line, key=owner.receipt_key)
