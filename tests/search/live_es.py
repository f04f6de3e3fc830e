"""A live Elasticsearch for the search tests: ELASTICSEARCH_TEST_URL (scripts/services.sh starts
one at http://127.0.0.1:9200), else ELASTICSEARCH_URL.

Without either, the Elasticsearch side of the suite is skipped on a developer's machine and
fails under CI (CI=true): CI must run both engines.
"""

import contextlib
import os
import uuid

import pytest


def es_url():
    url = os.environ.get("ELASTICSEARCH_TEST_URL") or os.environ.get("ELASTICSEARCH_URL")
    if url:
        return url
    message = "no live Elasticsearch: set ELASTICSEARCH_TEST_URL (scripts/services.sh start elasticsearch)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@contextlib.contextmanager
def es_settings():
    """Settings that point search at the live node, under an index prefix of this test's own;
    its indices and template are deleted afterwards."""
    from django.test import override_settings

    prefix = f"gongkai-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    with override_settings(
        SEARCH_BACKEND="elasticsearch", ELASTICSEARCH_URL=es_url(), ELASTICSEARCH_INDEX_PREFIX=prefix
    ):
        from search.backends.elasticsearch import ElasticsearchBackend

        backend = ElasticsearchBackend()
        try:
            yield backend
        finally:
            client = backend.client.options(ignore_status=404)
            client.indices.delete(index=f"{prefix}-*", expand_wildcards="all")
            client.indices.delete_index_template(name=backend.alias)


@contextlib.contextmanager
def backend_named(name, tmp_path):
    """A fresh, empty backend of either kind."""
    if name == "elasticsearch":
        with es_settings() as backend:
            yield backend
        return
    from search.backends.embedded import EmbeddedBackend

    backend = EmbeddedBackend(tmp_path / "index.sqlite3")
    try:
        yield backend
    finally:
        backend.destroy()


# The Elasticsearch side carries the `live_es` marker, so a run can leave it out by selection
# (`-m "not live_es"`, as .ci/run's SQLite pass does) rather than by a skip.
BACKENDS = ["embedded", pytest.param("elasticsearch", marks=pytest.mark.live_es)]
