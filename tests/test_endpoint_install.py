"""The endpoint installs alone (``packaging/endpoint``): in a fresh venv, with Starlette,
uvicorn and the database drivers but none of the site builder's libraries, it serves a
form from the spec a real ``portal build`` wrote and hands out a receipt over HTTP."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import venv
from pathlib import Path

import httpx
import pytest

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_endpoint import SECRET, SITE_URL, free_port, make_project, suggestion  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
PACKAGING = "packaging/endpoint"
#: What the endpoint's distribution is built from (its pyproject.toml names the others by ../../).
SOURCES = (PACKAGING, "endpoint", "portal_core", "site_templates")
#: Libraries of the site builder that must not come along.
BUILDER_ONLY = ("mkdocs", "material", "frictionless", "jieba", "pydantic", "nh3", "generator")


def _deps(pyproject: Path) -> set[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    return set(project["dependencies"])


def test_the_endpoint_needs_only_what_the_portal_needs_too():
    """The endpoint's requirements are the root package's own lines (one set of pins)."""
    assert _deps(REPO / PACKAGING / "pyproject.toml") <= _deps(REPO / "pyproject.toml")


@pytest.fixture(scope="module")
def endpoint_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv (no access to this one's packages) with only the endpoint installed."""
    work = tmp_path_factory.mktemp("endpoint-install")
    src = work / "src"
    for name in SOURCES:  # a copy, so the build writes no build/ or egg-info into the checkout
        shutil.copytree(REPO / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "build",
                                                                                "*.egg-info"))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "dist"),
                           str(src / PACKAGING)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = (work / "dist").glob("community_portal_endpoint-*.whl")
    target = work / "venv"
    venv.EnvBuilder(with_pip=True).create(target)
    done = subprocess.run([str(target / "bin" / "python"), "-m", "pip", "install", "-q", "-c",
                           str(REPO / "constraints.txt"), str(wheel)],
                          capture_output=True, text=True, timeout=600, cwd=work)
    assert done.returncode == 0, done.stdout + done.stderr
    return target


def _env(target: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")
           and not k.startswith("PORTAL_")}
    env["PATH"] = f"{target / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env.update({f"PORTAL_{k.upper()}": v for k, v in settings.items()})
    return env


def test_the_endpoint_alone_has_none_of_the_builder(endpoint_venv: Path, tmp_path: Path):
    probe = ("import importlib.util, json, sys; "
             f"print(json.dumps({{n: importlib.util.find_spec(n) is not None for n in {list(BUILDER_ONLY)!r}}}))")
    done = subprocess.run([str(endpoint_venv / "bin" / "python"), "-c", probe], capture_output=True, text=True,
                          env=_env(endpoint_venv), cwd=tmp_path, check=True)
    assert json.loads(done.stdout) == dict.fromkeys(BUILDER_ONLY, False)
    where = subprocess.run([str(endpoint_venv / "bin" / "python"), "-c",
                            "import endpoint.app, portal_core, starlette, uvicorn, psycopg; print(endpoint.app.__file__)"],
                           capture_output=True, text=True, env=_env(endpoint_venv), cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert where.stdout.strip().startswith(str(endpoint_venv))


def test_the_endpoint_alone_issues_ballot_codes(endpoint_venv: Path, tmp_path: Path):
    """``portal-endpoint ballots`` runs where the site builder is not installed."""
    env = _env(endpoint_venv, db=f"sqlite:///{tmp_path / 'votes.db'}", site=str(tmp_path / "none"),
               secret="install-test-secret")
    issued = subprocess.run([str(endpoint_venv / "bin" / "portal-endpoint"), "ballots", "issue", "r1",
                             "--households", "3", "--title", "试投票", "--sheet", str(tmp_path / "s.html")],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert issued.returncode == 0, issued.stderr
    assert (tmp_path / "s.html").read_text(encoding="utf-8").count('class="slip"') == 3
    status = subprocess.run([str(endpoint_venv / "bin" / "portal-endpoint"), "ballots", "status", "r1"],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert status.returncode == 0 and "已发 3 个投票码" in status.stdout, status.stderr


def test_the_endpoint_alone_serves_a_built_site_and_gives_a_receipt(endpoint_venv: Path, tmp_path: Path):
    project = make_project(tmp_path / "project")
    site = tmp_path / "site"
    built = subprocess.run([sys.executable, "-m", "generator", "build", str(project), "--out", str(site)],
                           capture_output=True, text=True, timeout=600, cwd=tmp_path,
                           env={**os.environ, "PORTAL_SECRET": SECRET})
    assert built.returncode == 0, built.stdout + built.stderr
    assert (site / "forms" / "spec.json").exists()
    port = free_port()
    env = _env(endpoint_venv, site=str(site), db=f"sqlite:///{tmp_path / 'submissions.db'}", secret=SECRET,
               site_url=SITE_URL, min_seconds="0.5", rate_per_minute="0", lookup_per_minute="0")
    log = tmp_path / "endpoint.log"
    with open(log, "ab") as out:
        # cwd is not the checkout: only what the venv holds can be imported
        proc = subprocess.Popen([str(endpoint_venv / "bin" / "python"), "-m", "endpoint.workers", "endpoint.asgi:app",
                                 "--host", "127.0.0.1", "--port", str(port)],
                                cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, log.read_text(encoding="utf-8", errors="replace")
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log.read_text(encoding="utf-8", errors="replace")
            time.sleep(0.05)
        answer = httpx.post(url + "/forms/suggestion", data=suggestion(), timeout=30,
                            headers={"Accept": "application/json", "Origin": SITE_URL.rstrip("/")})
        assert answer.status_code == 201, answer.text
        receipt = answer.json()["receipt"]
        assert len(receipt.replace("-", "")) == 10
        html = httpx.post(url + "/forms/suggestion", data=suggestion(), timeout=30, follow_redirects=True,
                          headers={"Origin": SITE_URL.rstrip("/")})
        assert html.status_code == 200 and "<html" in html.text  # the receipt page, from the installed templates
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
