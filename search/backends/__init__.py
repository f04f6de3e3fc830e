"""One search interface, two backends: embedded (default) and Elasticsearch.

`get_backend()` returns the backend chosen by settings.SEARCH_BACKEND.
"""

from django.conf import settings
from django.utils.module_loading import import_string

BACKENDS = {
    "embedded": "search.backends.embedded.EmbeddedBackend",
    "elasticsearch": "search.backends.elasticsearch.ElasticsearchBackend",
}


class SearchUnavailable(Exception):
    """The search backend cannot answer; pages say so politely and the rest keeps working."""


def get_backend():
    return import_string(BACKENDS[settings.SEARCH_BACKEND])()


def health_check():
    """/healthz's search check (registered in SearchConfig.ready): the backend answers a ping."""
    backend = get_backend()
    backend.ping()
    return {"ok": True, "backend": backend.name}
