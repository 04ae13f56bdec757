"""bench/make_street.py writes a street whose every community passes `portal check`,
deterministically per seed."""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys
from pathlib import Path

from generator.loading.yamlfile import parse_yaml
from generator.street.model import Street, community_root

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "bench" / "make_street.py"


def make(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, str(SCRIPT), str(out), "--communities", "2", "--years", "1", *extra],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=600)


def test_tiny_street_checks_clean(tmp_path):
    run = make(tmp_path / "street", "--verify")
    assert run.returncode == 0, run.stderr
    assert "verify: ok" in run.stdout
    street = Street.model_validate(parse_yaml((tmp_path / "street" / "street.yaml").read_text(encoding="utf-8")))
    assert len(street.communities) == 2
    roots = [community_root(tmp_path / "street", entry) for entry in street.communities]
    for root in roots:
        community = parse_yaml((root / "data" / "community.yaml").read_text(encoding="utf-8"))
        assert community["languages"] == {"default": "zh", "others": ["en"]}
        assert len(list((root / "data" / "meetings").glob("*.yaml"))) == 12  # one year, one a month
        assert sorted(p.name for p in (root / "data" / "budgets").glob("20*.csv")) == ["2026.csv"]
    # each community is checked by `portal check` itself, with 0 errors
    for root in roots:
        cli = subprocess.run([sys.executable, "-m", "generator", "check", str(root)], capture_output=True,
                             text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, cwd=REPO, timeout=600)
        assert cli.returncode == 0, cli.stdout + cli.stderr


def test_same_seed_same_street(tmp_path):
    assert make(tmp_path / "a").returncode == 0
    assert make(tmp_path / "b").returncode == 0
    compare = filecmp.dircmp(tmp_path / "a", tmp_path / "b", ignore=[".street-data.json", ".scale-data.json"])  # timings

    def differences(c: filecmp.dircmp[str]) -> list[str]:
        found = c.left_only + c.right_only + c.diff_files
        for sub in c.subdirs.values():
            found += differences(sub)
        return found

    assert differences(compare) == []
    assert make(tmp_path / "c", "--seed", "2").returncode == 0
    assert not filecmp.cmp(*(tmp_path / x / "communities/heping/data/budgets/2026.csv" for x in "ac"), shallow=False)
