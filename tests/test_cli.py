"""The ``portal`` command as a user runs it: a real subprocess, real exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def portal(*args: str, cwd=None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120)


def test_clean_project_exits_0(minimal):
    result = portal("check", str(minimal.root))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "检查通过" in result.stdout
    assert "Traceback" not in result.stderr


def test_errors_exit_1_with_file_line_col_in_both_languages(minimal):
    minimal.replace("data/budgets/2024.csv", "2000,1800,", '2000,"1,800元",')
    zh = portal("check", str(minimal.root))
    en = portal("check", str(minimal.root), "--lang", "en")
    assert zh.returncode == en.returncode == 1
    assert "data/budgets/2024.csv:2:9: 错误 table.type: 实际金额（元）（actual） “1,800元” 不是数字；只填数字，如 1800" in zh.stdout
    assert "data/budgets/2024.csv:2:9: error table.type:" in en.stdout and "digits only, e.g. 1800" in en.stdout
    assert zh.stdout.strip().splitlines()[-1] == "共检查 13 个文件：1 个错误，0 个警告。"


def test_warnings_alone_exit_0(minimal):
    minimal.replace("data/meetings/2024-03-10-jwh.yaml", "status: done\n    done: 2024-04-20", "status: in-progress")
    result = portal("check", str(minimal.root))
    assert result.returncode == 0
    assert "警告 date.action-overdue" in result.stdout


def test_json_format(minimal):
    minimal.replace("data/notices/2024-001.yaml", "category: public-notice", "category: publc-notice")
    result = portal("check", str(minimal.root), "--format", "json", "--lang", "en")
    assert result.returncode == 1
    doc = json.loads(result.stdout)
    assert doc["ok"] is False and doc["errors"] == 1
    (p,) = doc["problems"]
    assert (p["code"], p["file"], p["line"], p["col"]) == ("schema.choice", "data/notices/2024-001.yaml", 3, 11)
    assert "public-notice" in p["hint"]


def test_github_annotations_escape_and_locate(minimal):
    minimal.replace("data/notices/2024-001.yaml", "经居委会", "联系 13812345678，经居委会")
    result = portal("check", str(minimal.root), "--format", "github")
    assert result.returncode == 1
    line = next(x for x in result.stdout.splitlines() if x.startswith("::error"))
    assert line.startswith("::error file=data/notices/2024-001.yaml,line=8,col=6,title=privacy.mobile::")
    assert "138****5678" in line and "13812345678" not in line


@pytest.mark.parametrize("args", [["check", "--format", "xml"], ["check", "--lang", "fr"], ["nonsense"]])
def test_usage_errors_exit_2(args):
    assert portal(*args).returncode == 2


def test_missing_data_folder(tmp_path):
    result = portal("check", str(tmp_path))
    assert result.returncode == 1
    assert "file.missing" in result.stdout and "data/" in result.stdout


def test_help_has_examples():
    result = portal("check", "--help")
    assert result.returncode == 0 and "Example:" in result.stdout
