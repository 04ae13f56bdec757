"""Issue #18, defect 11: ids and content paths that differ only in case collide
on case-insensitive file systems and in the offline zip unpacked there."""

from __future__ import annotations

from conftest import SampleProject

from generator.checks.ids import published_path
from generator.problems import Problem

MEETING = "data/meetings/2024-03-10-jwh.yaml"
NOTICE = "data/notices/2024-001.yaml"


def _found(minimal: SampleProject, code: str) -> list[Problem]:
    return [p for p in minimal.check().problems if p.code == code]


def _copy_notice(minimal: SampleProject, new_id: str) -> None:
    minimal.write(f"data/notices/{new_id}.yaml", minimal.read(NOTICE).replace("id: 2024-001", f"id: {new_id}"))


def test_two_files_whose_ids_differ_in_case(minimal: SampleProject) -> None:
    _copy_notice(minimal, "Case-Id")
    _copy_notice(minimal, "case-id")
    (p,) = _found(minimal, "id.case-duplicate")
    assert {p.file, p.params["other"].split(":")[0]} == {"data/notices/Case-Id.yaml", "data/notices/case-id.yaml"}
    assert p.line == 1 and p.params["other"].endswith(":1")  # both files:lines named
    assert {p.params["id"], p.params["other_id"]} == {"Case-Id", "case-id"}
    assert not _found(minimal, "id.duplicate")


def test_decisions_in_two_meetings_differing_in_case(minimal: SampleProject) -> None:
    other = minimal.read(MEETING).replace("id: 2024-03-10-jwh", "id: 2024-04-10-jwh") \
        .replace("id: D2024-01", "id: d2024-01").replace("id: D2024-02", "id: D2024-99")
    minimal.write("data/meetings/2024-04-10-jwh.yaml", other)
    found = _found(minimal, "id.case-duplicate")
    assert [(p.file, p.params["id"], p.params["other_id"]) for p in found] == [
        ("data/meetings/2024-04-10-jwh.yaml", "d2024-01", "D2024-01")]
    assert found[0].line == 16 and found[0].params["other"] == f"{MEETING}:16"


def test_ids_in_one_list_differing_in_case(minimal: SampleProject) -> None:
    minimal.replace(MEETING, "  - id: a2", "  - id: A1")
    p = minimal.only("id.case-duplicate")
    assert (p.file, p.line, p.params["id"], p.params["other"]) == (MEETING, 21, "A1", f"{MEETING}:12")


def test_budget_line_ids_differing_in_case_in_one_table(minimal: SampleProject) -> None:
    minimal.replace("data/budgets/2024.csv", "2024-002,2024", "2024-A,2024")
    minimal.replace("data/budgets/2024.csv", "2024-003,2024", "2024-a,2024")
    p = minimal.only("id.case-duplicate")
    assert (p.file, p.line, p.params["other"]) == ("data/budgets/2024.csv", 4, "data/budgets/2024.csv:3")


def test_identical_ids_are_still_plain_duplicates(minimal: SampleProject) -> None:
    minimal.replace(MEETING, "  - id: a2", "  - id: a1")
    assert minimal.only("id.duplicate").line == 21
    assert not _found(minimal, "id.case-duplicate")


def test_content_pages_differing_in_case(minimal: SampleProject) -> None:
    minimal.write("content/zh/A.md", "# A\n")
    minimal.write("content/zh/a.md", "# a\n")
    minimal.write("content/zh/Guide/index.md", "# g\n")
    minimal.write("content/zh/guide.md", "# g\n")
    minimal.write("content/zh/img/Map.PNG", b"\x89PNG")
    minimal.write("content/zh/img/map.png", b"\x89PNG")
    minimal.write("content/zh/b.md", "# b\n")  # no twin
    found = {(p.file, p.params["other"]) for p in _found(minimal, "file.case-collision")}
    assert found == {("content/zh/a.md", "content/zh/A.md"), ("content/zh/guide.md", "content/zh/Guide/index.md"),
                     ("content/zh/img/map.png", "content/zh/img/Map.PNG")}


def test_same_name_in_two_languages_is_fine(minimal: SampleProject) -> None:
    minimal.write("content/zh/About.md", "# 关于\n")
    minimal.write("content/en/about.md", "# About\n")
    assert not _found(minimal, "file.case-collision")


def test_published_path() -> None:
    assert published_path("A/B.md") == published_path("a/b/index.md") == "a/b/index.html"
    assert published_path("index.md") == "index.html"
    assert published_path("Ä.md") == published_path("ä.md")
