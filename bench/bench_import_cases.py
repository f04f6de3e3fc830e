"""`manage.py import_cases` with 100,000 cases (CSV) on PostgreSQL: wall time and peak memory.

A throwaway database (created and dropped) is migrated and given the same organisation and
items as bench_statistics; a CSV of BENCH_IMPORT_CASES cases (default 100,000) is imported
once (all new) and again (all updates, the idempotent path). Targets: <= 60 s, < 300 MB each.
"""

import csv
import datetime
import os
import random
import tempfile
from pathlib import Path

from bench_statistics import CENTERS, DEPARTMENTS, ITEMS, prepared
from common import peak_memory, postgres_database, python, row, server_env

ROOT = Path(__file__).resolve().parent.parent
COUNT = int(os.environ.get("BENCH_IMPORT_CASES", "100000"))
HEADER = [
    "case_no",
    "center",
    "item_code",
    "channel",
    "received_at",
    "completed_at",
    "status",
    "satisfaction",
    "complaint",
]


def write_csv(path, count):
    rng = random.Random(7)
    start = datetime.datetime(2026, 2, 2, 8, 0)
    centers = ["city"] + [f"county{c}" for c in range(1, CENTERS)]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(count):
            received = start + datetime.timedelta(minutes=rng.randint(0, 60 * 24 * 25))
            done = rng.random() < 0.97
            completed = received + datetime.timedelta(hours=rng.randint(1, 24 * 9)) if done else None
            writer.writerow(
                [
                    f"IMP{n:08d}",
                    rng.choice(centers),
                    f"I{rng.randrange(DEPARTMENTS):02d}{rng.randrange(ITEMS)}",
                    rng.choice(["window", "online", "窗口", "网上"]),
                    received.isoformat(timespec="seconds"),
                    completed.isoformat(timespec="seconds") if completed else "",
                    "completed" if done else "received",
                    rng.choice(["good", "good", "good", "neutral", "", "5", "1"]) if done else "",
                    "是" if rng.random() < 0.002 else "",
                ]
            )


def run():
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-import-") as state, postgres_database(prefix="bench_cases") as url:
        env = server_env(state, url)
        prepared(env)
        path = Path(state) / "cases.csv"
        write_csv(path, COUNT)
        size_mib = path.stat().st_size / 1024 / 1024
        for label in ("new cases", "again: updates"):
            result = peak_memory([python(), "manage.py", "import_cases", str(path)], env=env, cwd=ROOT)
            if result["returncode"] != 0:
                raise RuntimeError(result["output"][-3000:])
            print("   ", result["output"].strip().splitlines()[-1])
            name = f"import_cases {COUNT:,} cases ({size_mib:.1f} MiB CSV, PostgreSQL, {label})"
            rows.append(row(f"{name}: wall time", result["seconds"], "s", "<= 60", result["seconds"] <= 60))
            rows.append(row(f"{name}: peak memory", result["peak_mib"], "MiB", "< 300", result["peak_mib"] < 300))
    return rows
