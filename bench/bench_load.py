"""Load and resilience (issue 7): the whole site under 50 concurrent clients, then the same load
with Redis stopped mid-run, then with the search backend unavailable.

Setup: a throwaway PostgreSQL database (migrate + seed_demo; BENCH_SMALL=1 for the small demo),
Redis at 127.0.0.1:6379 database BENCH_REDIS_DB (default 5, flushed first; other people's tests
use database 0), gunicorn with 2 workers, the page cache on (PAGE_CACHE_SECONDS=300, in Redis),
search sync through the task queue, and the rate limits raised out of reach (RATE_LIMIT_*, still
counted in Redis) so that 50 clients from one address are not throttled. The request mix cycles through item pages, browse pages with
filters, the search page, and the JSON APIs (/api/items/, /api/search/, /api/suggest/,
/api/fees/).

1. Steady load: requests per second, p50/p95/p99 latency, errors (target 0).
2. Redis outage: the same load; after a third of the run Redis is shut down (SHUTDOWN SAVE, so
   other users' keys come back), after another third it is restarted (always, in a finally
   block). Errors during the outage (target 0); an item published during the outage (its search
   sync cannot be queued, so it runs inline); a task queued just before the outage, completed
   by a qcluster started after Redis returned; a task queued after Redis returned, completed by
   the qcluster that ran through the outage.
3. Search backend unavailable (embedded index path on a corrupt file; Elasticsearch URL on a
   closed port): every search request answers 503 with the polite message (never 500), the rest
   of the site answers normally (target: 0 errors on non-search requests).

4. Elasticsearch (bench_elasticsearch.under_load): the mixed load with ELASTICSEARCH_URL set on
   a live node, then on a node of its own killed a third of the way in (search answers 503
   after the kill, everything else succeeds). BENCH_LOAD_ELASTICSEARCH=0 leaves it out.

Tunable: BENCH_LOAD_CLIENTS (50), BENCH_LOAD_DURATION (60 s per run), BENCH_LOAD_BROKEN_DURATION
(20 s per broken-search run), BENCH_REDIS_DB (5), BENCH_SMALL=1 (small demo site).
"""

import json
import os
import random
import resource
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote, urlparse

from bench_pages import BROWSE_PATHS
from common import (
    ROOT,
    bench_tmp,
    gunicorn,
    load,
    percentile,
    postgres_database,
    prepare_database,
    python,
    row,
    server_env,
)

CLIENTS = int(os.environ.get("BENCH_LOAD_CLIENTS", "50"))
DURATION = float(os.environ.get("BENCH_LOAD_DURATION", "60"))
BROKEN_DURATION = float(os.environ.get("BENCH_LOAD_BROKEN_DURATION", "20"))
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "5"))
REDIS_PORT = 6379
REDIS_DIR = Path("/var/lib/redis")
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    str(REDIS_PORT),
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    str(REDIS_DIR),
    "--logfile",
    "/var/log/redis/ci.log",
]
RATE_LIMIT = 1_000_000_000  # per client and minute: all 50 clients share one address
OUTAGE_AT = DURATION / 3
OUTAGE_FOR = DURATION / 3

QUERIES = ["身份证", "营业执照", "yyzz", "开饭店要什么证", "公积金提取", "婚姻登记", "社保卡", "不动产登记 抵押"]
SEARCH_PATHS = [f"/search/?q={quote(q)}" for q in QUERIES]
API_PATHS = [
    "/api/items/",
    "/api/items/?center=city&page=2",
    "/api/items/?audience=person&charges=true",
    *[f"/api/search/?q={quote(q)}" for q in QUERIES[::2]],
    *[f"/api/suggest/?q={quote(q)}" for q in ["yy", "身份", "gjj", "营业"]],
    "/api/fees/",
    "/api/fees/?center=city",
]

