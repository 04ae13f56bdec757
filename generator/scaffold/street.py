"""``portal init --street DIR``: a street repository (street.yaml, its communities
under ``communities/``, README for the street office, .gitignore, CI), and
``portal new community STREET --id x``: one more community and its street.yaml line.

A sub-folder community is what ``portal init`` makes, less its own CI files and
git repository: the street's repository and CI check and publish it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from generator.scaffold.ci import PLACEHOLDER_SPEC, ci_files
from generator.scaffold.init import InitResult, _git_init, init_project
from generator.scaffold.templating import SKELETON, ScaffoldError, render
from generator.street.model import COMMUNITIES_FOLDER, RESERVED_IDS, STREET_FILE

#: What a sub-folder community does not need: the street's repository has them.
_STREET_OWNS = (".github", ".gitlab-ci.yml", ".gitignore", ".pre-commit-config.yaml")


def _community(street: Path, community_id: str, name: str, portal_spec: str) -> list[str]:
    if community_id in RESERVED_IDS:
        raise ScaffoldError("cli.street.id-reserved", id=community_id)
    folder = street / COMMUNITIES_FOLDER / community_id
    result = init_project(folder, name=name, community_id=community_id, portal_spec=portal_spec, git=False)
    for rel in _STREET_OWNS:
        path = folder / rel
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    prefix = f"{COMMUNITIES_FOLDER}/{community_id}/"
    return [prefix + f for f in result.files if not f.startswith(_STREET_OWNS)]


def init_street(target: Path, name: str = "示例街道", street_id: str = "street",
                communities: list[str] | None = None, portal_spec: str = PLACEHOLDER_SPEC,
                git: bool = True) -> InitResult:
    """Create the street repository in ``target`` (missing or empty)."""
    target = Path(target)
    ids = communities or ["community"]
    if target.exists() and not target.is_dir():
        raise ScaffoldError("cli.init.not-a-folder", target=target)
    if target.is_dir() and any(target.iterdir()):
        raise ScaffoldError("cli.init.not-empty", target=target)
    if not name.strip():
        raise ScaffoldError("cli.init.no-name")
    for cid in ids:  # before anything is written
        if cid in RESERVED_IDS:
            raise ScaffoldError("cli.street.id-reserved", id=cid)
    if len(set(ids)) != len(ids):
        raise ScaffoldError("cli.street.id-taken", id=next(c for c in ids if ids.count(c) > 1))
    values = {"name": name.strip(), "name_yaml": json.dumps(name.strip(), ensure_ascii=False),
              "street_id": street_id, "communities": ids}
    files: dict[str, str] = {
        STREET_FILE: render("templates/street.yaml.j2", **values),
        "README.md": render("templates/street-README.md.j2", **values),
        ".gitignore": (SKELETON / "dot-gitignore").read_text(encoding="utf-8"),
        **ci_files(portal_spec, street=True),
    }
    target.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(content, encoding="utf-8")
    written = sorted(files)
    for cid in ids:
        written += _community(target, cid, cid, portal_spec)
    result = InitResult(target, written)
    if git:
        result.git = _git_init(target)
    return result


def add_community(street: Path, community_id: str, name: str | None = None,
                  portal_spec: str = PLACEHOLDER_SPEC) -> list[str]:
    """A new community under ``communities/`` and its line in street.yaml (appended:
    the file's comments and order stay as the street office wrote them)."""
    from generator.street.load import load_street  # the check's loader: refuse a broken street.yaml

    street = Path(street)
    path = street / STREET_FILE
    if not path.is_file():
        raise ScaffoldError("cli.street.not-a-street", directory=street)
    model, _problems = load_street(street)
    if model is not None and any(e.id == community_id for e in model.communities):
        raise ScaffoldError("cli.street.id-taken", id=community_id)
    files = _community(street, community_id, name or community_id, portal_spec)
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    # street.yaml's communities list is the last key (templates/street.yaml.j2), so an
    # entry appended at the end joins it.
    path.write_text(text + f"  - id: {community_id}\n", encoding="utf-8")
    return files
