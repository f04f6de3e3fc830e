"""Shared helpers for the benchmarks under bench/ (run them with `make bench` or bench/run.py).

Every benchmark works on throwaway state, never on the developer's var/:
- `prepared_state()` gives a fresh temporary state directory (GONGKAI_STATE_DIR) holding a
  migrated, seeded SQLite database; the template is built once per bench run and copied
  (collectstatic also runs once per run, into a shared STATIC_ROOT);
- `postgres_database()` creates a dedicated PostgreSQL database and drops it afterwards;
- `gunicorn()` serves the site from such state on a free loopback port (2 workers), and
  `serve()` does both: a prepared database (migrate + seed_demo) behind gunicorn;
- `load()` is a small concurrent HTTP load generator (threads + http.client);
- `peak_memory()` runs a command and reports its peak resident memory;
- `django_test_database()` sets Django up in-process on a test database (created and dropped).
"""

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
# Variables that would point a benchmark at someone's real services or change its mode.
_STRIPPED = {
    "DATABASE_URL",
    "REDIS_URL",
    "ELASTICSEARCH_URL",
    "SEARCH_INDEX_PATH",
    "MEDIA_ROOT",
    "STATIC_ROOT",
    "MEDIA_STORAGE",
    "GONGKAI_TESTING",
    "PYTEST_VERSION",
    "DJANGO_SETTINGS_MODULE",
    "DEBUG",
}


def python():
    """The project's interpreter (the venv's when set up, else the current one)."""
    return str(PYTHON if PYTHON.exists() else sys.executable)


def server_env(state_dir, database_url=None, **extra):
    """Environment for manage.py/gunicorn subprocesses: local mode, all state under state_dir.

    `database_url` defaults to the SQLite file in state_dir; static files come from the bench
    run's shared STATIC_ROOT (collected once); `extra` adds or overrides variables (e.g.
    REDIS_URL=...), and a value of None removes one.
    """
    env = {key: value for key, value in os.environ.items() if key not in _STRIPPED}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings.production",
            "GONGKAI_LOCAL": "1",
            "GONGKAI_STATE_DIR": str(state_dir),
            "DATABASE_URL": database_url or f"sqlite:///{Path(state_dir) / 'gongkai.sqlite3'}",
            "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "ERROR"),
        }
    )
    if "STATIC_ROOT" not in extra:
        env["STATIC_ROOT"] = str(shared_static())
    for key, value in extra.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = str(value)
    return env


