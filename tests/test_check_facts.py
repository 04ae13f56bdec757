"""What the check cache keeps per document (``Kind.checks``' ``DocCheck``s, the facts the
cross-checks join): after an edit a warm check reports exactly what a cold one does,
problem for problem and in order, also when what a document's findings depend on
besides the document changed (community.yaml, a rule, today), and an altered entry
is never trusted."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from generator import registry
from generator.kinds.base import DocCheck
from generator.kinds.common import Today
from generator.pipeline import check
from generator.problems import Report
from tests.site_fixtures import copy_demo

pytestmark = pytest.mark.usefixtures("check_cache_on")


def everything(report: Report) -> list[tuple[object, ...]]:
    """The report as printed: every problem in its order, with its place and words."""
    return [(p.file, p.line, p.col, p.code, p.severity, sorted(p.params.items(), key=str))
            for p in report.problems] + [("files", report.files_checked)]


def same_as_cold(root: Path) -> Report:
    warm = check(root, jobs=1)
    assert everything(warm) == everything(check(root, jobs=1, cache=False))
    return warm


def warm_counted(root: Path, counted: list[str]) -> tuple[Report, list[str]]:
    """A warm check (compared with a cold one) and what it checked again."""
    counted.clear()
    warm = check(root, jobs=1)
    seen = list(counted)
    assert everything(warm) == everything(check(root, jobs=1, cache=False))
    return warm, seen


def codes_in(report: Report, file: str) -> set[str]:
    return {p.code for p in report.problems if p.file == file}


MEETING = "data/meetings/2024-03-10-jwh.yaml"


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files each ``DocCheck`` actually checked (not taken from the cache), as ``name:file``."""
    seen: list[str] = []

    def counting(c: DocCheck) -> DocCheck:
        def run(doc: Any, project: Any, index: Any) -> Any:
            seen.append(f"{c.name}:{doc.file}")
            return c.check(doc, project, index)
        return dataclasses.replace(c, check=run)

    kinds = tuple(dataclasses.replace(k, checks=tuple(counting(c) if isinstance(c, DocCheck) else c for c in k.checks))
                  for k in registry.KINDS)
    monkeypatch.setattr(registry, "KINDS", kinds)
    return seen


def test_a_meetings_findings_follow_its_body_rule_in_community_yaml(minimal, counted):
    """votes: the meeting is unchanged, its body's rule is not: checked again."""
    assert same_as_cold(minimal.root).ok
    minimal.replace("data/community.yaml", "decision_rule: {quorum: 0.5, threshold: 0.5,",
                    "decision_rule: {quorum: 0.5, threshold: 0.9,")
    warm, seen = warm_counted(minimal.root, counted)
    assert "votes.outcome-mismatch" in codes_in(warm, MEETING)
    assert f"meeting.votes:{MEETING}" in seen


def test_a_meetings_findings_follow_the_rule_it_adopts(minimal):
    """The decision adopting a rule version must be the one the version names (rules/)."""
    same_as_cold(minimal.root)
    minimal.replace("data/rules/covenant.yaml", "decision: D2024-01}", "decision: D2024-02}")
    warm = same_as_cold(minimal.root)
    assert "ref.adoption-mismatch" in codes_in(warm, MEETING)
    minimal.replace("data/rules/covenant.yaml", "decision: D2024-02}", "decision: D2024-01}")
    assert same_as_cold(minimal.root).ok


def test_a_meetings_findings_follow_today(minimal, monkeypatch):
    monkeypatch.setattr(Today, "value", dt.date(2025, 1, 1))
    same_as_cold(minimal.root)
    monkeypatch.setattr(Today, "value", dt.date(2024, 3, 1))  # the held meeting is in the future now
    assert "date.held-in-future" in codes_in(same_as_cold(minimal.root), MEETING)


def test_an_edit_elsewhere_checks_no_meeting_again(minimal, counted):
    same_as_cold(minimal.root)
    minimal.replace("data/notices/2024-001.yaml", "id:", "id:  ", 1)
    _, seen = warm_counted(minimal.root, counted)
    assert not [c for c in seen if c.endswith(MEETING)]
    # the edited meeting, and only it, is checked again; its problems are placed in its new text
    minimal.replace(MEETING, "votes: {for: 5, against: 1, abstain: 0}", "votes: {for: 1, against: 5, abstain: 0}")
    minimal.replace(MEETING, "agenda:\n", "# a comment\nagenda:\n")
    warm, seen = warm_counted(minimal.root, counted)
    assert "votes.outcome-mismatch" in codes_in(warm, MEETING)
    assert sorted(seen) == sorted(f"{c.name}:{MEETING}" for k in registry.KINDS for c in k.checks
                                     if isinstance(c, DocCheck) and c.kind == "meeting")


