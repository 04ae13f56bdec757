"""``git:`` communities: cloned or fetched with the real ``git`` into
``.portal-build/street/git/<id>``, ``ref`` checked out. A failure is one problem
(the community stays stale), never the street build's failure."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from generator.problems import Problem
from generator.street.model import STREET_FILE, CommunityEntry, community_root

TIMEOUT = 300  # seconds per git command: a hung remote must not hang the street build


def _git(*args: str, cwd: Path | None = None) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, timeout=TIMEOUT,
                   env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})


def fetch(street_root: Path, entry: CommunityEntry) -> Problem | None:
    """Bring ``entry``'s repository to its ``ref``; the problem if that failed."""
    assert entry.git
    target = community_root(street_root, entry)
    ref = entry.ref or "HEAD"
    try:
        if not (target / ".git").is_dir():
            shutil.rmtree(target, ignore_errors=True)
            target.parent.mkdir(parents=True, exist_ok=True)
            _git("clone", "--quiet", "--no-checkout", "--", entry.git, str(target))
        _git("fetch", "--quiet", "--force", "origin", ref, cwd=target)
        _git("checkout", "--quiet", "--force", "--detach", "FETCH_HEAD", cwd=target)
        _git("clean", "--quiet", "-fdx", "-e", ".portal-build", cwd=target)
    except FileNotFoundError:
        return Problem("street.fetch-failed", STREET_FILE,
                       params={"community": entry.id, "git": entry.git, "detail": "git is not installed"})
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or "").strip().splitlines()
        return Problem("street.fetch-failed", STREET_FILE,
                       params={"community": entry.id, "git": entry.git, "detail": detail[-1] if detail else str(exc)})
    except subprocess.TimeoutExpired:
        return Problem("street.fetch-failed", STREET_FILE,
                       params={"community": entry.id, "git": entry.git, "detail": f"timeout after {TIMEOUT} s"})
    return None
