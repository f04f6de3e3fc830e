"""Elasticsearch on a real node, beside the embedded index.

1. Relevance: recall@10 and MRR of both backends on the demo relevance set, the same seeded demo
   site indexed into each, one result per item (overall and per kind of query); the real-catalog
   set on both engines is in bench_search_relevance.py.
2. Scale: 100,000 synthetic items (bench_search_speed's documents) indexed with the bulk
   rebuild and alias swap; query p50/p95 with 1 and with 8 concurrent clients, the search
   page's queries and filter rounds.
3. The portal's search page under load (gunicorn, 2 workers) with ELASTICSEARCH_URL set.

The node: ELASTICSEARCH_BENCH_URL when set; else the one scripts/services.sh runs on
127.0.0.1:9200 (started here, and stopped afterwards, when nothing answers there).
Tunable: BENCH_ES_SIZE (default 100000), BENCH_CLIENTS (8), BENCH_DURATION (10 s).
"""

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE = int(os.environ.get("BENCH_ES_SIZE", "100000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
DURATION = float(os.environ.get("BENCH_DURATION", "10"))


def _answers(url):
    try:
        with urllib.request.urlopen(f"{url}/_cluster/health", timeout=3) as response:
            return response.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def es_node():
    """The URL of a live node; one started by services.sh here is stopped by its PID after."""
    url = os.environ.get("ELASTICSEARCH_BENCH_URL", "http://127.0.0.1:9200")
    if _answers(url):
        yield url
        return
    if "ELASTICSEARCH_BENCH_URL" in os.environ:
        raise RuntimeError(f"ELASTICSEARCH_BENCH_URL={url} does not answer")
    script = str(ROOT / "scripts/services.sh")
    subprocess.run([script, "start", "elasticsearch"], check=True, timeout=300)
    try:
        yield url
    finally:
        subprocess.run([script, "stop", "elasticsearch"], timeout=120)


def _django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")
    os.environ.setdefault("GONGKAI_LOCAL", "1")
    import django

    django.setup()


def inner_relevance():
    """In a subprocess on a copy of the seeded demo: both backends, same queries."""
    _django()
    from django.test import override_settings

    from search import indexing
    from search.backends import get_backend
    from search.synonyms import synonym_map
    from tests.search.relevance import RELEVANCE, evaluate

    def by_kind(result):
        kinds = {}
        for (_query, _expected, kind), (_q, recall, rr, _titles) in zip(RELEVANCE, result[2], strict=True):
            kinds.setdefault(kind, []).append((recall, rr))
        return {
            kind: [sum(r for r, _ in v) / len(v), sum(rr for _, rr in v) / len(v), len(v)] for kind, v in kinds.items()
        }

    def measure():
        backend = get_backend()
        result = evaluate(lambda q: [h.title for h in backend.search(q, group=True, synonyms=synonym_map()).hits])
        return {
            "all": result[:2],
            "kinds": by_kind(result),
            "missed": [r[0] for r in result[2] if r[1] < 1],
            "documents": backend.count(),
        }

    indexing.rebuild()
    out = {"queries": len(RELEVANCE), "embedded": measure()}
    prefix = f"bench-rel-{uuid.uuid4().hex[:8]}"
    with override_settings(
        SEARCH_BACKEND="elasticsearch", ELASTICSEARCH_URL=os.environ["BENCH_ES_URL"], ELASTICSEARCH_INDEX_PREFIX=prefix
    ):
        backend = get_backend()
        try:
            indexing.rebuild()
            out["elasticsearch"] = measure()
        finally:
            backend.client.options(ignore_status=404).indices.delete(index=f"{prefix}-*")
            backend.client.options(ignore_status=404).indices.delete_index_template(name=backend.alias)
    print(json.dumps(out, ensure_ascii=False))


def relevance(url):
    from common import prepared_state, python
    from relevance_rows import recall_mrr_rows

    with prepared_state() as (_state, env):
        env["BENCH_ES_URL"] = url
        result = subprocess.run(
            [python(), __file__, "--relevance"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800
        )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-4000:])
    data = json.loads(result.stdout.strip().splitlines()[-1])
    embedded, es = data["embedded"], data["elasticsearch"]
    print(
        f"    relevance set: {data['queries']} queries; documents: embedded {embedded['documents']}, es {es['documents']}"
    )
    print(f"    {'queries':<22}{'embedded recall@10':>20}{'MRR':>8}{'Elasticsearch recall@10':>26}{'MRR':>8}")
    print(
        f"    {'all':<22}{embedded['all'][0]:>20.3f}{embedded['all'][1]:>8.3f}{es['all'][0]:>26.3f}{es['all'][1]:>8.3f}"
    )
    for kind, ours in embedded["kinds"].items():
        theirs = es["kinds"].get(kind, [0, 0, 0])
        label = f"{kind} ({ours[2]})"
        print(f"    {label:<22}{ours[0]:>20.3f}{ours[1]:>8.3f}{theirs[0]:>26.3f}{theirs[1]:>8.3f}")
    if es["missed"]:
        print("    Elasticsearch missed:", ", ".join(es["missed"]))
    n = data["queries"]
    return recall_mrr_rows(
        f"relevance ({n} queries), Elasticsearch:", *es["all"][:2], min_recall=0.90
    ) + recall_mrr_rows(f"relevance ({n} queries), embedded (same run):", *embedded["all"][:2])


def _node_rss_mib(url):
    try:
        with urllib.request.urlopen(f"{url}/_nodes/stats/process,jvm", timeout=5) as response:
            nodes = json.load(response)["nodes"]
        node = next(iter(nodes.values()))
        return node["process"]["mem"]["total_virtual_in_bytes"] / 2**20, node["jvm"]["mem"][
            "heap_used_in_bytes"
        ] / 2**20
    except (OSError, KeyError, StopIteration):
        return None, None


def scale(url):
    """Bulk rebuild of SIZE items, then query latency with 1 and CLIENTS concurrent clients."""
    _django()
    from bench_search_speed import FILTER_ROUNDS, QUERIES, synthetic_documents
    from common import percentile, row
    from django.test import override_settings

    from search.backends.elasticsearch import ElasticsearchBackend

    prefix = f"bench-scale-{uuid.uuid4().hex[:8]}"
    rows = []
    with override_settings(ELASTICSEARCH_URL=url, ELASTICSEARCH_INDEX_PREFIX=prefix):
        backend = ElasticsearchBackend()
        try:
            documents = list(synthetic_documents(SIZE))
            backend.rebuild(documents[:10])  # analysis warm-up and template outside the timing
            started = time.perf_counter()
            result = backend.rebuild(documents)
            seconds = time.perf_counter() - started
            assert backend.count() == SIZE, backend.count()
            assert result["replaced"], "the rebuild did not swap the alias away from the previous index"
            rows.append(
                row(f"Elasticsearch, {SIZE:,} items: bulk rebuild with alias swap", round(seconds, 1), "s", "report")
            )
            rows.append(
                row(
                    f"Elasticsearch, {SIZE:,} items: indexing rate",
                    round(SIZE / seconds),
                    "items/s",
                    ">= 500",
                    SIZE / seconds >= 500,
                )
            )
            work = [(query, filters, 1 + n % 2) for n, filters in enumerate(FILTER_ROUNDS) for query in QUERIES]
            for query, _f, _p in work[:20]:
                backend.search(query)
            for clients in (1, CLIENTS):
                timings, errors, lock = [], [], threading.Lock()

                repeat = max(1, 400 // len(work))

                def worker(offset, clients=clients, timings=timings, errors=errors, lock=lock, repeat=repeat):
                    mine = ElasticsearchBackend()
                    for query, filters, page in work[offset::clients] * repeat:
                        began = time.perf_counter()
                        try:
                            results = mine.search(query, filters=filters, page=page, group=True)
                            assert results.facets
                        except Exception as exc:
                            errors.append(repr(exc))
                            continue
                        with lock:
                            timings.append((time.perf_counter() - began) * 1000)

                threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
                began = time.perf_counter()
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(600)
                elapsed = time.perf_counter() - began
                timings.sort()
                name = f"Elasticsearch, {SIZE:,} items, {clients} client{'s' if clients > 1 else ''}"
                rows.append(
                    row(
                        f"{name}: query p50 ({len(timings)} searches with facets)",
                        round(percentile(timings, 0.5), 1),
                        "ms",
                    )
                )
                p95 = percentile(timings, 0.95)
                rows.append(row(f"{name}: query p95", round(p95, 1), "ms", "<= 100", p95 <= 100))
                rows.append(row(f"{name}: throughput", round(len(timings) / elapsed, 1), "searches/s"))
                rows.append(row(f"{name}: errors", len(errors), "searches", "= 0", not errors))
            rss, heap = _node_rss_mib(url)
            if heap is not None:
                rows.append(row(f"Elasticsearch, {SIZE:,} items: JVM heap used after the run", round(heap), "MiB"))
        finally:
            backend.client.options(ignore_status=404).indices.delete(index=f"{prefix}-*")
            backend.client.options(ignore_status=404).indices.delete_index_template(name=backend.alias)
    return rows


def search_page(url):
    """The portal's search page under load, with ELASTICSEARCH_URL set (index rebuilt first)."""
    from common import gunicorn, load, manage, prepared_state, row

    prefix = f"bench-page-{uuid.uuid4().hex[:8]}"
    paths = [
        "/search/?q=%E8%BA%AB%E4%BB%BD%E8%AF%81",
        "/search/?q=yyzz",
        "/search/?q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7",
        "/search/?q=%E5%85%AC%E7%A7%AF%E9%87%91",
        "/api/search/?q=%E5%85%AC%E7%A7%AF%E9%87%91&audience=person",
    ]
    env_extra = {"ELASTICSEARCH_URL": url, "ELASTICSEARCH_INDEX_PREFIX": prefix, "RATE_LIMIT_SEARCH": "100000000"}
    try:
        with prepared_state(**env_extra) as (_state, env):
            manage(env, "search_index", "rebuild")
            with gunicorn(env, 2) as server:
                load(server.url, paths, clients=2, duration=2)
                result = load(server.url, paths, clients=CLIENTS, duration=DURATION)
    finally:
        subprocess.run(["curl", "-s", "-o", "/dev/null", "-X", "DELETE", f"{url}/{prefix}-*"], timeout=30, check=False)
        subprocess.run(
            ["curl", "-s", "-o", "/dev/null", "-X", "DELETE", f"{url}/_index_template/{prefix}-items"],
            timeout=30,
            check=False,
        )
    name = f"search page and API with Elasticsearch (gunicorn 2 workers, SQLite, {CLIENTS} clients)"
    return [
        row(f"{name}: throughput", result["rps"], "req/s"),
        row(f"{name}: p95 latency", result["p95_ms"], "ms"),
        row(f"{name}: errors of {result['requests']}", result["errors"], "requests", "= 0", result["errors"] == 0),
    ]


@contextlib.contextmanager
def own_node(folder):
    """A node of its own on a free port (scripts/services.sh), stopped by its PID afterwards."""
    from common import free_port

    port = free_port()
    env = {**os.environ, "SERVICES_DIR": str(folder), "ES_PORT": str(port), "ES_HEAP": "256m"}
    script = str(ROOT / "scripts/services.sh")
    subprocess.run([script, "start", "elasticsearch"], env=env, check=True, timeout=300)
    try:
        yield f"http://127.0.0.1:{port}", int((Path(folder) / "elasticsearch.pid").read_text())
    finally:
        subprocess.run([script, "stop", "elasticsearch"], env=env, timeout=120)


def under_load(rows, env, paths):
    """bench_load's mixed load with ELASTICSEARCH_URL set; then the same load on a node of its
    own that is killed (SIGKILL) a third of the way in: afterwards every search request must
    answer the polite 503 and every other request succeed."""
    import signal

    from bench_load import BROKEN_DURATION, CLIENTS, DURATION, kind, summarise, unavailable_rows
    from common import gunicorn, load, manage, row

    search_kinds = {"search page", "search API"}
    with es_node() as url:
        prefix = f"bench-load-{uuid.uuid4().hex[:8]}"
        es_env = {**env, "ELASTICSEARCH_URL": url, "ELASTICSEARCH_INDEX_PREFIX": prefix}
        es_env["CACHE_KEY_PREFIX"] = env.get("CACHE_KEY_PREFIX", "bench") + "-es"
        try:
            manage(es_env, "search_index", "rebuild")
            with gunicorn(es_env) as server:
                load(server.url, paths[:40], clients=4, duration=5)
                result = load(server.url, paths, clients=CLIENTS, duration=DURATION, timeline=True)
            summarise(result, rows, f"mixed load with Elasticsearch ({CLIENTS} clients, {DURATION:.0f} s)")
        finally:
            subprocess.run(["curl", "-s", "-o", "/dev/null", "-X", "DELETE", f"{url}/{prefix}-*"], timeout=30)
    folder = tempfile.mkdtemp(prefix="gongkai-es-bench-", dir="/var/tmp")
    try:
        with own_node(folder) as (url, pid):
            dies_env = {**env, "ELASTICSEARCH_URL": url, "CACHE_KEY_PREFIX": env.get("CACHE_KEY_PREFIX", "b") + "-dies"}
            manage(dies_env, "search_index", "rebuild")
            with gunicorn(dies_env) as server:
                load(server.url, paths[:40], clients=4, duration=3)
                killed = {}

                def kill_later():
                    time.sleep(BROKEN_DURATION / 3)
                    killed["at"] = time.perf_counter()
                    os.kill(pid, signal.SIGKILL)

                killer = threading.Thread(target=kill_later)
                killer.start()
                result = load(server.url, paths, clients=CLIENTS, duration=BROKEN_DURATION, timeline=True)
                killer.join()
    finally:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    # Requests that began a second after the kill (the ones in flight may still have been served).
    after = [e for e in result["timeline"] if e[0] >= killed["at"] + 1.0]
    before = [e for e in result["timeline"] if e[0] < killed["at"]]
    search_after = [e for e in after if kind(e[3]) in search_kinds]
    other = [e for e in result["timeline"] if kind(e[3]) not in search_kinds]
    before_errors = [e for e in before if e[2] == "exception" or e[2] >= 400]
    label = f"Elasticsearch node killed mid-run ({CLIENTS} clients, {BROKEN_DURATION:.0f} s)"
    found, _polite, _errors = unavailable_rows(f"{label}, after the kill", search_after, other)
    before_row = row(
        f"{label}: errors before the kill of {len(before)}", len(before_errors), "requests", "= 0", not before_errors
    )
    return [*rows, before_row, *found]


def run():
    with es_node() as url:
        rows = relevance(url)
        rows += search_page(url)
        rows += scale(url)
    return rows


if __name__ == "__main__":
    if "--relevance" in sys.argv:
        inner_relevance()
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        for r in run():
            print(r)