def manage(env, *args, timeout=1800, cwd=ROOT):
    """Run `manage.py ARGS` with env (in the checkout `cwd`); raise with its output when it fails."""
    result = subprocess.run(
        [python(), "manage.py", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


def seed_args(small=None):
    """seed_demo's arguments: the smaller catalog when `small` (default: BENCH_SMALL=1)."""
    if small is None:
        small = os.environ.get("BENCH_SMALL", "") == "1"
    return ["seed_demo", "--small"] if small else ["seed_demo"]


def prepare_database(env, small=None):
    """migrate + seed_demo against env's DATABASE_URL; returns seed_demo's output."""
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    return manage(env, *seed_args(small))


def bench_tmp():
    """One temporary directory per bench run (bench/run.py sets BENCH_TMP), else per process."""
    root = os.environ.get("BENCH_TMP")
    if not root:
        root = tempfile.mkdtemp(prefix="gongkai-bench-")
        os.environ["BENCH_TMP"] = root
    Path(root).mkdir(parents=True, exist_ok=True)
    return Path(root)


_once_lock = threading.RLock()


def shared_static():
    """STATIC_ROOT shared by every server of this bench run (collectstatic runs once)."""
    with _once_lock:
        static = bench_tmp() / "static"
        if not (static / ".ready").exists():
            scratch = Path(tempfile.mkdtemp(prefix="collect-", dir=bench_tmp()))
            manage(server_env(scratch, STATIC_ROOT=static), "collectstatic", "--noinput", "--verbosity", "0")
            shutil.rmtree(scratch, ignore_errors=True)
            (static / ".ready").touch()
        return static


def _measured_manage(env, *args):
    result = peak_memory([python(), "manage.py", *args], env=env)
    if result["returncode"] != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({result['returncode']}):\n{result['output'][-4000:]}")
    return {"peak_mib": result["peak_mib"], "seconds": result["seconds"]}


def sqlite_template():
    """The run's migrated, seeded SQLite state directory, built once; returns (path, stats)
    where stats holds peak memory (MiB) and wall time (s) of its `migrate` and `seed_demo`."""
    with _once_lock:
        template = bench_tmp() / "template-sqlite"
        ready = template / ".ready"
        if not ready.exists():
            shutil.rmtree(template, ignore_errors=True)
            template.mkdir(parents=True)
            env = server_env(template)
            stats = {
                "migrate": _measured_manage(env, "migrate", "--noinput", "--verbosity", "0"),
                "seed_demo": _measured_manage(env, *seed_args()),
            }
            ready.write_text(json.dumps(stats))
        return template, json.loads(ready.read_text())


@contextlib.contextmanager
def prepared_state(**extra_env):
    """A fresh state directory with its own copy of the seeded SQLite database (and whatever
    else seed_demo left there, such as the embedded search index).

    Yields (state_dir, env) where env is server_env(state_dir, **extra_env). Removed afterwards.
    """
    template, _stats = sqlite_template()
    state = Path(tempfile.mkdtemp(prefix="state-", dir=bench_tmp()))
    for item in template.iterdir():
        if item.name == ".ready" or item.name.endswith((".log", "-shm", "-wal")):
            continue
        if item.is_dir():
            shutil.copytree(item, state / item.name)
        else:
            shutil.copy2(item, state / item.name)
    try:
        yield state, server_env(state, **extra_env)
    finally:
        shutil.rmtree(state, ignore_errors=True)


@contextlib.contextmanager
def postgres_database(admin_url=None, prefix="bench_gongkai"):
    """Create a dedicated, empty PostgreSQL database, yield its URL, drop it afterwards.

    `admin_url` (default BENCH_POSTGRES_URL, else postgres://postgres@127.0.0.1:5432/postgres)
    must be allowed to create databases.
    """
    import psycopg

    admin_url = admin_url or os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    name = f"{prefix}_{os.getpid()}_{int(time.time())}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlsplit(admin_url)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(host, port, path, timeout=5.0):
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


class Server:
    """A running gunicorn: `url`, `port`, `process` (the master) and `log` (its log file)."""

    def __init__(self, process, port, log):
        self.process = process
        self.port = port
        self.log = log
        self.url = f"http://127.0.0.1:{port}"

    def rss_mib(self):
        """Resident memory now of the master and its workers, in MiB."""
        return process_tree_rss_mib(self.process.pid)


@contextlib.contextmanager
def gunicorn(env, workers=2, ready_path="/healthz", timeout=120, args=(), cwd=ROOT):
    """Serve portal.wsgi (of the checkout `cwd`) with gunicorn on a free 127.0.0.1 port; stop it
    afterwards."""
    port = free_port()
    log_path = Path(env["GONGKAI_STATE_DIR"]) / f"gunicorn-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                str(GUNICORN),
                "portal.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--timeout",
                "60",
                "--no-control-socket",  # leave a developer's own gunicorn control socket alone
                *args,
            ],
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process, port, log_path)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log_path.read_text()[-4000:]}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                status, _ = _get("127.0.0.1", port, ready_path)
                if status == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn not ready within {timeout} s:\n{log_path.read_text()[-4000:]}")
            time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.terminate()  # graceful: the master stops its workers
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@contextlib.contextmanager
def serve(database_url=None, workers=2, **extra_env):
    """gunicorn (2 workers) against a prepared database; yields the Server.

    Without `database_url`: a private copy of the run's seeded SQLite database. With one
    (e.g. from postgres_database()): that database is migrated and seeded first.
    """
    if database_url is None:
        with prepared_state(**extra_env) as (_state, env), gunicorn(env, workers) as server:
            yield server
    else:
        state = Path(tempfile.mkdtemp(prefix="state-", dir=bench_tmp()))
        try:
            env = server_env(state, database_url, **extra_env)
            prepare_database(env)
            with gunicorn(env, workers) as server:
                yield server
        finally:
            shutil.rmtree(state, ignore_errors=True)


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an already sorted list (None when empty)."""
    if not sorted_values:
        return None
    index = max(0, min(len(sorted_values) - 1, round(fraction * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def load(base_url, paths, clients=8, duration=10.0, timeout=10.0, headers=None, timeline=False):
    """N client threads request `paths` round-robin for `duration` seconds.

    Keeps connections alive when the server allows it. Returns a dict: requests, errors
    (exceptions and statuses >= 400), rps, p50_ms, p95_ms, p99_ms, max_ms, seconds,
    statuses (Counter) and a few error samples. With `timeline`, also "started" (perf_counter
    at the start) and "timeline": (began, seconds, status or "exception", path) per request,
    in the order they began (for figures over a window, e.g. during an outage).
    """
    parts = urlsplit(base_url)
    host, port = parts.hostname, parts.port or 80
    headers = {"User-Agent": "gongkai-bench", **(headers or {})}
    latencies, statuses, samples, events = [], Counter(), [], []
    errors = 0
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + duration

    def client(offset):
        nonlocal errors
        mine, my_statuses, my_errors, my_events = [], Counter(), 0, []
        connection = None
        n = offset
        while time.perf_counter() < deadline:
            path = paths[n % len(paths)]
            n += 1
            if connection is None:
                connection = http.client.HTTPConnection(host, port, timeout=timeout)
            began = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                mine.append(time.perf_counter() - began)
                my_statuses[response.status] += 1
                if timeline:
                    my_events.append((began, mine[-1], response.status, path))
                if response.status >= 400:
                    my_errors += 1
                    if len(samples) < 5:
                        samples.append(f"{path}: HTTP {response.status}")
                if response.will_close:
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException) as exc:
                mine.append(time.perf_counter() - began)
                my_statuses["exception"] += 1
                if timeline:
                    my_events.append((began, mine[-1], "exception", path))
                my_errors += 1
                if len(samples) < 5:
                    samples.append(f"{path}: {type(exc).__name__}: {exc}")
                connection.close()
                connection = None
        if connection is not None:
            connection.close()
        with lock:
            latencies.extend(mine)
            events.extend(my_events)
            statuses.update(my_statuses)
            errors += my_errors

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + timeout + 5)
    seconds = time.perf_counter() - start
    latencies.sort()

    def ms(value):
        return None if value is None else round(value * 1000, 1)

    result = {
        "requests": len(latencies),
        "errors": errors,
        "rps": round(len(latencies) / seconds, 1) if seconds else 0.0,
        "p50_ms": ms(percentile(latencies, 0.50)),
        "p95_ms": ms(percentile(latencies, 0.95)),
        "p99_ms": ms(percentile(latencies, 0.99)),
        "max_ms": ms(latencies[-1] if latencies else None),
        "seconds": round(seconds, 2),
        "clients": clients,
        "statuses": statuses,
        "error_samples": samples,
    }
    if timeline:
        result["started"] = start
        result["timeline"] = sorted(events)
    return result


_PEAK_HOOK = """
import atexit, os


