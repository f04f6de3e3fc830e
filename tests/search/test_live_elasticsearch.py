"""What only a live Elasticsearch shows: the alias swap under searching readers, and a node that
dies while the site is serving (search answers a polite 503, everything else keeps working)."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from .live_es import es_settings, es_url
from .test_embedded import DOCS, doc

pytestmark = pytest.mark.live_es
ROOT = Path(__file__).resolve().parents[2]


def test_rebuild_swaps_the_alias_while_readers_search():
    es_url()
    with es_settings() as backend:
        first = backend.rebuild(DOCS)
        stop = threading.Event()
        seen, errors = [], []

        def keep_searching():
            while not stop.is_set():
                try:
                    seen.append(backend.search("身份证").total)
                except Exception as exc:
                    errors.append(exc)

        reader = threading.Thread(target=keep_searching)
        reader.start()
        try:
            for _ in range(3):
                last = backend.rebuild(DOCS)
        finally:
            stop.set()
            reader.join(30)
        assert not errors and seen and min(seen) == 1  # never empty, never an error
        assert backend._current_indices() == [last["index"]] != [first["index"]]
        indices = backend.client.indices.get(index=f"{backend.alias}-*")
        assert list(indices) == [last["index"]]  # the replaced indices are gone
        assert backend.stats()["documents"] == len(DOCS)


def test_update_adds_replaces_and_removes_in_place():
    es_url()
    with es_settings() as backend:
        backend.rebuild(DOCS)
        index = backend._current_indices()
        changed = [doc(1, "居民身份证办理（换领）", keywords="身份证 换证"), doc(7, "新增事项实时同步")]
        assert backend.update(changed) == {"indexed": 2, "removed": len(DOCS) - 1}
        assert backend._current_indices() == index  # in place, no new index
        assert [h.title for h in backend.search("换领").hits] == ["居民身份证办理（换领）"]
        assert [h.title for h in backend.search("实时同步").hits] == ["新增事项实时同步"]
        assert backend.search("公积金").total == 0


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def own_node():
    """A second, short-lived Elasticsearch node (scripts/services.sh on a free port), stopped by
    its PID afterwards whatever happens. Its folder is in /var/tmp, not the private pytest
    temporary folder, because the node runs as an unprivileged user (services.sh opens it)."""
    es_url()  # needs the same set-up as the shared node (skip or fail alike)
    port = _free_port()
    folder = Path(tempfile.mkdtemp(prefix=f"gongkai-es-test-{port}-", dir="/var/tmp"))
    env = {**os.environ, "SERVICES_DIR": str(folder), "ES_PORT": str(port), "ES_HEAP": "256m"}
    started = subprocess.run(
        [str(ROOT / "scripts/services.sh"), "start", "elasticsearch"],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    pidfile = folder / "elasticsearch.pid"
    try:
        assert started.returncode == 0, started.stderr[-2000:]
        yield f"http://127.0.0.1:{port}", int(pidfile.read_text())
    finally:
        subprocess.run(
            [str(ROOT / "scripts/services.sh"), "stop", "elasticsearch"], env=env, capture_output=True, timeout=60
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.django_db
def test_a_node_that_dies_mid_run_gives_the_polite_503_and_nothing_else(own_node, client, settings):
    from search import indexing

    url, pid = own_node
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = url
    settings.ELASTICSEARCH_INDEX_PREFIX = "gongkai-dies"
    indexing.rebuild()
    assert client.get("/api/search/", {"q": "身份证"}).json()["total"] > 0
    assert client.get("/healthz").status_code == 200

    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)

    page = client.get("/search/", {"q": "身份证"})
    assert page.status_code == 503 and "搜索服务暂时不可用" in page.content.decode()
    api = client.get("/api/search/", {"q": "营业执照"})
    assert api.status_code == 503 and api["Content-Type"].startswith("application/json")
    assert client.get("/api/suggest/", {"q": "居民"}).json() == {"suggestions": []}
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json()["checks"]["search"]["ok"] is False
    for path in ("/", "/guides/", "/fees/", "/api/items/"):
        assert client.get(path).status_code == 200, path
