"""The CI files `portal init` writes and this repository uses: valid against the
official schemas (offline, from check-jsonschema), clean under actionlint, the
expected jobs and triggers, and — since no Actions runner can run here — the
check and build jobs' own shell steps executed in order in a new project, with
the portal installed by the workflow's own install step from a built wheel."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.scaffold.ci import GITHUB_WORKFLOW, GITLAB_CI, SELF_SPEC, ci_files
from tests.scaffold_helpers import REPO, bare_venv, init, venv_env

BIN = Path(sys.executable).parent
#: actions/upload-artifact@v3 is kept on purpose for Gitea/Forgejo, which refuse
#: v4+ ("not supported on GHES", go-gitea/gitea#31256); it only runs off github.com.
ACTIONLINT_IGNORE = r'"actions/upload-artifact@v3" action is retired on GitHub'


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return init(tmp_path_factory.mktemp("ci"), "--no-git", "--name", "荷叶社区")


def files(project: Path) -> dict[str, list[Path]]:
    return {"github": [project / GITHUB_WORKFLOW, REPO / GITHUB_WORKFLOW],
            "gitlab": [project / GITLAB_CI, REPO / GITLAB_CI]}


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:  # YAML 1.1 reads the key `on` as true
        data["on"] = data.pop(True)
    return data


def test_this_repository_uses_the_templates():
    for rel, text in ci_files(SELF_SPEC, self_repo=True).items():
        assert (REPO / rel).read_text(encoding="utf-8") == text, f"{rel} is stale: python -m generator.scaffold.ci"


@pytest.mark.parametrize("kind, schema", [("github", "vendor.github-workflows"), ("gitlab", "vendor.gitlab-ci")])
def test_valid_against_the_official_schema(project, kind, schema):
    done = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", schema,
                           *map(str, files(project)[kind])], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok -- validation done" in done.stdout


def test_schema_check_would_catch_a_mistake(tmp_path, project):
    broken = tmp_path / "site.yml"
    broken.write_text((project / GITHUB_WORKFLOW).read_text().replace("runs-on:", "runs_on:", 1))
    done = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(broken)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1


def test_actionlint_is_clean(project):
    done = subprocess.run([str(BIN / "actionlint"), "-no-color", "-ignore", ACTIONLINT_IGNORE,
                           *map(str, files(project)["github"])], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    # and it does look: without the ignore, the v3 step is reported in both files
    loud = subprocess.run([str(BIN / "actionlint"), "-no-color", *map(str, files(project)["github"])],
                          capture_output=True, text=True, timeout=120)
    assert loud.stdout.count("is retired on GitHub") == 2


def test_github_jobs_and_triggers(project):
    wf = load(project / GITHUB_WORKFLOW)
    assert set(wf["on"]) == {"pull_request", "push", "workflow_dispatch"}
    assert wf["on"]["push"] == {"branches": ["main"]}
    assert wf["permissions"] == {"contents": "read"}
    jobs = wf["jobs"]
    assert list(jobs) == ["check", "build", "pages"]
    assert [s["run"] for s in jobs["check"]["steps"] if "run" in s][-1] == "portal check --format github"
    assert jobs["build"]["needs"] == "check" and jobs["pages"]["needs"] == "build"
    uses = {s.get("uses", "").split("@")[0]: s for s in jobs["build"]["steps"]}
    assert uses["actions/upload-artifact"]["with"]["name"] == "site-preview"
    previews = [s for s in jobs["build"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert [(s["uses"], s["if"]) for s in previews] == [
        ("actions/upload-artifact@v6", "github.server_url == 'https://github.com'"),
        ("actions/upload-artifact@v3", "github.server_url != 'https://github.com'")]
    # Pages only on a push to main on github.com; the job's permissions are its own
    for guarded in (uses["actions/upload-pages-artifact"]["if"], uses["actions/configure-pages"]["if"],
                    jobs["pages"]["if"]):
        assert "github.server_url == 'https://github.com'" in guarded and "refs/heads/main" in guarded
        assert "github.event_name != 'pull_request'" in guarded
    assert jobs["pages"]["permissions"] == {"pages": "write", "id-token": "write"}
    # the static-host steps run only when their secret is set
    steps = {s.get("name"): s for s in jobs["build"]["steps"]}
    assert "env.DEPLOY_RSYNC_TARGET != ''" in steps["Deploy with rsync"]["if"]
    assert "env.DEPLOY_S3_BUCKET != ''" in steps["Deploy to object storage"]["if"]
    assert jobs["build"]["env"]["DEPLOY_RSYNC_TARGET"] == "${{ secrets.DEPLOY_RSYNC_TARGET }}"
    # no expression inside a shell script (script injection); values come through env
    for job in jobs.values():
        for step in job["steps"]:
            assert "${{" not in step.get("run", "")
    assert "PORTAL_SPEC: ${{ vars.PORTAL_SPEC || " in (project / GITHUB_WORKFLOW).read_text()


def test_gitlab_jobs_and_rules(project):
    ci = load(project / GITLAB_CI)
    assert ci["stages"] == ["check", "build", "deploy"]
    assert ci["variables"]["PORTAL_SPEC"].startswith("git+https://")
    assert ci["check"]["script"] == ["portal check"]
    assert ci["build-preview"]["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert ci["build-preview"]["artifacts"]["expose_as"] == "site preview"
    assert ci["pages"]["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    assert ci["pages"]["artifacts"]["paths"] == ["public/"]
    assert ci["deploy-rsync"]["rules"][0]["if"].endswith("&& $DEPLOY_RSYNC_TARGET")
    assert ci["deploy-s3"]["rules"][0]["if"].endswith("&& $DEPLOY_S3_BUCKET")
    assert all(ci[j]["extends"] == ".portal" for j in ("check", "build-preview", "pages"))


# -- the closest honest local run ----------------------------------------------

_DEFAULT = re.compile(r"^\$\{\{\s*vars\.\w+\s*\|\|\s*'([^']*)'\s*\}\}$")
_UNSET = re.compile(r"^\$\{\{\s*(vars\.\w+|secrets\.\w+|steps\.[\w-]+\.outputs\.\w+)\s*\}\}$")


def expression(value: str) -> str:
    """The value of a workflow env entry on a repository with no variables or
    secrets set, as on a first run: ``vars.X || 'default'`` → the default; the output
    of a step that a pull request skips is empty."""
    if m := _DEFAULT.match(value):
        return m.group(1)
    if _UNSET.match(value):
        return ""
    assert "${{" not in value, f"unexpected expression {value!r}"
    return value


def run_steps(job: dict[str, Any], workflow_env: dict[str, str], cwd: Path, env: dict[str, str]) -> list[str]:
    """Run the job's ``run:`` steps in order as a pull request would (steps with an
    ``if:`` are deploy steps, skipped on a pull request), with GitHub's default
    shell; returns each step's output."""
    step_env = {**env, **{k: expression(str(v)) for k, v in {**workflow_env, **job.get("env", {})}.items()}}
    outputs = []
    for step in job["steps"]:
        if "run" not in step:
            continue
        if "if" in step:
            assert "github.event_name != 'pull_request'" in step["if"], step
            continue
        own = {k: expression(str(v)) for k, v in step.get("env", {}).items()}
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                              cwd=cwd, env={**step_env, **own}, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, (step.get("name"), done.stdout[-3000:], done.stderr[-3000:])
        outputs.append(done.stdout + done.stderr)
    return outputs


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is needed by the build job")
def test_github_check_and_build_jobs_run_their_own_steps(tmp_path, wheel):
    venv = bare_venv(tmp_path / "venv")
    # the committee's choice of PORTAL_SPEC; here: the wheel, offline
    root = init(tmp_path, "--no-git", "--portal-spec", f"--no-index {wheel}")
    wf = load(root / GITHUB_WORKFLOW)
    env = venv_env(venv)  # actions/setup-python puts its python first on PATH, like this
    check_out = run_steps(wf["jobs"]["check"], wf["env"], root, env)
    assert any("检查通过" in out for out in check_out), check_out
    assert (venv / "bin" / "portal").is_file()  # installed by the workflow's own step
    installed = subprocess.run([str(venv / "bin" / "python"), "-c", "import generator; print(generator.__file__)"],
                               env=env, cwd=root, capture_output=True, text=True, check=True).stdout
    assert installed.startswith(str(venv)), installed
    build_out = run_steps(wf["jobs"]["build"], wf["env"], root, env)
    assert any(" pages → " in out for out in build_out), build_out
    assert (root / "node_modules" / "decap-cms" / "package.json").is_file()  # the npm step ran
    assert (root / "site" / "index.html").is_file() and (root / "site" / "en" / "index.html").is_file()
    assert (root / "site" / "admin" / "index.html").is_file()


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is needed by the pages job")
def test_gitlab_check_and_pages_jobs_run_their_own_scripts(tmp_path, wheel):
    venv = bare_venv(tmp_path / "venv")
    root = init(tmp_path, "--no-git", "--portal-spec", f"--no-index {wheel}")
    ci = load(root / GITLAB_CI)
    env = {**venv_env(venv), **{k: str(v) for k, v in ci["variables"].items()}}
    outputs = []
    for name in ("check", "pages"):
        job = {**ci[job_base(ci, name)], **ci[name]}
        for line in [*job["before_script"], *job["script"]]:
            if line.startswith("apt-get "):  # system packages of the job's image: node/npm are already here
                continue
            done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", line], cwd=root, env=env,
                                  capture_output=True, text=True, timeout=600)
            assert done.returncode == 0, (name, line, done.stdout[-3000:], done.stderr[-3000:])
            outputs.append(done.stdout)
    assert any("检查通过" in out for out in outputs)
    assert (venv / "bin" / "portal").is_file()
    assert (root / "public" / "index.html").is_file() and (root / "public" / "admin" / "index.html").is_file()


def job_base(ci: dict[str, Any], name: str) -> str:
    base: str = ci[name]["extends"]
    assert base == ".portal"
    return base


def test_check_step_annotates_a_broken_file_and_fails(tmp_path):
    """The check job's last step on a broken file: a GitHub annotation on the line, exit 1."""
    root = init(tmp_path, "--no-git")
    notice = next((root / "data" / "notices").glob("*.yaml"))
    text = notice.read_text(encoding="utf-8")
    notice.write_text(text.replace("category: announcement", "category: announcment"), encoding="utf-8")
    line = text.splitlines().index(next(x for x in text.splitlines() if x.startswith("category:"))) + 1
    wf = load(root / GITHUB_WORKFLOW)
    step = wf["jobs"]["check"]["steps"][-1]["run"]
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert f"::error file=data/notices/{notice.name},line={line},col=11,title=schema.choice::" in done.stdout
