"""Issue 18: pages at the speed of static files. Side by side, interleaved in one run:

1. Server CPU per item page (time.process_time around Django's test client, in one process):
   a full render (after a change to shared data: nothing stored is current), a cold cache with
   the presentation stored at publish time (after a restart or a cache flush: target <= 10 ms),
   the page cache cold with the answer kept per live revision (after a publish elsewhere), and
   a page cache hit.
2. Uncached item page (PAGE_CACHE_SECONDS=0) through one gunicorn worker, requests/s: the code
   as it was when the issue was filed (commit BASELINE_COMMIT, checked out into a temporary git
   worktree with its own migrated and seeded database: "its current requests/s"), against
   today's render path with the stored presentation only (ITEM_BODY_CACHE_SECONDS=0) and the
   whole render path (answer kept per revision, route remembered). Rounds alternate; the ratio is
   today / baseline (target >= 4).
3. nginx (Debian's, deploy/nginx/gongkai.conf.template) in front of gunicorn (2 workers): a
   static file of the same size as the item page served by nginx, against the item, listing and
   bulletin pages from nginx's micro-cache, and the same pages from gunicorn directly (page
   cache on). Ratios cached page / static file (target >= 0.5).
4. Memory per web worker after 1,000 mixed requests: RSS, PSS and USS (/proc/PID/smaps_rollup)
   with the master's preload and warm-up (gunicorn.conf.py) and without (GUNICORN_WARM=0,
   preload off). Target: RSS <= 150 MB.

The load client is bench/common.load (Python threads, keep-alive), as in bench_load: it is the
same client for nginx's static file and for the pages, so the ratios compare like with like.
The machine's load average is printed with the figures. Tunable: BENCH_CACHE_CLIENTS (8),
BENCH_CACHE_DURATION (8 s per measurement), BENCH_CACHE_ROUNDS (2).
"""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from common import (
    ROOT,
    bench_tmp,
    free_port,
    gunicorn,
    load,
    manage,
    prepared_state,
    python,
    row,
    server_env,
    shared_static,
)

CLIENTS = int(os.environ.get("BENCH_CACHE_CLIENTS", "8"))
DURATION = float(os.environ.get("BENCH_CACHE_DURATION", "8"))
ROUNDS = int(os.environ.get("BENCH_CACHE_ROUNDS", "2"))

URLS_SCRIPT = """
import json
from guides.models import GuidePage
from disclosures.models import BulletinPage
items = [p.url for p in GuidePage.objects.live().order_by("pk")[:40]]
bulletin = BulletinPage.objects.live().order_by("-period").first()
print(json.dumps({"items": items, "bulletin": bulletin.url if bulletin else None}))
"""

CPU_SCRIPT = """
import json, time
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from guides import stored_presentation
from guides.models import GuidePage
from portal import pagecache
stored_presentation.refresh_stale()  # what publishing leaves behind
urls = [p.url for p in GuidePage.objects.live().order_by("pk")[:40]]
client = Client()
client.get(urls[0])
def measure(bump=(), flush=False):
    cpu = 0.0
    with CaptureQueriesContext(connection) as queries:
        for url in urls:
            if bump:
                pagecache.bump_now(*bump)
            if flush:
                cache.clear()  # this process's cache (local memory): nothing kept, not even routes
            began = time.process_time()
            assert client.get(url).status_code == 200
            cpu += time.process_time() - began
    return {"cpu_ms": cpu * 1000 / len(urls), "queries": len(queries) / len(urls)}
out = {"full": measure((pagecache.PAGES, pagecache.DATA))}
stored_presentation.refresh_stale()
out["stored"] = measure((pagecache.PAGES,), flush=True)
measure()
out["miss"] = measure((pagecache.PAGES,))
measure()
out["hit"] = measure()
print(json.dumps(out))
"""

# The code when issue 18 was filed: the baseline of "uncached item page >= 4x its current req/s".
BASELINE_COMMIT = "ba83e87"


