"""Cheaper builds (issue #20): QR codes with a fixed mask still decode, and the
build-time form tokens stay the same between builds of a day while the endpoint
still accepts them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from endpoint.abuse import check_token
from endpoint.settings import Settings
from generator.build import TOKEN_BUCKET_S, static_tokens
from generator.site.qr import MASK, qr_code, qr_svg

URLS = [
    "http://localhost:8000/notices/2025-001/",
    "https://qingshi.example.cn/en/meetings/2024-11-03-jwh/",
    "https://社区.example.cn/budgets/2025/#维修资金",
]


@pytest.mark.parametrize("url", URLS)
def test_fixed_mask_qr_decodes(url: str, tmp_path: Path) -> None:
    code = qr_code(url)
    assert code.mask == MASK
    assert str(qr_svg(url, "QR")).startswith("<svg")
    png = tmp_path / "qr.png"
    code.save(str(png), kind="png", scale=8, border=4)  # the same symbol qr_svg draws, as pixels for zbarimg
    zbarimg = shutil.which("zbarimg")
    assert zbarimg, "zbar-tools is needed (scripts/setup --test)"
    decoded = subprocess.run([zbarimg, "--quiet", "--raw", str(png)], capture_output=True, text=True, timeout=60)
    assert decoded.returncode == 0, decoded.stderr
    assert decoded.stdout.strip() == url


def test_qr_is_cached_and_deterministic() -> None:
    first = qr_svg(URLS[0], "QR")
    assert qr_svg(URLS[0], "QR") is first  # the second page asking for it costs nothing
    assert qr_svg.cache_info().hits >= 1
    assert str(qr_svg(URLS[1], "QR")) != str(first)


def test_static_tokens_stable_within_a_day_and_accepted() -> None:
    day = 20_000 * TOKEN_BUCKET_S  # a UTC midnight
    morning = static_tokens("s3cret", ["suggestion", "repair"], now=day + 60)
    evening = static_tokens("s3cret", ["suggestion", "repair"], now=day + TOKEN_BUCKET_S - 1)
    assert morning == evening
    assert static_tokens("s3cret", ["suggestion"], now=day + TOKEN_BUCKET_S)["suggestion"] != morning["suggestion"]
    settings = Settings()
    for form_id, token in morning.items():
        # accepted at once (a static token has no minimum age) and on the last day of its life
        for now in (day + 61, day + settings.static_token_days * 86400 - 1):
            assert check_token(b"s3cret", form_id, token, settings.min_seconds, settings.token_hours * 3600,
                               settings.static_token_days * 86400, now=now) is None
        assert check_token(b"s3cret", "repair" if form_id == "suggestion" else "suggestion", token,
                           settings.min_seconds, settings.token_hours * 3600,
                           settings.static_token_days * 86400, now=day + 61) == "invalid"
    assert static_tokens("", ["suggestion"]) == {}


def test_two_renders_give_the_same_docs_and_rewrite_nothing(minimal: Any, tmp_path: Path) -> None:
    """What ``portal serve`` and a rebuild do: render again, write only what changed.
    Form pages used to change on every render (their token carried the time)."""
    from generator.build import render_site, write_docs
    from generator.pipeline import load_and_check

    checked = load_and_check(minimal.root)
    assert checked.report.ok
    first = render_site(checked, "zh", "http://localhost:8000/", secret="s3cret")
    forms = [rel for rel, data in first.items() if b'name="_token" value="s.' in data]
    assert forms, "no form page carries a build-time token"
    docs = tmp_path / "work" / ".portal-build" / "zh" / "docs"
    assert write_docs(docs, first)
    mtimes = {p: p.stat().st_mtime_ns for p in docs.rglob("*") if p.is_file()}
    again = render_site(load_and_check(minimal.root), "zh", "http://localhost:8000/", secret="s3cret")
    assert dict(again) == dict(first)
    assert write_docs(docs, again) == []
    assert {p: p.stat().st_mtime_ns for p in docs.rglob("*") if p.is_file()} == mtimes


def test_progress_plain_lines_when_not_a_tty() -> None:
    import io

    from generator.build import BUILD_STEPS
    from generator.progress import Steps

    out = io.StringIO()
    with Steps("portal build", len(BUILD_STEPS), stream=out) as steps:
        for step in BUILD_STEPS:
            steps(step)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(BUILD_STEPS)
    assert lines[0] == "portal build: [1/5] 检查数据 · checking the data"
    assert lines[-1].startswith("portal build: [5/5] ")
    assert "\r" not in out.getvalue() and "\x1b" not in out.getvalue()  # no bar, no colour codes in a CI log


def test_progress_bar_on_a_tty_leaves_no_plain_lines() -> None:
    import io

    from generator.progress import Steps

    out = io.StringIO()
    with Steps("portal build", 2, stream=out, tty=True) as steps:
        steps("check")
        steps("render")
    assert "[1/2]" not in out.getvalue()
