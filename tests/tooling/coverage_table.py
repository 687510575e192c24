"""Print test coverage per top-level package and fail below the gates.

Reads the combined coverage data (`coverage combine` first). Percentages count statements and
branches together, as `coverage report` does.

    python tests/tooling/coverage_table.py --fail-under 85 --package booking=90
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import coverage


def _percent(covered: int, total: int) -> float:
    return 100.0 * covered / total if total else 100.0


def package_totals(report: dict) -> dict[str, tuple[int, int]]:
    """(covered, total) of statements + branches per top-level package."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for name, info in report["files"].items():
        summary = info["summary"]
        package = Path(name).parts[0] if len(Path(name).parts) > 1 else "(root)"
        covered = summary["covered_lines"] + summary.get("covered_branches", 0)
        total = summary["num_statements"] + summary.get("num_branches", 0)
        totals[package][0] += covered
        totals[package][1] += total
    return {k: (v[0], v[1]) for k, v in sorted(totals.items())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fail-under", type=float, default=0.0, help="overall gate, percent")
    parser.add_argument(
        "--package", action="append", default=[], help="NAME=PERCENT gate for one package"
    )
    args = parser.parse_args(argv)
    gates = {name: float(value) for name, value in (p.split("=", 1) for p in args.package)}

    cov = coverage.Coverage()
    cov.load()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "coverage.json"
        # A file deleted since the run (a move in the working tree) is skipped, not fatal.
        cov.json_report(outfile=str(out), ignore_errors=True)
        report = json.loads(out.read_text())

    rows = package_totals(report)
    failures: list[str] = []
    print(f"{'package':<16}{'covered':>10}{'total':>10}{'percent':>10}{'gate':>8}")
    for package, (covered, total) in rows.items():
        pct = _percent(covered, total)
        gate = gates.get(package)
        mark = f"{gate:.0f}" if gate is not None else ""
        print(f"{package:<16}{covered:>10}{total:>10}{pct:>9.1f}%{mark:>8}")
        if gate is not None and pct < gate:
            failures.append(f"{package} {pct:.1f}% < {gate:.0f}%")
    covered = sum(c for c, _ in rows.values())
    total = sum(t for _, t in rows.values())
    overall = _percent(covered, total)
    print(f"{'TOTAL':<16}{covered:>10}{total:>10}{overall:>9.1f}%{args.fail_under:>8.0f}")
    if overall < args.fail_under:
        failures.append(f"overall {overall:.1f}% < {args.fail_under:.0f}%")
    for name in gates.keys() - rows.keys():
        failures.append(f"{name}: no coverage data")
    if failures:
        print("coverage below the gate: " + "; ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
