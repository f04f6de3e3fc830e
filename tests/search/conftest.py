"""Search test fixtures: the seeded demo site indexed into either engine."""

import pytest

from .live_es import BACKENDS, es_settings


@pytest.fixture(scope="module", params=BACKENDS)
def site_backend(request, django_db_setup, django_db_blocker):
    """Every test here runs on the embedded index and on a live Elasticsearch node holding the
    seeded demo site (indexed from the database, as `search_index rebuild` does)."""
    from search import indexing

    if request.param == "embedded":
        yield "embedded"
        return
    with es_settings(), django_db_blocker.unblock():
        indexing.rebuild()
        yield "elasticsearch"
