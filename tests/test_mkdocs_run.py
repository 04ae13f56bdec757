"""The mkdocs workers of ``portal build`` (``python -m generator.site.mkdocs_run``) import
only what a mkdocs build needs: the module imports nothing of the generator, so a worker does
not load the registry, the kinds and their models (``generator.site.mkdocs_run``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from generator.site import mkdocs_hooks
from generator.site.mkdocs_hooks import GENERATED_LIST
from generator.site.mkdocs_run import MkdocsFailed, run_all

REPO = Path(__file__).resolve().parent.parent


def test_the_worker_module_imports_no_other_generator_module() -> None:
    code = ("import sys, generator.site.mkdocs_run\n"
            "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] == 'generator')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120,
                          check=True)
    assert done.stdout.split() == ["generator", "generator.site", "generator.site.mkdocs_run"]


def _worker_imports(tmp_path: Path, hand_written: bool) -> list[str]:
    """Build a two-page site with the portal's hook in a fresh interpreter, as a worker does;
    which of jieba and pydantic it imported."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# 首页\n", encoding="utf-8")
    (docs / "about.md").write_text("---\ntitle: 关于\n---\n# 关于\n", encoding="utf-8")
    generated = ["index.md"] if hand_written else ["index.md", "about.md"]
    (tmp_path / GENERATED_LIST).write_text(json.dumps(generated), encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"site_name: t\ndocs_dir: {docs}\nsite_dir: {tmp_path / 'site'}\nplugins: []\n"
                      f"hooks: [{mkdocs_hooks.__file__}]\ntheme: {{name: material, language: zh}}\n",
                      encoding="utf-8")
    code = ("import sys\nfrom generator.site.mkdocs_run import mkdocs_build\n"
            f"mkdocs_build({str(config)!r})\nprint(*[m for m in ('jieba', 'pydantic') if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300,
                          check=True)
    assert (tmp_path / "site" / "about" / "index.html").is_file()
    return done.stdout.split()


def test_a_worker_imports_no_jieba_and_no_pydantic_for_generated_pages(tmp_path: Path) -> None:
    """mkdocs runs without its search plugins (search is Pagefind's): nothing needs jieba,
    whose import alone costs a worker 0.2 s of CPU; the front matter parser (pydantic, 0.3 s)
    is only for hand-written pages."""
    assert _worker_imports(tmp_path, hand_written=False) == []


def test_a_hand_written_page_still_gets_its_front_matter_read(tmp_path: Path) -> None:
    assert _worker_imports(tmp_path, hand_written=True) == ["pydantic"]
    page = (tmp_path / "site" / "about" / "index.html").read_text(encoding="utf-8")
    assert "<title>关于 - t</title>" in page


def test_run_all_builds_in_workers_and_reports_a_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # run from a folder holding another generator package (another checkout): the workers
    # still run this code, not what the current folder holds
    decoy = tmp_path / "cwd" / "generator"
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text("raise ImportError('the decoy was imported')\n", encoding="utf-8")
    monkeypatch.chdir(decoy.parent)
    configs = []
    for name in ("zh", "en"):
        docs = tmp_path / name / "docs"
        docs.mkdir(parents=True)
        (docs / "index.md").write_text(f"# {name}\n", encoding="utf-8")
        config = tmp_path / name / "mkdocs.yml"
        config.write_text(f"site_name: t\ndocs_dir: {docs}\nsite_dir: {tmp_path / name / 'site'}\nplugins: []\n"
                          f"theme: {{name: material, language: {name}}}\n", encoding="utf-8")
        configs.append((str(config), False))
    run_all(configs, 2)
    assert all((tmp_path / name / "site" / "index.html").is_file() for name in ("zh", "en"))
    with pytest.raises(MkdocsFailed, match="missing.yml"):
        run_all([*configs, (str(tmp_path / "missing.yml"), False)], 2)


def test_no_more_mkdocs_processes_at_once_than_the_cores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A street builds two communities at once, each running a worker per language: across
    the process, no more workers run at once than the semaphore allows. The workers here are
    real processes that log when they start and end (a program standing in for Python)."""
    import threading

    from generator.site import mkdocs_run

    log = tmp_path / "log"
    worker = tmp_path / "worker"
    worker.write_text(f"#!/bin/sh\necho start >> {log}\nsleep 0.3\necho end >> {log}\n", encoding="utf-8")
    worker.chmod(0o755)
    monkeypatch.setattr(mkdocs_run.sys, "executable", str(worker))
    monkeypatch.setattr(mkdocs_run, "_RUNNING", threading.BoundedSemaphore(2))

    builds = [threading.Thread(target=run_all, args=([(f"c{i}-{lang}.yml", False) for lang in ("zh", "en")], 2))
              for i in range(3)]
    for t in builds:
        t.start()
    for t in builds:
        t.join()

    running = most = 0
    for line in log.read_text(encoding="utf-8").split():
        running += 1 if line == "start" else -1
        most = max(most, running)
    assert log.read_text(encoding="utf-8").split().count("start") == 6
    assert most == 2  # three communities' six workers, two at a time (without the limit: up to six)