ENQUEUE_SCRIPT = """
import json, time
from django_q.tasks import async_task
from guides.models import GuidePage
from search.documents import model_key
item = GuidePage.objects.live().order_by("pk").first()
task = async_task("search.indexing.refresh", [model_key(item)], task_name="bench-load-{label}")
print(json.dumps({{"id": task, "at": time.time()}}))
"""
PUBLISH_SCRIPT = """
import json, time
from guides.models import GuidePage
from search.backends import get_backend
from search.documents import model_key
item = GuidePage.objects.live().order_by("-pk").first()
key = model_key(item)
get_backend().delete([key])
began = time.perf_counter()
item.save_revision().publish()  # search sync: queue (Redis down) -> inline refresh
print(json.dumps({"seconds": time.perf_counter() - began, "indexed": bool(get_backend().get([key]))}))
"""


def kind(path):
    if path.startswith("/search/"):
        return "search page"
    if path.startswith("/api/search/"):
        return "search API"
    if path.startswith("/api/"):
        return "other API"
    if path.startswith("/guides/") and "?" in path or path == "/guides/":
        return "browse page"
    return "item page"


def request_mix(items):
    """About 40% item pages, 20% browse pages, 15% search page, 25% API calls, shuffled."""
    rng = random.Random(7)
    mix = items * 2 + BROWSE_PATHS * 3 + SEARCH_PATHS * 2 + API_PATHS * 2
    rng.shuffle(mix)
    return mix


def get_json(url, timeout=30):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.load(response)


def redis_cli(*args, db=None, timeout=10):
    cmd = ["redis-cli", "-p", str(REDIS_PORT)] + (["-n", str(db)] if db is not None else []) + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def redis_up():
    try:
        with socket.create_connection(("127.0.0.1", REDIS_PORT), timeout=1):
            pass
    except OSError:
        return False
    return redis_cli("ping", timeout=5).stdout.strip() == "PONG"


def start_redis(wait=20):
    """Start Redis if it is not answering; True when it answers PONG."""
    if redis_up():
        return True
    subprocess.run(REDIS_START, capture_output=True, timeout=30)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if redis_up():
            return True
        time.sleep(0.1)
    return False


