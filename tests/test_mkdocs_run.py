"""The mkdocs workers of ``portal build`` (``spawn`` processes) import only what a mkdocs
build needs: the module they run from imports nothing of the generator, so a worker does
not load the registry, the kinds and their models (``generator.site.mkdocs_run``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_worker_module_imports_no_other_generator_module() -> None:
    code = ("import sys, generator.site.mkdocs_run\n"
            "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] == 'generator')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120,
                          check=True)
    assert done.stdout.split() == ["generator", "generator.site", "generator.site.mkdocs_run"]


def test_a_build_in_a_worker_imports_no_jieba(tmp_path: Path) -> None:
    """mkdocs runs without its search plugins (search is Pagefind's): nothing needs jieba,
    whose import alone costs a worker 0.2 s of CPU."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# 首页\n", encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"site_name: t\ndocs_dir: {docs}\nsite_dir: {tmp_path / 'site'}\nplugins: []\n"
                      "theme: {name: material, language: zh}\n", encoding="utf-8")
    code = ("import sys\nfrom generator.site.mkdocs_run import mkdocs_build\n"
            f"mkdocs_build({str(config)!r})\nprint('jieba' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300,
                          check=True)
    assert done.stdout.split() == ["False"]
    assert (tmp_path / "site" / "index.html").is_file()
