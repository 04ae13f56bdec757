"""The check cache's fingerprint reads only files whose status changed
(generator/loading/cache.py ``fingerprint(root, digests)``), and still sees every edit."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from generator.loading import cache as cache_mod
from generator.loading.cache import Digests, fingerprint
from generator.pipeline import check


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the fingerprint hashed (read), by name."""
    seen: list[str] = []
    real = hashlib.file_digest

    def counting(f, digest):  # type: ignore[no-untyped-def]
        seen.append(Path(f.name).name)
        return real(f, digest)

    monkeypatch.setattr(cache_mod.hashlib, "file_digest", counting)
    return seen


def test_unchanged_files_are_not_read_again(minimal, reads, monkeypatch):
    monkeypatch.setattr(cache_mod, "RACY_NS", 0)  # every file counts as old enough to trust
    digests: Digests = {}
    first, _ = fingerprint(minimal.root, digests)
    assert len(reads) > 10 and len(digests) == len(reads)
    reads.clear()
    again, _ = fingerprint(minimal.root, digests)
    assert again == first and reads == []
    minimal.replace("data/community.yaml", "\n", "\n# edited\n")
    edited, _ = fingerprint(minimal.root, digests)
    assert reads == ["community.yaml"] and edited != first


def test_a_same_size_edit_with_the_old_modification_time_is_seen(minimal, reads, monkeypatch):
    """The change time moves on any write, even when the modification time is set back."""
    monkeypatch.setattr(cache_mod, "RACY_NS", 0)
    digests: Digests = {}
    first, _ = fingerprint(minimal.root, digests)
    path = minimal.path("data/community.yaml")
    before = os.stat(path)
    text = minimal.read("data/community.yaml")
    swapped = text.replace("zh", "zx", 1)
    assert len(swapped.encode()) == len(text.encode()) and swapped != text
    path.write_text(swapped, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    reads.clear()
    edited, _ = fingerprint(minimal.root, digests)
    assert reads == ["community.yaml"] and edited != first


def test_recently_changed_files_are_read_every_time(minimal, reads):
    digests: Digests = {}
    fingerprint(minimal.root, digests)
    assert digests == {}  # all just copied: within RACY_NS, nothing is trusted
    reads.clear()
    fingerprint(minimal.root, digests)
    assert len(reads) > 10


def test_warm_check_with_trusted_digests_reports_each_edit(minimal, monkeypatch, tmp_path_factory):
    monkeypatch.delenv("PORTAL_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg")))
    monkeypatch.setattr(cache_mod, "RACY_NS", 0)
    assert check(minimal.root, jobs=1).ok
    minimal.replace("data/community.yaml", "languages: {default: zh", "languages: {default: xx")
    warm = check(minimal.root, jobs=1)
    cold = check(minimal.root, jobs=1, cache=False)
    assert warm.problems and [(p.file, p.line, p.code) for p in warm.problems] == \
        [(p.file, p.line, p.code) for p in cold.problems]
