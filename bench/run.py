#!/usr/bin/env python
"""Run every bench/bench_*.py (or those named on the command line) and print one table.

Each module exposes `run() -> list[dict]` with rows {benchmark, figure, unit, target, ok}
(see bench/common.py: row()). Benchmarks work on throwaway state: this runner points
GONGKAI_STATE_DIR at a temporary directory for the whole run and removes it afterwards.
Exit status: 1 when a benchmark crashed (or, with --strict, missed a target); else 0.

    bench/run.py                 # all benchmarks
    bench/run.py portal search   # bench_portal.py and bench_search.py only
"""

import argparse
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.production"
os.environ["GONGKAI_LOCAL"] = "1"
for path in (str(ROOT), str(BENCH)):
    if path not in sys.path:
        sys.path.insert(0, path)


def discover(names):
    modules = sorted(BENCH.glob("bench_*.py"))
    if names:
        wanted = {name.removeprefix("bench_").removesuffix(".py") for name in names}
        unknown = wanted - {module.stem.removeprefix("bench_") for module in modules}
        if unknown:
            sys.exit(f"no such benchmark: {', '.join(sorted(unknown))}")
        modules = [module for module in modules if module.stem.removeprefix("bench_") in wanted]
    return modules


def load_module(path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def format_figure(value):
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:.0f}"
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return str(value)


def format_ok(value):
    return {True: "ok", False: "MISSED", None: "—"}[value]


def print_table(rows):
    headers = ["benchmark", "figure", "unit", "target", "ok"]
    cells = [
        [
            str(row.get("benchmark", "?")),
            format_figure(row.get("figure")),
            str(row.get("unit", "")),
            str(row.get("target", "")),
            format_ok(row.get("ok")),
        ]
        for row in rows
    ]
    widths = [
        max(len(header), *(len(cell[i]) for cell in cells)) if cells else len(header)
        for i, header in enumerate(headers)
    ]
    right = {1}  # figures align right

    def line(values):
        return "  ".join(
            value.rjust(widths[i]) if i in right else value.ljust(widths[i]) for i, value in enumerate(values)
        ).rstrip()

    print(line(headers))
    print("  ".join("-" * width for width in widths))
    for cell in cells:
        print(line(cell))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="benchmarks to run (e.g. portal for bench_portal.py)")
    parser.add_argument("--strict", action="store_true", help="also exit 1 when a target is missed")
    parser.add_argument("--keep", action="store_true", help="keep the temporary state directory")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="gongkai-bench-"))
    os.environ["BENCH_TMP"] = str(tmp)
    # Anything that falls back to the default state (in-process Django included) lands here.
    os.environ["GONGKAI_STATE_DIR"] = str(tmp / "state")
    rows, crashed = [], []
    started = time.perf_counter()
    try:
        for path in discover(args.names):
            name = path.stem
            print(f"=== {name} ===", flush=True)
            began = time.perf_counter()
            try:
                result = list(load_module(path).run())
                for row in result:
                    missing = {"benchmark", "figure", "unit", "target", "ok"} - set(row)
                    if missing:
                        raise ValueError(f"row {row!r} lacks {', '.join(sorted(missing))}")
                rows.extend(result)
                print(f"    {len(result)} rows in {time.perf_counter() - began:.1f} s", flush=True)
            except Exception:  # a crash is reported in the table and the exit status
                traceback.print_exc()
                crashed.append(name)
                rows.append(
                    {"benchmark": f"{name}: CRASHED", "figure": None, "unit": "", "target": "runs", "ok": False}
                )
    finally:
        if args.keep:
            print(f"state kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    results_dir = BENCH / "results"
    results_dir.mkdir(exist_ok=True)
    (results_dir / "latest.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1, default=str))
    print()
    print_table(rows)
    missed = [row for row in rows if row.get("ok") is False and not row["benchmark"].endswith(": CRASHED")]
    print()
    print(
        f"{len(rows)} rows, {len(missed)} missed targets, {len(crashed)} crashed benchmarks"
        f" ({time.perf_counter() - started:.0f} s)"
    )
    if crashed or (args.strict and missed):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