def test_an_altered_entry_is_ignored(minimal):
    """A per-document entry whose bytes were changed (signed by nobody) is never read."""
    same_as_cold(minimal.root)
    [folder] = (minimal.root / ".portal-build" / "cache").glob("check-*")
    entries = sorted(folder.glob("each-*.pickle"))
    assert entries
    for entry in entries:
        blob = bytearray(entry.read_bytes())
        blob[-3] ^= 0xFF
        entry.write_bytes(bytes(blob))
    minimal.replace(MEETING, "votes: {for: 5, against: 1, abstain: 0}", "votes: {for: 1, against: 5, abstain: 0}")
    assert not same_as_cold(minimal.root).ok


def test_decisions_seen_from_budget_lines_and_contracts_follow_their_meeting(minimal):
    """Budget lines and contracts read a decision's outcome from its meeting's facts."""
    same_as_cold(minimal.root)
    minimal.replace(MEETING, "      votes: {for: 4, against: 1, abstain: 1}\n      outcome: adopted",
                    "      votes: {for: 4, against: 1, abstain: 1}\n      outcome: rejected")
    warm = same_as_cold(minimal.root)
    assert "budget.decision-not-adopted" in codes_in(warm, "data/budgets/2024.csv")
    assert "contract.unauthorized" in codes_in(warm, "data/contracts/C2024-01.yaml")


