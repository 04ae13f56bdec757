"""Loading the three money kinds until they join the kind registry (issue #12).

TEMPORARY: once ``generator/kinds/registry.py`` exists, approval, contract and
matter become registry entries and this module goes away.
"""

from __future__ import annotations

from pathlib import Path

from generator.kinds import YamlKind
from generator.kinds.approval.model import Approval
from generator.kinds.contract.model import Contract
from generator.kinds.matter.model import Matter
from generator.problems import Problem

MONEY_KINDS: tuple[YamlKind, ...] = (
    YamlKind("approval", Approval, "approvals", None, "审批", "Approvals"),
    YamlKind("contract", Contract, "contracts", None, "合同", "Contracts"),
    YamlKind("matter", Matter, "matters", None, "事项", "Matters"),
)


def load(root: Path) -> tuple[dict[str, list], list[Problem]]:
    from generator.load import load_doc

    docs: dict[str, list] = {k.name: [] for k in MONEY_KINDS}
    problems: list[Problem] = []
    for kind in MONEY_KINDS:
        folder = root / "data" / str(kind.folder)
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()):
            doc, found = load_doc(root, kind, path)
            problems.extend(found)
            if doc is not None:
                docs[kind.name].append(doc)
    return docs, problems
