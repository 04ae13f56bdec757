"""The check cache (generator/loading/cache.py): a warm check finds exactly what a
cold one finds, whatever changed in between, and never trusts an entry it did
not write for this code version."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from generator import load
from generator.loading import cache as cache_mod
from generator.pipeline import check
from generator.problems import Report
from tests.site_fixtures import copy_demo

REPO = Path(__file__).resolve().parent.parent


pytestmark = pytest.mark.usefixtures("check_cache_on")


def facts(report: Report) -> list[tuple[object, ...]]:
    """Everything a reader sees of a report, in a stable order."""
    return [(p.file, p.line, p.col, p.code, p.severity, sorted(p.params.items(), key=str))
            for p in report.sorted()] + [("files", report.files_checked)]


def same_as_cold(root: Path) -> Report:
    """Check warm (cache on) and cold (off); they must agree. Returns the warm report."""
    warm = check(root, jobs=1)
    cold = check(root, jobs=1, cache=False)
    assert facts(warm) == facts(cold)
    return warm


def folder(root: Path) -> Path:
    [found] = (root / ".portal-build" / "cache").glob("check-*")
    return found


def doc_entries(root: Path) -> set[str]:
    return {p.name for p in folder(root).glob("doc-*.pickle")}


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files actually parsed and validated (not taken from the cache)."""
    seen: list[str] = []
    real = load._load_text

    def counting(kind, path, file, raw):  # type: ignore[no-untyped-def]
        seen.append(file)
        return real(kind, path, file, raw)

    monkeypatch.setattr(load, "_load_text", counting)
    return seen


def test_unchanged_project_is_answered_from_the_cache(minimal, loads):
    first = same_as_cold(minimal.root)
    assert first.ok and first.files_checked > 5
    assert (folder(minimal.root) / "report.pickle").is_file()
    loads.clear()
    again = check(minimal.root, jobs=1)
    assert loads == []  # not even the documents: the whole report was stored
    assert facts(again) == facts(first)


def test_one_edit_reloads_one_file_and_reports_like_a_cold_check(minimal, loads):
    same_as_cold(minimal.root)
    loads.clear()
    # a decision needs a quorum: one edit, problems in this file and cross-checks elsewhere
    minimal.replace("data/meetings/2024-03-10-jwh.yaml", "votes: {for: 5, against: 1, abstain: 0}",
                    "votes: {for: 1, against: 5, abstain: 0}")
    warm = check(minimal.root, jobs=1)
    assert loads == ["data/meetings/2024-03-10-jwh.yaml"]
    assert not warm.ok
    assert facts(warm) == facts(check(minimal.root, jobs=1, cache=False))
    # and back: the first version's entry was replaced, the report is the clean one again
    minimal.replace("data/meetings/2024-03-10-jwh.yaml", "votes: {for: 1, against: 5, abstain: 0}",
                    "votes: {for: 5, against: 1, abstain: 0}")
    assert same_as_cold(minimal.root).ok


def test_a_broken_file_then_fixed(minimal):
    same_as_cold(minimal.root)
    minimal.replace("data/notices/2024-001.yaml", "id:", "id: [", 1)  # YAML syntax error
    assert any(p.code.startswith("yaml.") for p in same_as_cold(minimal.root).errors)
    minimal.replace("data/notices/2024-001.yaml", "id: [", "id:", 1)
    assert same_as_cold(minimal.root).ok


def test_deleted_file(minimal):
    same_as_cold(minimal.root)
    before = doc_entries(minimal.root)
    (minimal.root / "data/rules/covenant.yaml").unlink()  # a decision adopts it: now unknown
    report = same_as_cold(minimal.root)
    assert not report.ok
    # entries of files gone are pruned once something new is written
    minimal.replace("data/notices/2024-001.yaml", "id:", "id:  ", 1)
    same_as_cold(minimal.root)
    assert len(doc_entries(minimal.root)) == len(before) - 1


def test_new_file(minimal):
    same_as_cold(minimal.root)
    text = minimal.read("data/notices/2024-001.yaml")
    minimal.write("data/notices/2024-002.yaml", text)  # same id as 2024-001: id ≠ file name
    report = same_as_cold(minimal.root)
    assert "id.filename-mismatch" in {p.code for p in report.errors}
    minimal.write("data/notices/stray.txt", "notes")  # not a data file: a warning
    assert "file.unexpected" in {p.code for p in same_as_cold(minimal.root).warnings}