@contextlib.contextmanager
def baseline_server_env():
    """(env, checkout) serving the code of BASELINE_COMMIT from a temporary git worktree with its
    own migrated, seeded database and static files; None when git cannot check it out."""
    checkout = bench_tmp() / f"baseline-{BASELINE_COMMIT}"
    state = bench_tmp() / f"baseline-state-{BASELINE_COMMIT}"
    shutil.rmtree(checkout, ignore_errors=True)
    subprocess.run(["git", "worktree", "prune"], cwd=ROOT, capture_output=True, timeout=60)
    added = subprocess.run(
        ["git", "worktree", "add", "--detach", str(checkout), BASELINE_COMMIT],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )
    if added.returncode != 0:
        print(f"    no baseline: git worktree add {BASELINE_COMMIT} failed: {added.stderr.decode()[-300:]}")
        yield None
        return
    try:
        (checkout / ".venv").symlink_to(ROOT / ".venv")
        shutil.rmtree(state, ignore_errors=True)
        state.mkdir(parents=True)
        env = server_env(state, STATIC_ROOT=state / "static", DJANGO_SETTINGS_MODULE=None)
        for args in (("migrate", "--noinput", "-v", "0"), ("collectstatic", "--noinput", "-v", "0"), ("seed_demo",)):
            manage(env, *args, cwd=checkout)
        yield env, checkout
    finally:
        shutil.rmtree(state, ignore_errors=True)
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(checkout)], cwd=ROOT, capture_output=True, timeout=120
        )


