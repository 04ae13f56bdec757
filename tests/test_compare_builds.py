"""scripts/compare-builds (bench/compare_builds.py) keeps working: HEAD against
itself is identical, and what it normalises is only the build's timestamps."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "bench" / "compare_builds.py"


def _module():
    spec = importlib.util.spec_from_file_location("compare_builds", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cb():
    return _module()


def test_only_build_timestamps_are_normalised(cb):
    page = b'<input type="hidden" name="_token" value="s.1796391888.hKKUEvgfx5PiRVag2rgm_g">'
    assert cb.normalise("forms/x/index.html", page) == b'<input type="hidden" name="_token" value="<token>">'
    other = b'<input type="hidden" name="topic" value="s.1796391888.hKKUEvgfx5PiRVag2rgm_g">'
    assert cb.normalise("forms/x/index.html", other) == other
    sitemap = b"<loc>https://x/</loc><lastmod>2026-12-04</lastmod>"
    assert cb.normalise("sitemap.xml", sitemap) == b"<loc>https://x/</loc><lastmod>(build date)</lastmod>"
    assert cb.normalise("notices/index.html", sitemap) == sitemap


def test_differences_are_found_and_shown(cb, tmp_path):
    sites = []
    for name, text in (("a", "招聘网格员"), ("b", "招聘楼长")):
        site = tmp_path / name
        (site / "notices").mkdir(parents=True)
        (site / "notices" / "index.html").write_text(text, encoding="utf-8")
        (site / f"only-{name}.txt").write_text("", encoding="utf-8")
        sites.append(cb.Side(name, tmp_path, site, {"check demo": "exit 0\n", f"check {name}": "x"}))
    said: list[str] = []
    assert cb.differences(*sites, limit=3, say=said.append) == 5
    assert said[0] == "only in a: site/only-a.txt" and said[1] == "only in b: site/only-b.txt"
    assert "-招聘网格员" in said[2] and "+招聘楼长" in said[2]
    assert said[3] == "… and 2 more differences"


@pytest.mark.skipif(shutil.which("git") is None or not (REPO / ".git").exists(), reason="needs the git checkout")
def test_head_against_itself_is_identical():
    done = subprocess.run([sys.executable, str(SCRIPT), "HEAD", "HEAD"], cwd=REPO, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "are identical" in done.stdout and "40 portal check runs" in done.stdout