def test_renamed_file_is_not_taken_for_the_old_one(minimal):
    """The same bytes under another name are another entry (file names are in problems)."""
    same_as_cold(minimal.root)
    old = minimal.path("data/notices/2024-001.yaml")
    old.rename(old.with_name("2024-009.yaml"))
    report = same_as_cold(minimal.root)
    assert [p.file for p in report.errors if p.code == "id.filename-mismatch"] == ["data/notices/2024-009.yaml"]


def test_table_and_schema_changes_reach_frictionless(minimal):
    same_as_cold(minimal.root)
    assert (folder(minimal.root) / "frictionless.pickle").is_file()
    minimal.replace("data/budgets/2024.csv", "2024-001,2024,2024,community-fund,expenditure,办公经费,办公用品,2000,1800",
                    "2024-001,2024,2024,community-fund,expenditure,办公经费,办公用品,lots,1800")
    assert not same_as_cold(minimal.root).ok
    minimal.replace("data/budgets/2024.csv", ",lots,", ",2000,")
    assert same_as_cold(minimal.root).ok
    # the schema: only frictionless sees this constraint; the tables did not change
    minimal.replace("data/budgets/budget-lines.schema.yaml", "minimum: 2000, maximum: 2100",
                    "minimum: 2000, maximum: 2010")
    report = same_as_cold(minimal.root)
    assert not report.ok


def test_tables_read_again_when_their_files_change(minimal, tmp_path):
    """The tables step (our reading and records) is cached by the package folder too."""
    same_as_cold(minimal.root)
    table = minimal.path("data/budgets/2024.csv")
    text = table.read_bytes()
    table.write_bytes(text.decode().encode("gb18030"))  # saved from Excel in GBK
    assert "file.encoding" in {p.code for p in same_as_cold(minimal.root).errors}
    outside = tmp_path / "elsewhere.csv"
    outside.write_bytes(text)
    table.unlink()
    table.symlink_to(outside)  # the same bytes, through a link out of the project: refused
    assert not same_as_cold(minimal.root).ok
    table.unlink()
    table.write_bytes(text)
    assert same_as_cold(minimal.root).ok
    budgets = minimal.path("data/budgets")
    budgets.rename(tmp_path / "budgets")  # a community without budgets yet
    same_as_cold(minimal.root)
    (tmp_path / "budgets").rename(budgets)
    assert same_as_cold(minimal.root).ok


def test_a_moved_project_is_checked_where_it_is(minimal, tmp_path):
    same_as_cold(minimal.root)
    moved = tmp_path / "moved"
    minimal.root.rename(moved)
    minimal.root = moved
    minimal.replace("data/budgets/2024.csv", "办公用品,2000,1800", "办公用品,lots,1800")
    assert not same_as_cold(moved).ok


def test_content_and_settings_are_inputs(minimal):
    same_as_cold(minimal.root)
    minimal.write("content/zh/about.md", "# 关于\n\n联系 13812345678\n")  # a mobile number: refused
    assert "privacy.mobile" in {p.code for p in same_as_cold(minimal.root).errors}
    minimal.write("content/zh/about.md", "# 关于\n")
    assert same_as_cold(minimal.root).ok
    minimal.write("mkdocs.yml", "copyright: 联系 13812345678\n")
    assert "privacy.mobile" in {p.code for p in same_as_cold(minimal.root).errors}
    minimal.path("mkdocs.yml").unlink()
    assert same_as_cold(minimal.root).ok


def test_official_numbers_change_what_other_files_may_hold(minimal):
    """A mobile number is allowed anywhere once it is an official contact: the
    privacy findings of unchanged files depend on another file."""
    minimal.replace("data/services/meal.yaml", "phone: 0571-8888 0001", "phone: \"13912345678\"")
    minimal.write("content/zh/about.md", "# 关于\n\n助餐点电话 13912345678\n")
    assert same_as_cold(minimal.root).ok
    minimal.replace("data/services/meal.yaml", "phone: \"13912345678\"", "phone: 0571-8888 0001")
    report = same_as_cold(minimal.root)
    assert [p.file for p in report.errors if p.code == "privacy.mobile"] == ["content/zh/about.md"]
    # an escaped key is still the contact field
    minimal.replace("data/services/meal.yaml", "phone: 0571-8888 0001", '"\\x70hone": "13912345678"')
    assert same_as_cold(minimal.root).ok


