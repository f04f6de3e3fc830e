"""Editors' synonym groups as a word -> [other words] map, cached briefly in the shared cache."""

from django.core.cache import cache
from django.db import DatabaseError

CACHE_KEY = "search:synonyms:v1"
CACHE_SECONDS = 60


def load_groups():
    from .models import SynonymGroup

    return [group.term_list() for group in SynonymGroup.objects.all()]


def synonym_map():
    """{word: [its synonyms]}; an empty map when the table cannot be read (search still works)."""
    mapping = cache.get(CACHE_KEY)
    if mapping is not None:
        return mapping
    try:
        groups = load_groups()
    except DatabaseError:
        return {}
    mapping = {}
    for terms in groups:
        for term in terms:
            mapping.setdefault(term, [])
            mapping[term].extend(t for t in terms if t != term and t not in mapping[term])
    cache.set(CACHE_KEY, mapping, CACHE_SECONDS)
    return mapping


def invalidate(**kwargs):
    cache.delete(CACHE_KEY)
