"""Property-based: whatever bytes a data file holds, ``check`` returns a report
(every problem with a known code, a file and a message) and never raises."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.messages import CATALOG, render
from generator.pipeline import check

MINIMAL = Path(__file__).parent / "projects" / "minimal"
TARGETS = [
    "data/community.yaml", "data/meetings/2024-03-10-jwh.yaml", "data/forms/suggestion.yaml",
    "data/notices/2024-001.yaml", "data/budgets/2024.csv", "data/budgets/datapackage.yaml",
    "data/budgets/totals.csv",
]


def _assert_clean_report(root: Path) -> None:
    report = check(root, jobs=1)
    for p in report.problems:
        assert p.code in CATALOG, p
        assert p.file
        for lang in ("zh", "en"):
            message, _hint = render(p, lang)
            # every placeholder filled (data quoted in a message may itself contain braces)
            assert message and not re.search(r"\{[a-z_]+\}", message), (p, message)


@st.composite
def mutation(draw):
    target = draw(st.sampled_from(TARGETS))
    original = (MINIMAL / target).read_bytes()
    kind = draw(st.sampled_from(["replace", "insert", "delete", "truncate", "random", "duplicate-line"]))
    pos = draw(st.integers(0, len(original)))
    if kind == "replace":
        data = original[:pos] + draw(st.binary(min_size=1, max_size=8)) + original[pos + 8:]
    elif kind == "insert":
        snippet = draw(st.sampled_from([b":", b"- ", b"\t", b"&a ", b"*a", b"\"", b"{", b"[", b",", b"\n  ",
                                        b"\xff\xfe", b"\x00", b"no", b"2024-13-45", b"-1", b"<script>"]))
        data = original[:pos] + snippet + original[pos:]
    elif kind == "delete":
        data = original[:pos] + original[pos + draw(st.integers(1, 40)):]
    elif kind == "truncate":
        data = original[:pos]
    elif kind == "random":
        data = draw(st.binary(max_size=300))
    else:
        lines = original.split(b"\n")
        i = draw(st.integers(0, len(lines) - 1))
        data = b"\n".join(lines[: i + 1] + lines[i:])
    return target, data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutation())
def test_mutated_files_never_crash(case):
    target, data = case
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "p"
        shutil.copytree(MINIMAL, root)
        (root / target).write_bytes(data)
        _assert_clean_report(root)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_random_text_as_meeting(text):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "p"
        shutil.copytree(MINIMAL, root)
        (root / "data/meetings/2024-03-10-jwh.yaml").write_text(text, encoding="utf-8")
        _assert_clean_report(root)