def test_markup_and_languages_findings_follow_their_files(minimal):
    """Per-file findings kept by the markup and languages checks: in and out again."""
    same_as_cold(minimal.root)
    minimal.replace("data/notices/2024-001.yaml", "更换 3 号楼单元门禁。", '更换门禁 <img src=x onerror="alert(1)">')
    minimal.replace("data/notices/2024-001.yaml", "title: {zh: 门禁更换公示, en: Door access replacement}",
                    "title: {en: Door access replacement}")
    minimal.write("content/zh/page.md", "# 页\n\n<script>alert(1)</script>\n")
    report = same_as_cold(minimal.root)
    assert {"markdown.unsafe-html", "text.default-language-missing"} <= {p.code for p in report.problems}
    # the community's languages are the context of the languages findings: en first now
    minimal.replace("data/community.yaml", "languages: {default: zh, others: [en]}",
                    "languages: {default: en, others: [zh]}")
    assert "text.default-language-missing" not in {p.code for p in same_as_cold(minimal.root).problems}
    minimal.write("content/zh/page.md", "# 页\n")
    minimal.replace("data/notices/2024-001.yaml", '更换门禁 <img src=x onerror="alert(1)">', "更换 3 号楼单元门禁。")
    assert "markdown.unsafe-html" not in {p.code for p in same_as_cold(minimal.root).problems}


def test_today_is_an_input(minimal):
    """Some checks compare with today: a stored report is for its day only."""
    import datetime as dt

    from generator.kinds.common import Today

    same_as_cold(minimal.root)
    Today.value = dt.date(2099, 1, 1)
    same_as_cold(minimal.root)
    assert len(list(folder(minimal.root).glob("report.pickle"))) == 1


def test_code_version_change_starts_afresh(minimal, monkeypatch, loads):
    same_as_cold(minimal.root)
    old = folder(minimal.root)
    monkeypatch.setattr(cache_mod, "_code_version", "0" * 32)  # as after an upgrade
    loads.clear()
    report = same_as_cold(minimal.root)
    assert report.ok
    assert loads  # nothing of the old version was reused …
    assert not old.exists() and folder(minimal.root) != old  # … and its entries are gone


def test_corrupt_entries_are_ignored(minimal, loads):
    first = same_as_cold(minimal.root)
    for path in folder(minimal.root).glob("*.pickle"):
        blob = path.read_bytes()
        path.write_bytes(blob[: len(blob) // 2])  # truncated
    loads.clear()
    assert facts(check(minimal.root, jobs=1)) == facts(first)
    assert loads  # reloaded
    for path in folder(minimal.root).glob("*.pickle"):
        path.write_bytes(b"")  # emptied
    assert facts(check(minimal.root, jobs=1)) == facts(first)


def test_forged_entries_are_never_unpickled(minimal, tmp_path):
    """An entry planted in the project (a pull request can commit .portal-build/) is
    not signed with this machine's key: it is ignored, its pickle never run."""
    first = same_as_cold(minimal.root)
    marker = tmp_path / "pwned"
    evil = pickle.dumps((cache_mod.FORMAT, cache_mod.code_version(), "x",
                         _Boom(str(marker))))
    for path in folder(minimal.root).glob("*.pickle"):
        path.write_bytes(os.urandom(32) + evil)
    assert facts(check(minimal.root, jobs=1)) == facts(first)
    assert not marker.exists()
    # a stale but genuinely signed entry of another key is not taken for this one either
    cache = cache_mod.Cache.open(minimal.root)
    assert cache is not None
    cache.put("report", "another-project-state", Report())
    assert facts(check(minimal.root, jobs=1)) == facts(first)


class _Boom:
    """Unpickling this creates a file: proof that an entry was unpickled."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path.touch, (Path(self.path),))


def test_a_planted_link_disables_the_cache(minimal, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (minimal.root / ".portal-build").mkdir()
    (minimal.root / ".portal-build" / "cache").symlink_to(outside)
    assert same_as_cold(minimal.root).ok
    assert list(outside.iterdir()) == []  # nothing written through the link


def test_the_cli_check_uses_the_cache(minimal):
    """Through `portal check` itself, twice: same output, the second from the cache."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    runs = [subprocess.run([sys.executable, "-m", "generator", "check", str(minimal.root)],
                           capture_output=True, text=True, env=env, cwd=REPO) for _ in range(2)]
    assert runs[0].returncode == runs[1].returncode == 0
    assert runs[0].stdout == runs[1].stdout
    assert (folder(minimal.root) / "report.pickle").is_file()


