"""``portal serve`` (a real server process, a real browser): an edited notice shows
on its page, and on the pages listing it, without a restart; the open page reloads
by itself. The render cache is on, as for a committee member previewing edits."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from site_fixtures import CHROMIUM, CHROMIUM_ARGS, free_port

REPO = Path(__file__).resolve().parent.parent
PROJECTS = Path(__file__).resolve().parent / "projects"


def _wait_for(test: Callable[[], bool], timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if test():
            return
        time.sleep(0.1)
    raise AssertionError(what)


def test_an_edited_notice_shows_in_the_preview(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    root = tmp_path / "minimal"
    shutil.copytree(PROJECTS / "minimal", root)
    notice = root / "data" / "notices" / "2024-001.yaml"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PORTAL_NO_CACHE"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")  # the cache's signing key, for this test only
    log = (tmp_path / "serve.log").open("wb")
    serve = subprocess.Popen([sys.executable, "-m", "generator", "serve", str(root), "--port", str(port),
                              "--endpoint-port", "0"], cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}/"

    def get(path: str) -> str:
        try:
            with urllib.request.urlopen(base + path, timeout=10) as response:
                return str(response.read().decode("utf-8", "replace"))
        except OSError:
            return ""

    try:
        _wait_for(lambda: "门禁更换公示" in get("notices/2024-001/"), 120, "portal serve did not serve the notice")
        # pages come from the render cache from now on; the edited one does not
        assert list((root / ".portal-build" / "cache").glob("render-*/pages-zh.pickle"))
        notice.write_text(notice.read_text(encoding="utf-8").replace("门禁更换公示", "门禁更换公示（已改期）"),
                          encoding="utf-8")
        _wait_for(lambda: "门禁更换公示（已改期）" in get("notices/2024-001/"), 60, "the notice page did not follow")
        _wait_for(lambda: "门禁更换公示（已改期）" in get("notices/"), 30, "the notices index did not follow")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(base + "notices/2024-001/")
            assert "门禁更换公示（已改期）" in page.locator("h1").inner_text()
            notice.write_text(notice.read_text(encoding="utf-8").replace("（已改期）", "（第三稿）"), encoding="utf-8")
            # the open page reloads by itself (mkdocs' live reload) and shows the edit
            page.wait_for_function("document.querySelector('h1') && "
                                   "document.querySelector('h1').innerText.includes('（第三稿）')", timeout=60_000)
            browser.close()
    finally:
        serve.terminate()
        serve.wait(20)
        log.close()
    assert "Traceback" not in (tmp_path / "serve.log").read_text(encoding="utf-8", errors="replace")