def _report_peak():
    # VmHWM is the peak of this process's own address space since its exec.
    with open("/proc/self/status") as status, open(os.environ["BENCH_PEAK_FILE"], "w") as out:
        for line in status:
            if line.startswith("VmHWM:"):
                out.write(line.split()[1])


if os.environ.get("BENCH_PEAK_FILE"):
    atexit.register(_report_peak)
"""


def peak_memory(cmd, env=None, cwd=ROOT, timeout=1800):
    """Run a Python command to completion; return its exit code, peak RSS (MiB), wall time and output.

    The peak comes from the process's own VmHWM, written at exit by a sitecustomize hook.
    getrusage's ru_maxrss is not used: Linux carries the parent's high-water mark over the
    fork/exec, so a child of a large benchmark runner would report the runner's memory.
    """
    with tempfile.TemporaryDirectory(prefix="bench-peak-") as hook_dir, tempfile.TemporaryFile() as output:
        hook = Path(hook_dir)
        (hook / "sitecustomize.py").write_text(_PEAK_HOOK)
        peak_file = hook / "peak-kib"
        env = dict(os.environ if env is None else env)
        env["BENCH_PEAK_FILE"] = str(peak_file)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(hook), env.get("PYTHONPATH", "")]))
        began = time.perf_counter()
        process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        seconds = time.perf_counter() - began
        output.seek(0)
        text = output.read().decode(errors="replace")
        reported = peak_file.read_text().strip() if peak_file.exists() else ""
    if process.returncode == 0 and not reported:
        raise RuntimeError(f"{cmd[:3]} reported no peak memory (sitecustomize hook not loaded?)")
    return {
        "returncode": process.returncode,
        "peak_mib": round(int(reported) / 1024, 1) if reported else None,
        "seconds": round(seconds, 2),
        "output": text,
    }


def process_tree_rss_mib(pid):
    """Current resident memory of pid and all its descendants, in MiB (Linux /proc)."""
    children = {}
    rss_pages = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
            rss_pages[int(entry.name)] = int(fields[21])
        except (OSError, ValueError, IndexError):
            continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss_pages.get(current, 0)
        todo.extend(children.get(current, []))
    return round(total * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024), 1)


@contextlib.contextmanager
def django_test_database():
    """Django set up in this process on a test database (created, then dropped).

    For in-process measurements (query counts, function timings). bench/run.py already set
    GONGKAI_STATE_DIR to a temporary directory, so nothing touches the developer's var/.
    """
    import django
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases, teardown_test_environment

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")
    django.setup()
    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        yield
    finally:
        teardown_databases(old_config, verbosity=0)
        teardown_test_environment()


def row(benchmark, figure, unit, target="report", ok=None):
    """One line of the results table."""
    return {"benchmark": benchmark, "figure": figure, "unit": unit, "target": target, "ok": ok}