def test_a_document_is_hashed_once_and_its_key_follows_its_text(minimal):
    """``Doc.text_key`` is the cache entry's name, made when the file was read: the
    per-file checks remember their findings by it, so it must change with the text."""
    from generator.load import entry_name, load_doc
    from generator.registry import KINDS

    [kind] = [k for k in KINDS if k.name == "meeting"]
    path = minimal.root / "data/meetings/2024-03-10-jwh.yaml"
    store = cache_mod.Cache.open(minimal.root)
    doc, _ = load_doc(minimal.root, kind, path, store)
    assert doc is not None
    assert doc.text_key == entry_name(kind, "data/meetings/2024-03-10-jwh.yaml", path.read_bytes())
    again, _ = load_doc(minimal.root, kind, path, store)  # from the cache: the key came with it
    assert again is not None and again.__dict__["key"] == doc.text_key
    uncached, _ = load_doc(minimal.root, kind, path, None)  # no cache: made on first asking, once
    assert uncached is not None and uncached.text_key == uncached.text_key != doc.text_key
    minimal.replace("data/meetings/2024-03-10-jwh.yaml", "votes: {for: 5, against: 1, abstain: 0}",
                    "votes: {for: 4, against: 1, abstain: 0}")
    edited, _ = load_doc(minimal.root, kind, path, store)
    assert edited is not None and edited.text_key not in (doc.text_key, "")


def everything(report: Report) -> list[tuple[object, ...]]:
    """The report as a reader gets it, in its own order (not sorted)."""
    return [(p.file, p.line, p.col, p.code, p.severity, sorted(p.params.items(), key=str))
            for p in report.problems] + [("files", report.files_checked)]


def test_warm_after_an_edit_equals_cold_on_the_demo_with_broken_references(tmp_path):
    """On the demo, an edited file whose change breaks references from other files
    (a decision renamed: a rule, a budget line and an action item point at it), then
    an edit of a referring file: warm after each edit reports exactly what a cold check
    does, problem for problem, in the same order."""
    root = copy_demo(tmp_path / "demo")
    assert everything(check(root, jobs=1)) == everything(check(root, jobs=1, cache=False))

    meeting = root / "data/meetings/2023-05-16-assembly.yaml"
    meeting.write_text(meeting.read_text(encoding="utf-8").replace("id: D2023-04", "id: D2023-40"), encoding="utf-8")
    warm = check(root, jobs=1)
    cold = check(root, jobs=1, cache=False)
    assert everything(warm) == everything(cold)
    broken = {p.file for p in warm.problems if "D2023-04" in str(p.params)}
    assert {"data/rules/residents-covenant.yaml", "data/budgets/2023.csv"} <= broken

    rule = root / "data/rules/management-covenant.yaml"
    rule.write_text(rule.read_text(encoding="utf-8").replace("decision: D2023-01", "decision: D2023-99"),
                    encoding="utf-8")
    warm = check(root, jobs=1)
    assert everything(warm) == everything(check(root, jobs=1, cache=False))
    assert any(p.file == "data/rules/management-covenant.yaml" and "D2023-99" in str(p.params)
               for p in warm.problems)


