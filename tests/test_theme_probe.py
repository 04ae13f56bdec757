"""The theme probe (``generator.site.theme_probe``) is built at a placeholder site path, so
one probe serves every community whatever its address: the probe's key does not name the
site, and a site built from another site's probe gets the policy its own probe would give."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from generator.build import build, probe_store
from generator.kinds.common import Today
from generator.site import theme_probe
from generator.site.theme_probe import PROBE_PATH, OwnCode, at_path, probe_config, probe_key, site_path

PROJECTS = Path(__file__).resolve().parent / "projects"
URL_A = "https://a.example/one/"
URL_B = "https://street.example/two/"


@pytest.fixture
def caches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PORTAL_NO_CACHE", "0")  # the suite turns caches off; the probe store is one
    monkeypatch.setenv("PORTAL_SECRET", "probe-tests")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.setattr(Today, "value", dt.date(2026, 11, 20))
    return tmp_path


def _project(tmp: Path, name: str) -> Path:
    root = tmp / name
    shutil.copytree(PROJECTS / "minimal", root, ignore=shutil.ignore_patterns(".portal-build", "site"))
    return root


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def _key(config_file: Path, work: Path) -> str:
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    return probe_key(probe_config(config, work, {0, 1, 2}), "versions")


def test_sites_at_different_addresses_share_one_probe(caches: Path) -> None:
    a, b = _project(caches, "a"), _project(caches, "b")
    build(a, site_url=URL_A, jobs=1)
    stored = sorted(probe_store().glob("*.json"))
    assert len(stored) == 2  # zh and en
    assert all(PROBE_PATH.encode() in path.read_bytes() for path in stored)  # the found code names the placeholder
    build(b, site_url=URL_B, jobs=1)
    assert sorted(probe_store().glob("*.json")) == stored  # b used a's
    assert not (b / ".portal-build" / "zh" / "probe" / "site").exists()  # and built no probe
    for lang in ("zh", "en"):
        config_a, config_b = (root / ".portal-build" / lang / "mkdocs.yml" for root in (a, b))
        assert yaml.safe_load(config_a.read_text())["site_url"] != yaml.safe_load(config_b.read_text())["site_url"]
        assert _key(config_a, caches / "pa" / lang) == _key(config_b, caches / "pb" / lang)


def test_a_root_site_shares_it_too(caches: Path) -> None:
    config = {"theme": {"name": "material", "language": "zh"}, "docs_dir": "x", "site_dir": "y"}
    keys = {probe_key(probe_config({**config, "site_url": url}, caches / str(i), {0}), "v")
            for i, url in enumerate(("https://x.example/", "https://y.example/a/b/", "http://localhost:8000/"))}
    assert len(keys) == 1


def test_a_shared_probe_gives_the_policy_of_the_sites_own(caches: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = _project(caches, "a"), _project(caches, "b")
    build(a, site_url=URL_A, jobs=1)
    build(b, site_url=URL_B, jobs=1)  # from a's probe, found at the placeholder and moved to /two/
    shared = _files(b / "site")
    assert b"/two/" in shared["404.html"]  # the theme does name the site path (what at_path is for)

    own = _project(caches, "own")
    monkeypatch.setenv("XDG_CACHE_HOME", str(caches / "other-cache"))
    monkeypatch.setattr(theme_probe, "probe_path", lambda path: path)  # the probe at the site's own path
    build(own, site_url=URL_B, jobs=1)
    probe_404 = (own / ".portal-build" / "zh" / "probe" / "site" / "404.html").read_text(encoding="utf-8")
    assert "/two/" in probe_404 and PROBE_PATH not in probe_404
    alone = _files(own / "site")
    assert shared["_headers"] == alone["_headers"]
    assert sorted(shared) == sorted(alone)
    assert [name for name in shared if name.endswith(".html") and shared[name] != alone[name]] == []


def test_at_path_puts_the_real_path_in_place_of_the_placeholder() -> None:
    found = OwnCode(scripts={f'var __md_scope=new URL("{PROBE_PATH}",location)', "plain()"})
    assert at_path(found, "/street/two/").scripts == {'var __md_scope=new URL("/street/two/",location)', "plain()"}
    assert site_path({"site_url": "https://x.example/a/b"}) == "/a/b/"
    assert site_path({}) == "/"
    # a path some context would escape is probed where it is, not shared
    assert theme_probe.probe_path("/o'neil/") == "/o'neil/"
    assert theme_probe.probe_path("/street/two/") == PROBE_PATH