def manage_shell(env, script, timeout=300):
    result = subprocess.run(
        [python(), "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py shell failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return result.stdout.strip().splitlines()[-1]


class QCluster:
    """A `manage.py qcluster` subprocess (its own session, stopped with SIGTERM)."""

    def __init__(self, env, name):
        self.log = Path(env["GONGKAI_STATE_DIR"]) / f"qcluster-{name}.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [python(), "manage.py", "qcluster"],
                cwd=ROOT,
                env={**env, "Q_CLUSTER_NAME": name},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(timeout=10)


def enqueue(env, label, queue=None):
    """Queue a real task (a search refresh of one item); returns {"id", "at" (epoch seconds)}."""
    return json.loads(
        manage_shell({**env, "Q_CLUSTER_NAME": queue or env["Q_CLUSTER_NAME"]}, ENQUEUE_SCRIPT.format(label=label))
    )


def task_done(database_url, task_id, since, timeout=90):
    """Seconds from `since` (epoch) until django-q2 recorded the task as done successfully;
    None when it failed or did not finish within `timeout` seconds."""
    import psycopg

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with psycopg.connect(database_url, autocommit=True) as connection:
            found = connection.execute(
                "SELECT success, stopped FROM django_q_task WHERE id = %s", (task_id,)
            ).fetchone()
        if found is not None:
            return round(found[1].timestamp() - since, 1) if found[0] else None
        time.sleep(0.5)
    return None


def summarise(result, rows, label, target_errors=True):
    rows.append(row(f"{label}: throughput", result["rps"], "req/s"))
    rows.append(row(f"{label}: p50 latency", result["p50_ms"], "ms"))
    rows.append(row(f"{label}: p95 latency", result["p95_ms"], "ms"))
    rows.append(row(f"{label}: p99 latency", result["p99_ms"], "ms"))
    if target_errors:
        rows.append(
            row(f"{label}: errors of {result['requests']}", result["errors"], "requests", "= 0", result["errors"] == 0)
        )
    if result["error_samples"]:
        print("    errors:", *result["error_samples"], sep="\n      ")
    by_kind = defaultdict(list)
    for _began, seconds, _status, path in result.get("timeline", []):
        by_kind[kind(path)].append(seconds)
    for name, values in sorted(by_kind.items()):
        values.sort()
        print(
            f"    {label} / {name}: {len(values)} requests, p50 {percentile(values, 0.5) * 1000:.0f} ms,"
            f" p95 {percentile(values, 0.95) * 1000:.0f} ms"
        )


def window(result, start, end):
    """Requests that began in [start, end) (perf_counter): count, errors, rps, p95."""
    events = [e for e in result["timeline"] if start <= e[0] < end]
    errors = [e for e in events if e[2] == "exception" or e[2] >= 400]
    latencies = sorted(e[1] for e in events)
    seconds = max(end - start, 1e-9)
    p95 = percentile(latencies, 0.95)
    return {
        "requests": len(events),
        "errors": len(errors),
        "samples": [f"{e[3]}: {e[2]}" for e in errors[:5]],
        "rps": round(len(events) / seconds, 1),
        "p95_ms": None if p95 is None else round(p95 * 1000, 1),
    }


def steady(rows, server, paths):
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    result = load(server.url, paths, clients=CLIENTS, duration=DURATION, timeline=True)
    used = resource.getrusage(resource.RUSAGE_SELF)
    label = f"mixed load (PostgreSQL + Redis, gunicorn 2 workers, {CLIENTS} clients, {DURATION:.0f} s)"
    summarise(result, rows, label)
    generator = (used.ru_utime - cpu.ru_utime + used.ru_stime - cpu.ru_stime) / result["seconds"]
    rows.append(row("mixed load: the load generator's own CPU use", round(generator * 100, 1), "% of 1 CPU"))


def outage(rows, server, env, database_url, paths):
    """The same load with Redis shut down from OUTAGE_AT for OUTAGE_FOR seconds."""
    late = []  # the qcluster started after Redis returned
    try:
        _outage(rows, server, env, database_url, paths, late)
    finally:
        for cluster in late:
            cluster.stop()


def _outage(rows, server, env, database_url, paths, late):
    marks, notes = {}, {}
    resume_queue = f"{env['Q_CLUSTER_NAME']}-resume"
    dump = REDIS_DIR / "dump.rdb"
    dump_existed = dump.exists()
    started = time.perf_counter()

    def at(seconds):
        time.sleep(max(0.0, started + seconds - time.perf_counter()))

    def controller():
        try:
            # Queued just before the outage, for a cluster that is not running yet.
            at(max(0.0, OUTAGE_AT - 8))
            notes["queued_before"] = enqueue(env, "before", queue=resume_queue)
            at(OUTAGE_AT)
            # SAVE, not NOSAVE: the queue (and other users' keys in database 0) survive the restart.
            redis_cli("shutdown", "save", timeout=30)
            marks["down"] = time.perf_counter()
            notes["down_confirmed"] = not redis_up()
            at(OUTAGE_AT + 2)
            try:
                notes["publish"] = json.loads(manage_shell(env, PUBLISH_SCRIPT))
            except Exception as exc:  # reported as a row
                notes["publish"] = {"error": str(exc)[-500:]}
            at(OUTAGE_AT + OUTAGE_FOR)
        finally:
            notes["restarted"] = start_redis()
            marks["up"] = time.perf_counter()
            notes["up_at"] = time.time()
            if notes["restarted"] and notes.get("queued_before"):
                # The queue's cluster starts now that Redis is back (the load still runs).
                late.append(QCluster(env, resume_queue))
            if not dump_existed:
                dump.unlink(missing_ok=True)  # loaded already; do not resurrect it on a later start

    thread = threading.Thread(target=controller, daemon=True)
    thread.start()
    try:
        result = load(server.url, paths, clients=CLIENTS, duration=DURATION, timeline=True)
        thread.join(timeout=120)
    finally:
        if not start_redis():
            raise RuntimeError("Redis did not come back; start it with: " + " ".join(REDIS_START))
    label = f"mixed load with Redis down {OUTAGE_AT:.0f}–{OUTAGE_AT + OUTAGE_FOR:.0f} s of {DURATION:.0f} s"
    summarise(result, rows, label)
    down, up = marks.get("down"), marks.get("up")
    if down and up:
        before = window(result, result["started"], down)
        during = window(result, down, up)
        after = window(result, up, result["started"] + DURATION)
        rows.append(row("Redis outage: throughput before", before["rps"], "req/s"))
        rows.append(row("Redis outage: throughput while Redis is down", during["rps"], "req/s"))
        rows.append(row("Redis outage: p95 latency while Redis is down", during["p95_ms"], "ms"))
        rows.append(
            row(
                f"Redis outage: errors while Redis is down ({up - down:.0f} s) of {during['requests']}",
                during["errors"],
                "requests",
                "= 0",
                during["errors"] == 0 and during["requests"] > 0 and notes.get("down_confirmed", False),
            )
        )
        rows.append(row("Redis outage: throughput after Redis returned", after["rps"], "req/s"))
        if during["samples"]:
            print("    errors during the outage:", *during["samples"], sep="\n      ")
    else:
        rows.append(row("Redis outage: not carried out", None, "", "runs", False))
    publish = notes.get("publish", {})
    rows.append(
        row(
            "Redis outage: publish an item while Redis is down (search sync inline)",
            round(publish["seconds"], 2) if "seconds" in publish else None,
            "s",
            "no error, indexed",
            bool(publish.get("indexed")),
        )
    )
    if "error" in publish:
        print("    publish during the outage failed:", publish["error"])

    # Queued work resumes: a task queued before the outage (no cluster was running for its
    # queue) completes once a cluster starts after Redis returned; a task queued now completes
    # on the cluster that ran through the outage.
    resumed = task_done(database_url, notes["queued_before"]["id"], since=notes["up_at"]) if late else None
    rows.append(
        row(
            "Redis outage: task queued before it, done (cluster started after Redis returned) in",
            resumed,
            "s",
            "completes",
            resumed is not None,
        )
    )
    queued = enqueue(env, "after")
    survived = task_done(database_url, queued["id"], since=queued["at"])
    rows.append(
        row(
            "Redis outage: task queued after it, done by the cluster that ran through it, in",
            survived,
            "s",
            "completes",
            survived is not None,
        )
    )


def unavailable_rows(label, search, other):
    """Rows for a run with search unavailable: search requests answered 503 (never 500), other
    requests without errors. Returns (rows, polite count, other errors)."""
    polite = sum(1 for e in search if e[2] == 503)
    other_errors = [e for e in other if e[2] == "exception" or e[2] >= 400]
    found = [
        row(
            f"{label}: search requests answered 503 of {len(search)}",
            polite,
            "requests",
            "all (never 500)",
            bool(search) and polite == len(search),
        ),
        row(
            f"{label}: errors on other requests of {len(other)}",
            len(other_errors),
            "requests",
            "= 0",
            bool(other) and not other_errors,
        ),
    ]
    return found, polite, other_errors


def broken_search(rows, env, paths, name, overrides):
    """Load with the search backend unavailable: search answers 503, the rest 2xx."""
    with gunicorn({**env, **overrides}, ready_path="/") as server:
        load(server.url, paths[:20], clients=4, duration=3)  # warm up both workers
        result = load(server.url, paths, clients=CLIENTS, duration=BROKEN_DURATION, timeline=True)
    search = [e for e in result["timeline"] if kind(e[3]) in {"search page", "search API"}]
    other = [e for e in result["timeline"] if kind(e[3]) not in {"search page", "search API"}]
    statuses = Counter(e[2] for e in search)
    label = f"search unavailable ({name}, {CLIENTS} clients, {BROKEN_DURATION:.0f} s)"
    rows.append(row(f"{label}: throughput", result["rps"], "req/s"))
    found, polite, other_errors = unavailable_rows(label, search, other)
    rows.extend(found)
    if polite != len(search):
        print("    search statuses:", dict(statuses))
    if other_errors:
        print("    errors:", *[f"{e[3]}: {e[2]}" for e in other_errors[:5]], sep="\n      ")


def run():
    rows = []
    if not start_redis():
        raise RuntimeError("Redis does not answer at 127.0.0.1:6379")
    small = os.environ.get("BENCH_SMALL", "") == "1"
    redis_cli("flushdb", db=REDIS_DB)
    state = Path(tempfile.mkdtemp(prefix="state-load-", dir=bench_tmp()))
    clusters = []
    try:
        with postgres_database(prefix="bench_load") as database_url:
            seed_env = server_env(state, database_url)
            began = time.perf_counter()
            prepare_database(seed_env, small=small)
            rows.append(
                row(
                    f"load bench setup: migrate + seed_demo{' --small' if small else ''} (PostgreSQL)",
                    round(time.perf_counter() - began, 1),
                    "s",
                )
            )
            name = f"bench-load-{os.getpid()}"
            env = server_env(
                state,
                database_url,
                REDIS_URL=f"redis://127.0.0.1:{REDIS_PORT}/{REDIS_DB}",
                CACHE_KEY_PREFIX=name,
                Q_CLUSTER_NAME=name,
                Q_WORKERS=1,
                SEARCH_SYNC_ASYNC=1,
                PAGE_CACHE_SECONDS=300,
                # Raised, not off: the rate limiter still counts every request in Redis.
                RATE_LIMIT_SEARCH=RATE_LIMIT,
                RATE_LIMIT_SUGGEST=RATE_LIMIT,
                RATE_LIMIT_API=RATE_LIMIT,
            )
            with gunicorn(env) as server:
                data = get_json(f"{server.url}/api/items/?page_size=40")
                items = [urlparse(result["url"]).path for result in data["results"]]
                items += [urlparse(result["detail"]).path for result in data["results"][:10]]
                paths = request_mix(items)
                load(server.url, paths[:40], clients=4, duration=5)  # warm up both workers
                print(f"    load average before the run: {os.getloadavg()}")
                steady(rows, server, paths)
                clusters.append(QCluster(env, name))
                queued = enqueue(env, "baseline")
                baseline = task_done(database_url, queued["id"], since=queued["at"])
                rows.append(
                    row(
                        "task queue (Redis up): a queued task done in", baseline, "s", "completes", baseline is not None
                    )
                )
                print(f"    load average before the outage run: {os.getloadavg()}")
                outage(rows, server, env, database_url, paths)
            corrupt = state / "corrupt-index.sqlite3"
            corrupt.write_bytes(b"not an SQLite database\n" * 500)
            with socket.socket() as closed:
                closed.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
                port = closed.getsockname()[1]
                # A fresh cache key prefix each: the other pages render, not served from the page cache.
                broken_search(
                    rows,
                    env,
                    paths,
                    "embedded index: corrupt file",
                    {"SEARCH_INDEX_PATH": corrupt, "CACHE_KEY_PREFIX": f"{name}-broken-embedded"},
                )
                broken_search(
                    rows,
                    env,
                    paths,
                    "Elasticsearch: closed port",
                    {"ELASTICSEARCH_URL": f"http://127.0.0.1:{port}", "CACHE_KEY_PREFIX": f"{name}-broken-es"},
                )
            if os.environ.get("BENCH_LOAD_ELASTICSEARCH", "1") == "1":
                from bench_elasticsearch import under_load

                rows = under_load(rows, env, paths)
    finally:
        for cluster in clusters:
            cluster.stop()
        start_redis()
        redis_cli("flushdb", db=REDIS_DB)
        shutil.rmtree(state, ignore_errors=True)
    return rows