@pytest.fixture
def yaml_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The YAML documents whose bytes the loading read (``Path.read_bytes``), by name
    (not the budget package's descriptor and schemas: the tables step reads those)."""
    seen: list[str] = []
    real = Path.read_bytes

    def counting(path: Path) -> bytes:
        if path.suffix in (".yaml", ".yml") and path.parent.name != "budgets":
            seen.append(path.name)
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", counting)
    return seen


def test_documents_the_fingerprint_named_are_not_read_again(minimal, loads, yaml_reads, monkeypatch):
    """The fingerprint has the digest of every file (read, or known by its status): the
    loading names each document's entry by it, and reads only the files the cache lacks."""
    monkeypatch.setattr(cache_mod, "RACY_NS", 0)  # every file counts as old enough to trust
    same_as_cold(minimal.root)
    yaml_reads.clear()
    loads.clear()
    minimal.replace("data/meetings/2024-03-10-jwh.yaml", "votes: {for: 5, against: 1, abstain: 0}",
                    "votes: {for: 1, against: 5, abstain: 0}")
    warm = check(minimal.root, jobs=1)
    assert loads == ["data/meetings/2024-03-10-jwh.yaml"] and yaml_reads == ["2024-03-10-jwh.yaml"]
    assert facts(warm) == facts(check(minimal.root, jobs=1, cache=False))


def test_a_file_changed_after_the_fingerprint_is_kept_under_its_new_bytes(minimal):
    """A document named by a digest the cache lacks is read; its entry is named by the
    bytes read, never by the digest (the file may have changed since): an entry always
    holds the document of the bytes it is named after."""
    from generator.load import entry_name, entry_name_of, load_doc
    from generator.loading.cache import bytes_digest
    from generator.registry import KINDS

    [kind] = [k for k in KINDS if k.name == "meeting"]
    file = "data/meetings/2024-03-10-jwh.yaml"
    path = minimal.root / file
    store = cache_mod.Cache.open(minimal.root)
    assert store is not None
    old = entry_name_of(kind, file, bytes_digest(path.read_bytes()))
    minimal.replace(file, "votes: {for: 5, against: 1, abstain: 0}", "votes: {for: 4, against: 1, abstain: 0}")
    doc, _ = load_doc(minimal.root, kind, path, store, None, old)
    assert doc is not None and "for: 4" in doc.text
    assert doc.text_key == entry_name(kind, file, path.read_bytes()) != old
    assert store.has(doc.text_key) and not store.has(old)


def test_the_entries_listed_at_once_are_those_there(minimal):
    """``Cache.names``: what the loading asks instead of ``has`` for each document."""
    same_as_cold(minimal.root)
    store = cache_mod.Cache.open(minimal.root)
    assert store is not None
    names = store.names()
    assert names == {p.name.removesuffix(".pickle") for p in folder(minimal.root).glob("*.pickle")}
    assert {n for n in names if n.startswith("doc-")} == {n.removesuffix(".pickle") for n in doc_entries(minimal.root)}
    assert all(store.has(n) for n in names) and "report" in names


def _counted(monkeypatch, module, name):  # type: ignore[no-untyped-def]
    """Count the calls of ``module.name`` (still calling it)."""
    calls: list[int] = []
    real = getattr(module, name)

    def counting(*args):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(module, name, counting)
    return calls


def _edit_a_vote(minimal) -> None:  # type: ignore[no-untyped-def]
    """An edit that touches neither the tables nor community.yaml, then a warm check."""
    minimal.replace("data/meetings/2024-03-10-jwh.yaml", "votes: {for: 5, against: 1, abstain: 0}",
                    "votes: {for: 1, against: 5, abstain: 0}")
    check(minimal.root, jobs=1)


def test_budget_id_findings_are_kept_by_the_tables_key(minimal, monkeypatch):
    """The budget ids check reads the tables alone: an edit elsewhere reuses its findings,
    an edit of a table works them out again."""
    from generator.kinds.budget import ids

    calls = _counted(monkeypatch, ids, "_check")
    same_as_cold(minimal.root)
    calls.clear()
    _edit_a_vote(minimal)
    assert calls == []
    minimal.replace("data/budgets/2024.csv", "2024-002,", "line-a,")
    minimal.replace("data/budgets/2024.csv", "2024-003,", "LINE-A,")  # the same id but for case
    warm = same_as_cold(minimal.root)
    assert calls == [1, 1]  # warm, then cold
    assert "id.case-duplicate" in {p.code for p in warm.problems}


def test_budget_line_facts_follow_the_tables_and_the_community_rules(minimal, monkeypatch):
    """The budget check's sums and lines to look at are kept by the tables' key and
    community.yaml's: an edit of a meeting reuses them, a new threshold or a table
    edit works them out again, and warm reports as cold, in the same order."""
    from generator.kinds.budget import checks as budget_checks

    calls = _counted(monkeypatch, budget_checks, "_work_out")

    def warm_is_cold() -> Report:
        warm = check(minimal.root, jobs=1)
        assert everything(warm) == everything(check(minimal.root, jobs=1, cache=False))
        return warm

    warm_is_cold()
    calls.clear()
    _edit_a_vote(minimal)
    assert calls == []
    minimal.replace("data/community.yaml", "decision_threshold: 5000", "decision_threshold: 500")
    assert "budget.decision-required" in {p.code for p in warm_is_cold().problems}
    assert calls == [1, 1]
    minimal.replace("data/budgets/2024.csv", "2000,1800,", "2000,2800,")  # over plan
    assert "budget.actual-over-plan" in {p.code for p in warm_is_cold().problems}
    assert calls == [1, 1, 1, 1]