def machine_load():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def shell(env, script):
    result = subprocess.run(
        [python(), "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env={**env, "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def memory_of(pid):
    """(RSS, PSS, USS) of one process in MiB, from /proc/PID/smaps_rollup."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])
    uss = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return tuple(round(kib / 1024, 1) for kib in (fields["Rss"], fields["Pss"], uss))


def workers_of(pid):
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@contextlib.contextmanager
def nginx(upstream_port):
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise RuntimeError("no nginx: scripts/services.sh start nginx")
    sys.path.insert(0, str(ROOT / "scripts"))
    import nginx_conf

    port = free_port()
    state = bench_tmp() / f"nginx-{port}"
    user = "root" if os.geteuid() == 0 else ""
    conf = nginx_conf.render(state, port, f"127.0.0.1:{upstream_port}", shared_static(), state / "media", user=user)
    subprocess.run([binary, "-c", str(conf), "-p", str(state)], check=True, timeout=30)
    pid = int((state / "nginx.pid").read_text())
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        for _ in range(50):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)


def rps(base, paths, clients=CLIENTS):
    result = load(base, paths, clients=clients, duration=DURATION)
    if result["errors"]:
        print("    errors:", *result["error_samples"], sep="\n      ")
    return result["rps"]


def run():
    rows = []
    print(f"    machine load at start (1/5/15 min): {machine_load()}")
    with prepared_state() as (_state, env):
        cpu = shell(env, CPU_SCRIPT)
        rows.append(row("item page server CPU, full render (after a shared-data change)", cpu["full"]["cpu_ms"], "ms"))
        stored_ms = cpu["stored"]["cpu_ms"]
        rows.append(
            row("item page server CPU, cold cache, presentation stored", stored_ms, "ms", "<= 10", stored_ms <= 10)
        )
        rows.append(row("item page server CPU, page cache cold, answer kept per revision", cpu["miss"]["cpu_ms"], "ms"))
        rows.append(row("item page server CPU, page cache hit", cpu["hit"]["cpu_ms"], "ms"))
        queries = " / ".join(f"{cpu[k]['queries']:.0f}" for k in ("full", "stored", "miss", "hit"))
        rows.append(row("item page SQL queries: full / stored / kept / hit", queries, ""))

        urls = shell(env, URLS_SCRIPT)
        items = urls["items"]

        # 2. Uncached item page per worker: the code when the issue was filed against today's.
        figures = {"baseline": [], "stored": [], "today": []}
        with baseline_server_env() as baseline:
            for _round in range(ROUNDS):
                for name in figures:
                    if name == "baseline":
                        if baseline is None:
                            continue
                        server_env_, cwd = baseline
                    else:
                        kept = "604800" if name == "today" else "0"
                        server_env_, cwd = {**env, "ITEM_BODY_CACHE_SECONDS": kept}, ROOT
                    with gunicorn({**server_env_, "PAGE_CACHE_SECONDS": "0"}, workers=1, cwd=cwd) as server:
                        load(server.url, items, clients=2, duration=2)  # warm: what a first visit stores
                        figures[name].append(rps(server.url, items, clients=4))
        best = {name: max(values) if values else 0 for name, values in figures.items()}
        rows.append(
            row(f"uncached item page, 1 worker: code of {BASELINE_COMMIT} (issue filed)", best["baseline"], "req/s")
        )
        rows.append(row("uncached item page, 1 worker: presentation stored, nothing kept", best["stored"], "req/s"))
        rows.append(row("uncached item page, 1 worker: today (answer and route kept)", best["today"], "req/s"))
        for name in ("stored", "today"):
            ratio = best[name] / best["baseline"] if best["baseline"] else 0
            target = (">= 4", ratio >= 4) if name == "today" else ()
            rows.append(row(f"uncached item page per worker: {name} / baseline", round(ratio, 2), "×", *target))
        print(f"    uncached item rounds (req/s): {json.dumps(figures)}; load {machine_load()}")

        # 3. nginx: static file of the same size vs cached pages through nginx vs gunicorn direct.
        with gunicorn(env, workers=2) as server, nginx(server.port) as proxy:
            pages = {"item": items[0], "listing": "/guides/?center=city", "bulletin": urls["bulletin"] or "/bulletins/"}
            size = len(fetch(server.url + pages["item"]))
            static = shared_static() / "bench-same-size.html"
            static.write_bytes(b"x" * size)
            figures = {
                name: [] for name in ("static", *[f"{p} nginx" for p in pages], *[f"{p} gunicorn" for p in pages])
            }
            for path in pages.values():
                fetch(proxy + path)
            for _round in range(ROUNDS):
                figures["static"].append(rps(proxy, ["/static/bench-same-size.html"]))
                for name, path in pages.items():
                    figures[f"{name} nginx"].append(rps(proxy, [path]))
                    figures[f"{name} gunicorn"].append(rps(server.url, [path]))
            best = {name: max(values) for name, values in figures.items()}
            rows.append(row(f"nginx static file of {size} bytes (the item page's size)", best["static"], "req/s"))
            for name in pages:
                rows.append(row(f"{name} page through nginx (micro-cache)", best[f"{name} nginx"], "req/s"))
                rows.append(row(f"{name} page from gunicorn directly (page cache)", best[f"{name} gunicorn"], "req/s"))
                share = best[f"{name} nginx"] / best["static"] if best["static"] else 0
                rows.append(
                    row(f"{name} page through nginx / static file", round(share, 2), "×", ">= 0.5", share >= 0.5)
                )
            print(f"    nginx rounds (req/s): {json.dumps(figures)}; load {machine_load()}")

        # 4. Memory per worker after 1,000 mixed requests, with and without the master's preload.
        mix = items[:20] + ["/", "/guides/", "/guides/?audience=person", "/fees/", "/search/?q=" + quote("营业执照")]
        for label, args, extra in (
            ("preload + warm-up (gunicorn.conf.py)", (), {}),
            ("no preload, no warm-up", ("--config", "/dev/null"), {"GUNICORN_WARM": "0"}),
        ):
            with gunicorn({**env, **extra}, workers=2, args=args) as server:
                served = 0
                while served < 1000:
                    served += load(server.url, mix, clients=4, duration=2)["requests"]
                per_worker = [memory_of(pid) for pid in workers_of(server.process.pid)]
                rss = max(m[0] for m in per_worker)
                pss = max(m[1] for m in per_worker)
                uss = max(m[2] for m in per_worker)
                # The target applies to the shipped configuration (preload); the other is the comparison.
                target = ("<= 150", rss <= 150) if not args else ()
                rows.append(row(f"web worker memory, {label}: RSS (largest worker)", rss, "MiB", *target))
                rows.append(row(f"web worker memory, {label}: PSS / USS", f"{pss} / {uss}", "MiB"))
                print(f"    {label}: {served} requests; per worker (RSS, PSS, USS MiB): {per_worker}")
    print(f"    machine load at the end (1/5/15 min): {machine_load()}")
    return rows
