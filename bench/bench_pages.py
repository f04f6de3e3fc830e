"""Catalog pages under load: item pages and browse pages served by gunicorn (2 workers), on
SQLite and on PostgreSQL, uncached and with the page cache on (PAGE_CACHE_SECONDS); plus the
SQL query count of one item page render.

Throwaway state only: a private copy of the run's seeded SQLite database, and a PostgreSQL
database created (migrate + seed_demo) and dropped for the occasion. Figures are reported;
the targets judged are errors = 0 and the item page's query count <= 15.
Tunable: BENCH_CLIENTS (default 8), BENCH_DURATION seconds per scenario (default 10),
BENCH_POSTGRES=0 to skip PostgreSQL.
"""

import json
import os
import subprocess
import urllib.request

from common import gunicorn, load, postgres_database, prepare_database, prepared_state, python, row, server_env

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
DURATION = float(os.environ.get("BENCH_DURATION", "10"))
CACHE_SECONDS = 300
BROWSE_PATHS = [
    "/guides/",
    "/guides/?audience=person",
    "/guides/?audience=legal&center=city",
    "/guides/?center=city&charges=1",
    "/guides/?letter=Y",
    "/guides/?department=scjg&page=2",
]

QUERY_COUNT_SCRIPT = """
import json
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.core.cache import cache
from guides.models import GuidePage
item = GuidePage.objects.live().filter(charges=True).order_by("pk").first()
client = Client()
cache.clear()
with CaptureQueriesContext(connection) as cold:
    status = client.get(item.url).status_code
with CaptureQueriesContext(connection) as warm:
    client.get(item.url)
print(json.dumps({"status": status, "cold": len(cold), "warm": len(warm), "url": item.url}))
"""


def item_paths(base_url, count=40):
    with urllib.request.urlopen(f"{base_url}/api/items/?page_size={count}", timeout=30) as response:
        data = json.load(response)
    return [urllib.request.urlparse(result["url"]).path for result in data["results"]]


def query_count(env):
    result = subprocess.run(
        [python(), "manage.py", "shell", "-c", QUERY_COUNT_SCRIPT],
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        env={**env, "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(rows, server, database, cached):
    label_cache = "page cache on" if cached else "uncached"
    items = item_paths(server.url)
    scenarios = [("item page", items), ("browse page", BROWSE_PATHS)]
    load(server.url, items[:4] + BROWSE_PATHS[:2], clients=2, duration=2)  # warm both workers
    for name, paths in scenarios:
        result = load(server.url, paths, clients=CLIENTS, duration=DURATION)
        label = f"{name} ({database}, {label_cache}, gunicorn 2 workers, {CLIENTS} clients)"
        rows.append(row(f"{label}: median latency", result["p50_ms"], "ms"))
        rows.append(row(f"{label}: throughput", result["rps"], "req/s"))
        rows.append(row(f"{label}: p95 latency", result["p95_ms"], "ms"))
        rows.append(
            row(f"{label}: errors of {result['requests']}", result["errors"], "requests", "= 0", result["errors"] == 0)
        )
        if result["error_samples"]:
            print("    errors:", *result["error_samples"], sep="\n      ")


def run():
    rows = []
    with prepared_state() as (_state, env):
        counts = query_count(env)
        rows.append(
            row(
                "item page SQL queries (SQLite, first render: cold cache)",
                counts["cold"],
                "queries",
                "<= 15",
                counts["cold"] <= 15 and counts["status"] == 200,
            )
        )
        rows.append(row("item page SQL queries (SQLite, history and site cached)", counts["warm"], "queries"))
        with gunicorn({**env, "PAGE_CACHE_SECONDS": "0"}) as server:
            measure(rows, server, "SQLite", cached=False)
        with gunicorn({**env, "PAGE_CACHE_SECONDS": str(CACHE_SECONDS)}) as server:
            measure(rows, server, "SQLite", cached=True)

    if os.environ.get("BENCH_POSTGRES", "1") != "0":
        with postgres_database() as url, prepared_state() as (state, _sqlite_env):
            env = server_env(state, url)
            prepare_database(env)
            counts = query_count(env)
            rows.append(
                row(
                    "item page SQL queries (PostgreSQL, cold cache)",
                    counts["cold"],
                    "queries",
                    "<= 15",
                    counts["cold"] <= 15 and counts["status"] == 200,
                )
            )
            with gunicorn({**env, "PAGE_CACHE_SECONDS": "0"}) as server:
                measure(rows, server, "PostgreSQL", cached=False)
            with gunicorn({**env, "PAGE_CACHE_SECONDS": str(CACHE_SECONDS)}) as server:
                measure(rows, server, "PostgreSQL", cached=True)
    return rows
