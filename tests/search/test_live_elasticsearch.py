"""Against a live Elasticsearch (ELASTICSEARCH_URL); skipped with its reason otherwise."""

import os
import uuid

import pytest

pytestmark = [
    pytest.mark.live_es,
    pytest.mark.skipif(
        not os.environ.get("ELASTICSEARCH_URL"),
        reason="ELASTICSEARCH_URL is not set: no live Elasticsearch to test against",
    ),
]


@pytest.fixture
def live_backend(settings):
    from search.backends.elasticsearch import ElasticsearchBackend

    settings.ELASTICSEARCH_INDEX_PREFIX = f"gongkai-test-{uuid.uuid4().hex[:8]}"
    backend = ElasticsearchBackend()
    yield backend
    backend.client.indices.delete(index=f"{backend.alias}-*", ignore_unavailable=True)
    backend.client.indices.delete_index_template(name=backend.alias, ignore=[404])


def test_live_rebuild_search_facets_and_alias_swap(live_backend):
    from .test_elasticsearch import sample_documents

    first = live_backend.rebuild(sample_documents())
    assert live_backend.ping()
    results = live_backend.search("身份证")
    assert results.total >= 1 and results.hits[0].title.startswith("居民身份证")
    assert "<mark>" in results.hits[0].snippet
    assert live_backend.search("sfz").total >= 1
    assert {v["value"] for v in results.facets["center"]} == {"city"}
    second = live_backend.rebuild(sample_documents())
    assert live_backend._current_indices() == [second["index"]] != [first["index"]]
    assert live_backend.suggest("居民")
    live_backend.delete(["guides.guidepage:1"])
    live_backend.client.indices.refresh(index=live_backend.alias)
    assert live_backend.search("补领").total == 0
