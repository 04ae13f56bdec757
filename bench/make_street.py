"""Generate a synthetic street: ``street.yaml`` and one valid community project per
community, for the street-scale benchmarks (issue #20).

    python bench/make_street.py OUT --communities 30 --years 10 [--seed 1] [--verify]

Layout (``generator/street/model.py``)::

    OUT/street.yaml
    OUT/communities/<id>/data/…      # each a complete project: bench/make_scale_data.py
    OUT/.street-data.json            # the parameters and a page estimate (marker)

Every community has zh and en (``languages.others: [en]``), the last ``--years``
years of budgets and meetings, ``--meetings-per-year`` meetings (default 12: one a
month) and ``--lines-per-year`` budget lines (default 300). A community then
yields, per language, one page per meeting and per budget year plus 48 others
(section indexes, 12 notices, 4 rules, 5 forms, 8 services …): the defaults give
30 × 2 × (120 + 48 + 10) = 10,680 pages for 30 communities × 10 years. The estimate is
printed and kept in the marker; ``bench/bench_street.py`` counts the pages a
build really made.

The same seed gives byte-identical output (community ``i`` uses seed
``seed * 1000 + i``). ``--verify`` runs ``portal check`` (``generator.pipeline.check``)
on every community and fails on any error.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from make_scale_data import CommunitySpec, make  # noqa: E402

MARKER = ".street-data.json"
VERSION = 1  #: bump when the output changes
#: Pages per language and community besides one per meeting and one per budget year:
#: section indexes, notices, rules, forms, services, decisions … (counted on a build, 2026-12-06).
FIXED_PAGES = 48
#: Community names: (zh, pinyin), combined into ids and names.
NAMES = (
    ("和平", "heping"), ("新华", "xinhua"), ("光明", "guangming"), ("幸福", "xingfu"), ("长青", "changqing"),
    ("桃源", "taoyuan"), ("春晖", "chunhui"), ("明德", "mingde"), ("安居", "anju"), ("文苑", "wenyuan"),
    ("滨河", "binhe"), ("青山", "qingshan"), ("东湖", "donghu"), ("西园", "xiyuan"), ("南苑", "nanyuan"),
    ("北岸", "bei-an"), ("金桥", "jinqiao"), ("翠竹", "cuizhu"), ("枫林", "fenglin"), ("柳岸", "liu-an"),
    ("朝阳", "chaoyang"), ("锦绣", "jinxiu"), ("望江", "wangjiang"), ("花园", "huayuan"), ("清泉", "qingquan"),
    ("紫荆", "zijing"), ("银杏", "yinxing"), ("丰收", "fengshou"), ("团结", "tuanjie"), ("育才", "yucai"),
)


def community_specs(count: int) -> list[CommunitySpec]:
    """``count`` distinct communities: the names above, then numbered rounds of them."""
    specs = []
    for i in range(count):
        zh, py = NAMES[i % len(NAMES)]
        round_ = i // len(NAMES)
        suffix = f"-{round_ + 1}" if round_ else ""
        zh_name = f"{zh}{'' if not round_ else round_ + 1}社区"
        en_name = f"{py.replace('-', '').capitalize()}{f' {round_ + 1}' if round_ else ''} Community"
        ident = f"{py}{suffix}"
        specs.append(CommunitySpec(ident, zh_name, en_name, f"https://street.example.org/{ident}/"))
    return specs


def street_yaml(specs: list[CommunitySpec]) -> str:
    out = [
        "# Synthetic street for benchmarks (bench/make_street.py). Fictional throughout.",
        "id: sample-street",
        "name: {zh: 样本街道, en: Sample Subdistrict}",
        "district: {zh: 某区, en: Sample District}",
        "address: {zh: 某区样本路100号, en: 100 Sample Road}",
        "description: {zh: 为性能测试生成的虚构街道。, en: A fictional street generated for benchmarks.}",
        "languages: {default: zh, others: [en]}",
        "site_url: https://street.example.org/",
        "offices:",
        "  - id: office",
        "    name: {zh: 街道办事处, en: Subdistrict office}",
        "    phone: 0571-8000 1000",
        "    hours: {zh: 周一至周五 8:30—17:30, en: Mon–Fri 8:30–17:30}",
        "  - id: civil-affairs",
        "    name: {zh: 民政科, en: Civil affairs section}",
        "    duties: {zh: 社区建设与居民自治, en: Community building and self-government}",
        "communities:",
    ]
    out += [f"  - id: {spec.id}" for spec in specs]
    return "\n".join(out) + "\n"


def estimate_pages(communities: int, years: int, meetings_per_year: int) -> int:
    """Pages of the whole street, both languages (see the module docstring)."""
    return communities * 2 * (years * meetings_per_year + FIXED_PAGES + years)


def make_street(out: Path, communities: int = 30, years: int = 10, seed: int = 1,
                meetings_per_year: int = 12, lines_per_year: int = 300, force: bool = False) -> dict[str, object]:
    """Write the street at ``out``; return its summary (also written to the marker)."""
    t0 = time.perf_counter()
    out = Path(out)
    marker = out / MARKER
    if (out / "street.yaml").exists() or (out / "communities").exists():
        if not (marker.exists() or force):
            raise SystemExit(f"{out} holds a street this script did not make; use --force to replace it")
        shutil.rmtree(out / "communities", ignore_errors=True)
        (out / "street.yaml").unlink(missing_ok=True)
    marker.unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    specs = community_specs(communities)
    (out / "street.yaml").write_text(street_yaml(specs), encoding="utf-8")
    members = []
    for i, spec in enumerate(specs):
        summary = make(out / "communities" / spec.id, budget_lines=lines_per_year * years,
                       meetings=meetings_per_year * years, seed=seed * 1000 + i, years=years, community=spec)
        members.append({"id": spec.id, "decisions_adopted": summary["decisions_adopted"],
                        "meeting_yaml_bytes": summary["meeting_yaml_bytes"], "csv_bytes": summary["csv_bytes"]})
    result: dict[str, object] = {
        "version": VERSION, "communities": communities, "years": years, "seed": seed,
        "meetings_per_year": meetings_per_year, "lines_per_year": lines_per_year,
        "pages_estimate": estimate_pages(communities, years, meetings_per_year),
        "meeting_yaml_bytes": sum(int(m["meeting_yaml_bytes"]) for m in members),  # type: ignore[call-overload]
        "csv_bytes": sum(int(m["csv_bytes"]) for m in members),  # type: ignore[call-overload]
        "members": members, "seconds": round(time.perf_counter() - t0, 2),
    }
    marker.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return result


def read_marker(out: Path) -> dict[str, object] | None:
    try:
        return json.loads((Path(out) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def verify(out: Path) -> dict[str, list[str]]:
    """``street.yaml`` against the street model, then ``portal check`` of every
    community: errors by community id (none: valid)."""
    from pydantic import ValidationError

    from generator.loading.yamlfile import parse_yaml
    from generator.pipeline import check
    from generator.street.model import Street

    failures: dict[str, list[str]] = {}
    try:
        Street.model_validate(parse_yaml((Path(out) / "street.yaml").read_text(encoding="utf-8")))
    except ValidationError as exc:
        failures["street.yaml"] = [str(exc)]
    for folder in sorted((Path(out) / "communities").iterdir()):
        report = check(folder, cache=False)
        errors = [f"{p.file}:{p.line}: {p.code} {p.params}" for p in report.errors]
        if errors:
            failures[folder.name] = errors
    return failures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--communities", type=int, default=30)
    ap.add_argument("--years", type=int, default=10, help="the last N years of 2007–2026 (at most 20)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--meetings-per-year", type=int, default=12)
    ap.add_argument("--lines-per-year", type=int, default=300)
    ap.add_argument("--force", action="store_true", help="replace OUT's street even if this script did not make it")
    ap.add_argument("--verify", action="store_true", help="then run portal check on every community")
    args = ap.parse_args(argv)
    summary = make_street(args.out, args.communities, args.years, args.seed, args.meetings_per_year,
                          args.lines_per_year, args.force)
    print(json.dumps({k: v for k, v in summary.items() if k != "members"}))
    if args.verify:
        failures = verify(args.out)
        for ident, errors in failures.items():
            for error in errors[:10]:
                print(f"INVALID {ident}: {error}", file=sys.stderr)
        print("verify:", "ok, every community checks without errors" if not failures
              else f"{len(failures)} communit{'y' if len(failures) == 1 else 'ies'} with errors")
        return 1 if failures else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