@pytest.mark.parametrize(("meeting", "old", "new"), [
    # read out before the approvals were made: approval.read-before
    ("2026-06-13-joint.yaml", "date: 2026-06-13", "date: 2025-01-13"),
    # another type: the routes of the decisions taken there (budget lines, contracts)
    ("2024-09-10-council.yaml", "type: deliberation", "type: committee"),
    ("2023-09-12-council.yaml", "status: held", "status: planned"),
    ("2024-09-10-council.yaml", "outcome: adopted", "outcome: deferred"),
])
def test_an_edited_meeting_on_the_demo_warm_equals_cold(tmp_path, meeting, old, new):
    root = copy_demo(tmp_path / "demo")
    same_as_cold(root)
    path = root / "data/meetings" / meeting
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text("# edited\n" + text.replace(old, new, 1), encoding="utf-8")
    same_as_cold(root)
    path.write_text(text, encoding="utf-8")  # and back
    same_as_cold(root)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The documents whose own cache entry a check read (a stub's model or text was needed)."""
    from generator import load

    seen: list[str] = []
    real = load._from_entry

    def counting(root: Path, kind: Any, path: Path, cache: Any, name: str) -> Any:
        seen.append(path.name)
        return real(root, kind, path, cache, name)

    monkeypatch.setattr(load, "_from_entry", counting)
    return seen


def test_after_an_edit_no_other_meeting_is_read(tmp_path, opened):
    """A warm check after one meeting was edited unpickles no other meeting's model: the
    index and the cross-checks read their facts and remembered findings."""
    root = copy_demo(tmp_path / "demo")
    same_as_cold(root)
    path = root / "data/meetings/2024-09-10-council.yaml"
    path.write_text("# edited\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    opened.clear()
    warm = check(root, jobs=1)
    # only the meetings that adopted a rule version (the rules' date check reads their day)
    adopting = {f"{m}.yaml" for rule in (root / "data/rules").glob("*.yaml")
                for m in re.findall(r"adopted_by: \{meeting: ([\w-]+)", rule.read_text(encoding="utf-8"))}
    meetings = {p.name for p in (root / "data/meetings").glob("*.yaml")}
    read = {name for name in opened if name in meetings}
    assert read <= adopting and len(meetings) > 2 * len(adopting)
    assert everything(warm) == everything(check(root, jobs=1, cache=False))


def test_a_bad_entry_of_a_listed_document_is_read_from_its_file(minimal):
    """The listing names a document whose own entry was altered since: its file is read
    (the same bytes), the entry written again, and the report is a cold check's."""
    same_as_cold(minimal.root)
    [folder] = (minimal.root / ".portal-build" / "cache").glob("check-*")
    for entry in folder.glob("doc-*.pickle"):
        entry.write_bytes(entry.read_bytes()[:-5])
    minimal.replace(MEETING, "votes: {for: 5, against: 1, abstain: 0}", "votes: {for: 1, against: 5, abstain: 0}")
    assert not same_as_cold(minimal.root).ok


def test_a_listed_document_whose_file_changed_meanwhile_is_checked_without_the_cache(minimal, monkeypatch):
    """Its entry went bad and its file holds other bytes than the stub was named after:
    the check starts again uncached rather than mix two versions of the file."""
    from generator import load

    same_as_cold(minimal.root)
    minimal.replace("data/notices/2024-001.yaml", "id:", "id:  ", 1)  # the report must be made again
    real = load._from_entry

    def changed(root: Path, kind: Any, path: Path, cache: Any, name: str) -> Any:
        cache.unsettled = True
        raise load.StaleEntry(path.name)

    monkeypatch.setattr(load, "_from_entry", changed)
    warm = check(minimal.root, jobs=1)
    monkeypatch.setattr(load, "_from_entry", real)
    assert everything(warm) == everything(check(minimal.root, jobs=1, cache=False))


def test_a_build_gets_the_same_documents_and_index_from_stubs(tmp_path):
    """``portal build`` reads models and decisions (pages, feeds, downloads): from a warm
    cache (stubs, facts) they are those of a cold load, field for field."""
    from generator.pipeline import load_and_check

    root = copy_demo(tmp_path / "demo")
    check(root, jobs=1)
    path = root / "data/meetings/2024-09-10-council.yaml"
    path.write_text("# edited\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    warm, cold = load_and_check(root, jobs=1), load_and_check(root, jobs=1, cache=False)
    assert everything(warm.report) == everything(cold.report)

    def seen(docs: dict[str, list[Any]]) -> dict[str, list[Any]]:
        return {kind: [(d.file, d.text, d.model.model_dump() if d.model is not None else None, d.at("id"))
                       for d in ds] for kind, ds in docs.items()}

    assert seen(warm.project.docs) == seen(cold.project.docs)
    assert warm.index.tables.keys() == cold.index.tables.keys()
    for target, records in cold.index.tables.items():
        assert list(warm.index.tables[target]) == list(records), target
    for ident, ref in cold.index.table("decision").items():
        other = warm.index.table("decision")[ident]
        assert (other.decision.model_dump(), other.meeting.id, other.item.id, other.doc.file, other.path) == \
            (ref.decision.model_dump(), ref.meeting.id, ref.item.id, ref.doc.file, ref.path)
        assert (other.outcome, other.when, other.meeting_type) == \
            (ref.decision.outcome, ref.decision.date or ref.meeting.date, ref.meeting.type)


def test_governance_findings_in_a_meeting_are_placed_in_its_text_now(minimal):
    """The governance checks' findings are kept by the meetings' facts, not their text: one
    in a meeting's file is placed again where the edited text has it."""
    same_as_cold(minimal.root)
    minimal.replace(MEETING, "action_items:\n", "  - id: a3\n    title: 讨论\n    raised_by: {kind: residents}\n"
                                              "    consultation: open\naction_items:\n")
    minimal.replace("data/matters/M2024-door.yaml", "meetings: [2024-03-10-jwh]", "meetings: []")
    first = [p for p in same_as_cold(minimal.root).problems if p.code == "consultation.not-concluded"]
    assert [p.file for p in first] == [MEETING]
    minimal.replace(MEETING, "agenda:\n", "# one\n# two\nagenda:\n")  # the same facts, two lines lower
    moved = [p for p in same_as_cold(minimal.root).problems if p.code == "consultation.not-concluded"]
    assert [(p.line or 0) - 2 for p in moved] == [p.line for p in first]


def test_budget_lines_are_not_read_after_an_edit_elsewhere(minimal, monkeypatch):
    """The tables' entry keeps the budget lines apart: a warm check whose budget and
    governance findings are remembered does not unpickle them."""
    from generator import load

    same_as_cold(minimal.root)
    minimal.replace(MEETING, "agenda:\n", "# a comment\nagenda:\n")
    read: list[int] = []
    real = load.Budgets.__getattr__

    def counting(self: Any, name: str) -> Any:
        if name == "lines":
            read.append(1)
        return real(self, name)

    monkeypatch.setattr(load.Budgets, "__getattr__", counting)
    warm = check(minimal.root, jobs=1)
    assert read == []
    monkeypatch.setattr(load.Budgets, "__getattr__", real)
    assert everything(warm) == everything(check(minimal.root, jobs=1, cache=False))


def test_table_findings_follow_the_tables(minimal):
    """The privacy and markup findings of a table are kept by the tables' key: an edit of a
    table reaches them, an edit elsewhere keeps them."""
    same_as_cold(minimal.root)
    minimal.replace("data/budgets/2024.csv", "办公用品,2000", "办公用品 13812345678 <script>x</script>,2000")
    edited = same_as_cold(minimal.root)
    assert {"privacy.mobile", "markdown.unsafe-html"} <= codes_in(edited, "data/budgets/2024.csv")
    minimal.replace(MEETING, "agenda:\n", "# a comment\nagenda:\n")
    assert everything(same_as_cold(minimal.root))[:-1] == everything(edited)[:-1]
    minimal.replace("data/budgets/2024.csv", "办公用品 13812345678 <script>x</script>,2000", "办公用品,2000")
    assert not codes_in(same_as_cold(minimal.root), "data/budgets/2024.csv")


def test_table_texts_are_not_read_after_an_edit_elsewhere(minimal, monkeypatch):
    """The tables' texts and rows' lines are kept apart too (``cache.Apart``): a warm check
    after a meeting's edit reads no table's part; after a table's edit, it reads them."""
    from generator.loading import cache

    same_as_cold(minimal.root)
    folder = next((minimal.root / ".portal-build" / "cache").glob("check-*"))
    assert list(folder.glob("tables.*.part")), "the tables' entry keeps its large parts beside it"
    read: list[str] = []
    real = cache.Apart._read

    def counting(self: Any) -> None:
        read.append(str(self._file))
        real(self)

    monkeypatch.setattr(cache.Apart, "_read", counting)
    minimal.replace(MEETING, "agenda:\n", "# a comment\nagenda:\n")
    warm = check(minimal.root, jobs=1)
    assert read == []
    assert everything(warm) == everything(check(minimal.root, jobs=1, cache=False))
    minimal.replace("data/budgets/2024.csv", "办公用品,2000", "办公用品 13812345678,2000")
    edited = check(minimal.root, jobs=1)
    assert everything(edited) == everything(check(minimal.root, jobs=1, cache=False))
    assert "privacy.mobile" in codes_in(edited, "data/budgets/2024.csv")


def test_a_lost_or_altered_part_makes_the_check_run_without_the_cache(minimal, monkeypatch):
    """A part gone or altered after the entry naming it was read (another run wrote the entry
    again, or a hand): the check runs again without the cache and reports the same; the
    altered bytes are never unpickled (their digest is not the one the signed entry names)."""
    from generator.loading import cache

    lost: list[str] = []
    real = cache.Apart._read

    def watched(self: Any) -> None:
        try:
            real(self)
        except cache.ApartLost:
            lost.append(str(self._file))
            raise

    monkeypatch.setattr(cache.Apart, "_read", watched)
    same_as_cold(minimal.root)
    folder = next((minimal.root / ".portal-build" / "cache").glob("check-*"))
    # a date's edit: the governance and budget joins read the budget lines again
    minimal.replace(MEETING, "date: 2024-03-10", "date: 2024-03-11")
    cold = everything(check(minimal.root, jobs=1, cache=False))
    minimal.replace(MEETING, "date: 2024-03-11", "date: 2024-03-10")
    same_as_cold(minimal.root)
    parts = sorted(folder.glob("tables.*.part"), key=lambda p: p.stat().st_size)
    parts[-1].write_bytes(b"\x80\x04not the lines")  # the largest: the budget lines
    minimal.replace(MEETING, "date: 2024-03-10", "date: 2024-03-11")
    assert everything(check(minimal.root, jobs=1)) == cold
    assert lost == [str(parts[-1])]
    assert not (folder / "tables.pickle").exists()  # not trusted again: the next run writes it anew
    minimal.replace(MEETING, "date: 2024-03-11", "date: 2024-03-12")
    assert everything(check(minimal.root, jobs=1)) == everything(check(minimal.root, jobs=1, cache=False))
    assert (folder / "tables.pickle").exists()
    for part in folder.glob("tables.*.part"):  # gone this time
        part.unlink()
    minimal.replace(MEETING, "date: 2024-03-12", "date: 2024-03-13")
    assert everything(check(minimal.root, jobs=1)) == everything(check(minimal.root, jobs=1, cache=False))
    assert len(lost) == 2


def test_an_apart_value_outside_the_cache_is_pickled_whole(tmp_path):
    """Pickled anywhere but in a cache entry (a worker's result, a render key) an ``Apart``
    carries its value; in an entry it is a file beside it, and the entry's earlier parts go
    but the newest (a run that read the entry just before may still need it)."""
    import pickle

    from generator.loading import cache

    again = pickle.loads(pickle.dumps(cache.Apart([1, 2, 3])))
    assert again.value == [1, 2, 3]
    store = cache.Cache(tmp_path, b"k" * 32, tmp_path)
    for n in range(4):
        store.put("entry", "key", {"big": cache.Apart(list(range(n, n + 1000)))})
    assert len(list(tmp_path.glob("entry.*.part"))) == 2  # this value's and the one before
    assert store.get("entry", "key")["big"].value == list(range(3, 1003))
    assert "entry.pickle" in {p.name for p in tmp_path.iterdir()} and store.names() == {"entry"}


def test_the_check_starts_without_the_site_libraries():
    """``portal check`` imports the kinds, not the site: jinja2, Markdown, mkdocs and click
    are imported only when something renders (a warm check renders nothing)."""
    import subprocess
    import sys

    code = ("import sys, generator.pipeline; "
            "print(' '.join(m for m in ('jinja2', 'markdown', 'mkdocs', 'click') if m in sys.modules))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           cwd=Path(__file__).resolve().parent.parent)
    assert found.stdout.split() == []
