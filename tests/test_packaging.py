"""A normal (non-editable) install carries everything ``portal init``, ``check``
and ``build`` need: the wheel's contents, then the installed command at work."""

from __future__ import annotations

import subprocess
import zipfile

from tests.scaffold_helpers import REPO, bare_venv, venv_env


def test_wheel_holds_templates_skeleton_and_contracts(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = [p for folder in ("site_templates", "generator/scaffold/skeleton", "generator/scaffold/templates",
                               "generator/kinds")
              for p in (REPO / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    wanted += [REPO / "endpoint/openapi.yaml", REPO / "generator/cli.py", REPO / "portal_core/i18n.py"]
    wanted += [*(REPO / "generator/strings").glob("*.yaml"), *(REPO / "portal_core/strings").glob("*.yaml")]  # the catalog
    missing = [p.relative_to(REPO).as_posix() for p in wanted if p.relative_to(REPO).as_posix() not in names]
    assert missing == []
    assert len(wanted) > 40
    assert "generator/scaffold/skeleton/dot-gitignore" in names  # dotfiles are stored without the dot
    assert not any(n.startswith(("tests/", "data/", "bench/")) for n in names)


def test_installed_portal_inits_checks_and_builds(wheel, tmp_path):
    venv = bare_venv(tmp_path / "venv")
    env = venv_env(venv)
    python = str(venv / "bin" / "python")
    done = subprocess.run([python, "-m", "pip", "install", "-q", "--no-index", str(wheel)], capture_output=True,
                          text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    work = tmp_path / "work"  # not the checkout: nothing may be imported from there
    work.mkdir()
    where = subprocess.run([python, "-c", "import generator, site_templates; print(generator.__file__);"
                            "print(list(site_templates.__path__)[0])"],
                           capture_output=True, text=True, env=env, cwd=work, check=True).stdout.split()
    assert all(p.startswith(str(venv)) for p in where), where
    portal = str(venv / "bin" / "portal")
    for args in (["init", "site", "--no-git"], ["check", "site"], ["build", "site"]):
        done = subprocess.run([portal, *args], capture_output=True, text=True, env=env, cwd=work, timeout=300)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    html = (work / "site" / "site" / "index.html").read_text(encoding="utf-8")
    assert "assets/portal.css" in html  # the theme and assets came from the installed site_templates
    assert (work / "site" / "site" / "assets" / "portal.css").is_file()
    # a project without its own mkdocs.yml builds with the installed default
    (work / "site" / "mkdocs.yml").unlink()
    done = subprocess.run([portal, "build", "site"], capture_output=True, text=True, env=env, cwd=work, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "assets/portal.css" in (work / "site" / "site" / "index.html").read_text(encoding="utf-8")
