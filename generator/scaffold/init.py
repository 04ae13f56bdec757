"""``portal init DIR``: a new community repository, ready to publish.

Writes the data skeleton (valid, one example of each kind the committee edits),
``mkdocs.yml``, the CI files (``ci``), a pre-commit configuration, ``.gitignore``,
``package.json`` (the /admin/ editor bundle), and a README for the committee in
Chinese; then ``git init`` if git is installed, without committing, so the
committee looks at the files before their first commit.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from generator import registry
from generator.kinds.common import Today
from generator.scaffold.ci import PLACEHOLDER_SPEC, ci_files
from generator.scaffold.templating import SKELETON, ScaffoldError, render, render_file

#: The browser editor bundle ``portal build`` copies into /admin/; kept equal to
#: the root package.json's by tests/test_init.py.
DECAP_CMS_VERSION = "3.16.3"
#: The local editing server (`npx decap-server`), pinned so npx does not fetch the latest.
DECAP_SERVER_VERSION = "3.11.3"
#: The site search index builder that `portal build` runs (generator/site/search.py); 1.5.x misses Chinese words.
PAGEFIND_VERSION = "1.6.0"
#: Skeleton files named ``dot-…`` become ``.…``: setuptools' package-data globs
#: (and some zip tools) skip dotfiles, so they are stored without the dot.
_DOT = "dot-"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass
class InitResult:
    root: Path
    files: list[str] = field(default_factory=list)
    git: str = "none"  # "initialised", "missing" (no git on PATH), "failed"


def init_project(target: Path, name: str = "示例社区", community_id: str = "community",
                 portal_spec: str = PLACEHOLDER_SPEC, git: bool = True) -> InitResult:
    """Create the repository in ``target`` (which must be missing or empty)."""
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise ScaffoldError("cli.init.not-a-folder", target=target)
    if target.is_dir() and any(target.iterdir()):
        raise ScaffoldError("cli.init.not-empty", target=target)
    if not _ID.match(community_id):
        raise ScaffoldError("cli.init.bad-id", id=community_id)
    if not name.strip():
        raise ScaffoldError("cli.init.no-name")
    today = Today.get()
    values = {
        "name": name.strip(),
        # json.dumps gives a quoted YAML-safe scalar for any name ("A: B" included)
        "name_yaml": json.dumps(name.strip(), ensure_ascii=False),
        "community_id": community_id,
        "today": today.isoformat(),
        "year": today.year,
        "display_until": (today + dt.timedelta(days=7)).isoformat(),
        "meeting_id": f"{today.isoformat()}-committee",
        "notice_id": f"{today.isoformat()}-website-launch",
        "decap_cms_version": DECAP_CMS_VERSION,
        "decap_server_version": DECAP_SERVER_VERSION,
        "pagefind_version": PAGEFIND_VERSION,
        "portal_spec": portal_spec,
    }
    files: dict[str, str | bytes] = {}
    # The repository's own files, then each kind's first records (its ``skeleton/``,
    # laid out as under data/).
    trees = [(SKELETON, ""), *((k.package / "skeleton", "data/") for k in registry.KINDS)]
    for tree, prefix in trees:
        for path in sorted(tree.rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            rel = path.relative_to(tree).as_posix()
            out = prefix + "/".join(part.replace(_DOT, ".", 1) if part.startswith(_DOT) else part
                                    for part in rel.split("/"))
            out = out.replace("__date__", str(values["today"])).replace("__year__", str(today.year))
            if out.endswith(".j2"):
                files[out.removesuffix(".j2")] = render_file(path, **values)
            else:
                files[out] = path.read_bytes()
    files.update(ci_files(portal_spec))
    files["README.md"] = render("templates/README.md.j2", **values)
    target.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            dest.write_bytes(content)
        else:
            dest.write_text(content, encoding="utf-8")
    result = InitResult(target, sorted(files))
    if git:
        result.git = _git_init(target)
    return result


def _git_init(target: Path) -> str:
    """``git init`` without a commit: the committee reviews, then commits."""
    exe = shutil.which("git")
    if exe is None:
        return "missing"
    done = subprocess.run([exe, "init", "-q", "-b", "main", str(target)], capture_output=True, text=True)
    if done.returncode != 0:  # git < 2.28 has no -b
        done = subprocess.run([exe, "init", "-q", str(target)], capture_output=True, text=True)
    return "initialised" if done.returncode == 0 else "failed"
