"""Rate limits on search, suggestions and the JSON APIs: 429 with Retry-After, per client."""

import json
from types import SimpleNamespace

import pytest
from django.core.cache import caches

from core.ratelimit import hit


@pytest.fixture
def tight_limits(settings):
    settings.RATE_LIMITS = [
        ("suggest", "/api/suggest/", 3, 60),
        ("search", "/search/", 2, 60),
        ("api", "/api/", 2, 60),
    ]
    caches["ratelimit"].clear()
    yield
    caches["ratelimit"].clear()


def test_api_over_limit_gets_json_429_with_retry_after(client, db, tight_limits):
    statuses = [client.get("/api/anything/", REMOTE_ADDR="10.0.0.1").status_code for _ in range(3)]
    assert 429 not in statuses[:2] and statuses[2] == 429
    response = client.get("/api/anything/", REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    body = json.loads(response.content)
    assert body["error"] == "rate_limited" and "请求过于频繁" in body["message"]


def test_limits_are_per_client(client, db, tight_limits):
    for _ in range(3):
        client.get("/api/x/", REMOTE_ADDR="10.0.0.2")
    assert client.get("/api/x/", REMOTE_ADDR="10.0.0.2").status_code == 429
    assert client.get("/api/x/", REMOTE_ADDR="10.0.0.3").status_code != 429


def test_search_page_over_limit_is_a_chinese_page(client, demo_site, tight_limits):
    for _ in range(2):
        client.get("/search/?q=a", REMOTE_ADDR="10.0.0.4")
    response = client.get("/search/?q=a", REMOTE_ADDR="10.0.0.4")
    assert response.status_code == 429
    assert "请求过于频繁" in response.content.decode()
    assert response["Retry-After"]


def test_pages_outside_the_rules_are_not_limited(client, demo_site, tight_limits):
    assert all(client.get("/", REMOTE_ADDR="10.0.0.5").status_code == 200 for _ in range(5))


def test_window_resets_and_retry_after_counts_down(db, tight_limits):
    assert hit("t", "c", 1, 60, now=120.0) == 0
    assert hit("t", "c", 1, 60, now=150.0) == 30
    assert hit("t", "c", 1, 60, now=181.0) == 0  # next window


def test_broken_cache_lets_requests_through(db, tight_limits, monkeypatch):
    def boom(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(caches["ratelimit"], "add", boom)
    assert hit("t", "c", 1, 60) == 0


@pytest.fixture
def production_rules(settings):
    """The rule list as portal/settings/base.py builds it, with small limits."""
    settings.RATE_LIMITS = [
        ("suggest", "/api/suggest/", 3, 60),
        ("search-api", "/api/search/", 2, 60),
        ("search", "/search/", 2, 60),
        ("api", "/api/", 2, 60),
    ]
    caches["ratelimit"].clear()
    yield settings.RATE_LIMITS
    caches["ratelimit"].clear()


@pytest.mark.parametrize(
    "method, url, allowed",
    [
        ("get", "/api/suggest/?q=营业", 3),
        ("get", "/api/search/?q=营业执照", 2),
        ("get", "/api/items/", 2),
        ("get", "/api/fees/", 2),
        ("post", "/api/cases/", 2),  # the push API is limited before its token is checked
    ],
)
def test_each_json_api_answers_429_json_with_retry_after(
    client, demo_site, production_rules, method, url, allowed, monkeypatch
):
    # One fixed instant inside a window: on a slow machine the requests could straddle the
    # minute at which the fixed window turns over, and the third would be counted afresh.
    monkeypatch.setattr("core.ratelimit.time", SimpleNamespace(time=lambda: 1_800_000_030.0))
    call = getattr(client, method)
    statuses = [call(url, REMOTE_ADDR="10.1.0.1").status_code for _ in range(allowed)]
    assert 429 not in statuses, statuses
    response = call(url, REMOTE_ADDR="10.1.0.1")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    body = json.loads(response.content)
    assert body["error"] == "rate_limited" and body["retry_after"] == int(response["Retry-After"])
    assert call(url, REMOTE_ADDR="10.1.0.2").status_code != 429  # another client is not affected


def test_rules_count_separately(client, demo_site, production_rules):
    """Typing in the search box (suggest) does not use up the search budget, nor the reverse."""
    for _ in range(3):
        assert client.get("/api/suggest/?q=a", REMOTE_ADDR="10.1.0.3").status_code == 200
    assert client.get("/api/suggest/?q=a", REMOTE_ADDR="10.1.0.3").status_code == 429
    assert client.get("/api/search/?q=a", REMOTE_ADDR="10.1.0.3").status_code == 200
    assert client.get("/search/?q=a", REMOTE_ADDR="10.1.0.3").status_code == 200


def test_limits_are_configurable_from_the_environment():
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import django, json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings.production'; django.setup(); "
        "from django.conf import settings; print(json.dumps(settings.RATE_LIMITS))"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION", "GONGKAI_TESTING"}}
    env.update({"GONGKAI_LOCAL": "1", "RATE_LIMIT_SEARCH": "7", "RATE_LIMIT_SUGGEST": "9", "RATE_LIMIT_API": "0"})
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    rules = {name: (prefix, limit, window) for name, prefix, limit, window in json.loads(out.stdout.splitlines()[-1])}
    assert rules == {
        "suggest": ("/api/suggest/", 9, 60),
        "search-api": ("/api/search/", 7, 60),
        "search": ("/search/", 7, 60),
        "api": ("/api/", 0, 60),  # 0: no limit
    }
