"""The CI files: GitHub Actions (also read by Gitea and Forgejo Actions) and
GitLab CI. One template each serves both the committees' repositories (written
by ``portal init``) and this repository's own CI on its demo data, so what we
run is what they get.

``python -m generator.scaffold.ci`` rewrites this repository's copies; a test
fails when they drift from the templates.
"""

from __future__ import annotations

import sys
from pathlib import Path

from generator.scaffold.templating import render

#: Where each file goes, relative to the repository root.
GITHUB_WORKFLOW = ".github/workflows/site.yml"
GITLAB_CI = ".gitlab-ci.yml"
#: Installs the portal until there is a PyPI release; the committee replaces it
#: (``portal init --portal-spec``, or a PORTAL_SPEC CI variable). The guard in the
#: templates stops a run that still has this placeholder.
PLACEHOLDER_SPEC = "git+https://git.example.org/CHANGE-ME/community-portal.git"
#: This repository installs itself from the checkout, with its pinned versions.
SELF_SPEC = "-c constraints.txt -e ."


def ci_files(portal_spec: str = PLACEHOLDER_SPEC, self_repo: bool = False, street: bool = False) -> dict[str, str]:
    """The CI files by relative path.

    >>> sorted(ci_files())
    ['.github/workflows/site.yml', '.gitlab-ci.yml']
    """
    values = {"portal_spec": portal_spec, "self_repo": self_repo, "street": street}
    return {
        GITHUB_WORKFLOW: render("templates/ci/github.yml.j2", **values),
        GITLAB_CI: render("templates/ci/gitlab.yml.j2", **values),
    }


def write_own(repo: Path) -> list[Path]:
    """(Re)write this repository's own CI files from the templates."""
    written = []
    for rel, text in ci_files(SELF_SPEC, self_repo=True).items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    for p in write_own(Path(sys.argv[1] if len(sys.argv) > 1 else ".")):
        print(p)
