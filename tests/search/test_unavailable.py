"""Search backend (or task queue) unavailable: the search page and API say so, the rest works.

Real failures, no stand-ins: the embedded index path points at a corrupt file or at a directory,
Elasticsearch and the Redis broker point at a loopback port that refuses connections.
"""

import socket

import pytest

from guides.models import GuidePage
from search import indexing
from search.backends import get_backend
from search.documents import model_key

pytestmark = pytest.mark.django_db
UNAVAILABLE = "搜索服务暂时不可用"


@pytest.fixture
def closed_port():
    """A loopback port that is bound but not listening: connections are refused."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


@pytest.fixture(params=["embedded-corrupt-file", "embedded-directory", "elasticsearch-closed-port"])
def broken_search(request, settings, tmp_path, closed_port):
    if request.param == "embedded-corrupt-file":
        path = tmp_path / "search-index.sqlite3"
        path.write_bytes(b"this is not an SQLite database\n" * 200)
        settings.SEARCH_BACKEND = "embedded"
        settings.SEARCH_INDEX_PATH = str(path)
    elif request.param == "embedded-directory":
        path = tmp_path / "search-index.sqlite3"
        path.mkdir()
        settings.SEARCH_BACKEND = "embedded"
        settings.SEARCH_INDEX_PATH = str(path)
    else:
        settings.SEARCH_BACKEND = "elasticsearch"
        settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{closed_port}"
    return request.param


def test_search_page_says_so_politely(client, broken_search):
    response = client.get("/search/", {"q": "身份证"})
    assert response.status_code == 503
    body = response.content.decode()
    assert UNAVAILABLE in body and "浏览办事指南" in body
    assert 'role="alert"' in body


def test_search_api_returns_a_json_error(client, broken_search):
    response = client.get("/api/search/", {"q": "营业执照"})
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert UNAVAILABLE in data["error"]
    assert data["results"] == [] and data["total"] == 0


def test_suggestions_are_empty_not_an_error(client, broken_search):
    response = client.get("/api/suggest/", {"q": "yyzz"})
    assert response.status_code == 200 and response.json() == {"suggestions": []}


def test_rest_of_the_site_keeps_working(client, broken_search):
    item = GuidePage.objects.live().order_by("pk").first()
    for url in ["/", "/guides/", "/guides/?audience=person", item.url, "/api/items/", "/fees/"]:
        assert client.get(url).status_code == 200, url
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json()["checks"]["search"]["ok"] is False
    assert health.json()["checks"]["database"]["ok"] is True


def test_search_sync_falls_back_inline_when_the_queue_is_down(settings, closed_port):
    """Publishing queues an index refresh; with the broker refusing connections the refresh
    runs inline instead of failing the editor's request."""
    from django_q.conf import Conf

    item = GuidePage.objects.live().order_by("pk").first()
    key = model_key(item)
    backend = get_backend()
    backend.delete([key])
    assert backend.get([key]) == []

    settings.SEARCH_SYNC_ASYNC = True
    old = (Conf.ORM, Conf.REDIS, Conf.DJANGO_REDIS, Conf.BROKER_CLASS)
    Conf.ORM, Conf.REDIS, Conf.DJANGO_REDIS, Conf.BROKER_CLASS = None, f"redis://127.0.0.1:{closed_port}/0", None, None
    try:
        assert indexing._enqueue([key]) is False  # the broker really refuses the task
        assert backend.get([key]) == []
        indexing._run([key])
    finally:
        Conf.ORM, Conf.REDIS, Conf.DJANGO_REDIS, Conf.BROKER_CLASS = old
    assert [hit.key for hit in backend.get([key])] == [key]
