"""Portal under load: the home page and /healthz served by gunicorn (2 workers) on SQLite.

The database is a private copy of the seeded demo site (migrate + seed_demo); nothing is
shared with the developer's var/. Figures are reported, not judged, except errors (must be 0).
Tunable: BENCH_CLIENTS (default 8), BENCH_DURATION seconds per URL set (default 10).
"""

import os

from common import load, row, serve, sqlite_template

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
DURATION = float(os.environ.get("BENCH_DURATION", "10"))
SCENARIOS = [
    ("home page /", ["/"]),
    ("/healthz", ["/healthz"]),
]


def run():
    rows = []
    _template, stats = sqlite_template()  # migrate + seed_demo, once per bench run
    rows.append(row("migrate (empty SQLite): peak memory", stats["migrate"]["peak_mib"], "MiB"))
    rows.append(row("seed_demo (SQLite): peak memory", stats["seed_demo"]["peak_mib"], "MiB"))
    rows.append(row("seed_demo (SQLite): wall time", stats["seed_demo"]["seconds"], "s"))

    with serve() as server:
        load(server.url, ["/", "/healthz"], clients=2, duration=2)  # warm up both workers
        for label, paths in SCENARIOS:
            result = load(server.url, paths, clients=CLIENTS, duration=DURATION)
            name = f"{label} (gunicorn 2 workers, SQLite, {CLIENTS} clients)"
            rows.append(row(f"{name}: throughput", result["rps"], "req/s"))
            rows.append(row(f"{name}: p50 latency", result["p50_ms"], "ms"))
            rows.append(row(f"{name}: p95 latency", result["p95_ms"], "ms"))
            rows.append(row(f"{name}: p99 latency", result["p99_ms"], "ms"))
            rows.append(
                row(
                    f"{name}: errors of {result['requests']}",
                    result["errors"],
                    "requests",
                    "= 0",
                    result["errors"] == 0,
                )
            )
            if result["error_samples"]:
                print("    errors:", *result["error_samples"], sep="\n      ")
        rows.append(row("gunicorn master + 2 workers after load: RSS", server.rss_mib(), "MiB"))
    return rows
