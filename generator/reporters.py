"""Render a report as text, JSON, or GitHub Actions annotations."""

from __future__ import annotations

import json
from typing import Callable

from generator.messages import render
from generator.problems import Problem, Report
from portal_core import i18n


def _where(p: Problem) -> str:
    out = p.file
    if p.line is not None:
        out += f":{p.line}"
        if p.col is not None:
            out += f":{p.col}"
    return out


def text(report: Report, lang: str = "zh") -> str:
    """``path:line:col: severity code: message；hint`` then a summary line."""
    sep = i18n.text("cli.check.hint-separator", lang)
    lines = []
    for p in report.sorted():
        msg, hint = render(p, lang)
        sev = i18n.text(f"cli.check.{p.severity}", lang)
        lines.append(f"{_where(p)}: {sev} {p.code}: {msg}" + (f"{sep}{hint}" if hint else ""))
    lines.append(summary(report, lang))
    return "\n".join(lines) + "\n"


def summary(report: Report, lang: str = "zh") -> str:
    e, w, n = len(report.errors), len(report.warnings), report.files_checked
    if not e and not w:
        return i18n.text("cli.check.ok", lang, n=n)
    return i18n.text("cli.check.summary", lang, n=n, errors=e, warnings=w)


def as_json(report: Report, lang: str = "zh") -> str:
    problems = []
    for p in report.sorted():
        msg, hint = render(p, lang)
        params = {k: v for k, v in p.params.items() if isinstance(v, (str, int, float, bool, list))}
        problems.append({"severity": p.severity, "code": p.code, "file": p.file, "line": p.line,
                         "col": p.col, "message": msg, "hint": hint, "params": params})
    doc = {"ok": report.ok, "errors": len(report.errors), "warnings": len(report.warnings),
           "files_checked": report.files_checked, "problems": problems}
    return json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n"


def _escape_data(value: str) -> str:
    # https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(report: Report, lang: str = "zh") -> str:
    """GitHub Actions workflow commands: an annotation on the offending line."""
    sep = i18n.text("cli.check.hint-separator", lang)
    lines = []
    for p in report.sorted():
        msg, hint = render(p, lang)
        props = [f"file={_escape_prop(p.file)}"]
        if p.line is not None:
            props.append(f"line={p.line}")
        if p.col is not None:
            props.append(f"col={p.col}")
        props.append(f"title={_escape_prop(p.code)}")
        lines.append(f"::{p.severity} {','.join(props)}::{_escape_data(msg + (sep + hint if hint else ''))}")
    lines.append(summary(report, lang))
    return "\n".join(lines) + "\n"


FORMATS: dict[str, Callable[[Report, str], str]] = {"text": text, "json": as_json, "github": github}
