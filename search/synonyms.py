"""Editors' synonym groups as a word -> [other words] map, cached briefly in the shared cache."""

from django.core.cache import cache
from django.db import DatabaseError

CACHE_KEY = "search:synonyms:v3"
CACHE_SECONDS = 60


def load_groups():
    """The words of every group (as Elasticsearch's synonym filter takes them)."""
    from .models import SynonymGroup

    return [group.term_list() for group in SynonymGroup.objects.all()]


def load_directed_groups():
    """[(words, one_way)] of every group."""
    from .models import SynonymGroup

    return [(group.term_list(), group.one_way) for group in SynonymGroup.objects.all()]


def synonym_map():
    """{word: [its synonyms]} (a search.analysis.Synonyms, which also carries the stored pinyin
    of the words); an empty map when the table cannot be read (search still works)."""
    from .analysis import Synonyms
    from .models import SynonymGroup

    mapping = cache.get(CACHE_KEY)
    if mapping is not None:
        return mapping
    try:
        groups = list(SynonymGroup.objects.all())
    except DatabaseError:
        return {}
    sounds = {word: syllables for group in groups for word, syllables in (group.pinyin or {}).items()}
    mapping = Synonyms(build_map([(group.term_list(), group.one_way) for group in groups]), sounds)
    cache.set(CACHE_KEY, mapping, CACHE_SECONDS)
    return mapping


def build_map(groups):
    """{word: [its synonyms]} from [(words, one_way)]: a one-way group (the default lexicon:
    日常用语 → 规范用语) expands its first word only, the others every word."""
    mapping = {}
    for terms, one_way in groups:
        for term in terms[:1] if one_way else terms:
            mapping.setdefault(term, [])
            mapping[term].extend(t for t in terms if t != term and t not in mapping[term])
    return mapping


def invalidate(**kwargs):
    cache.delete(CACHE_KEY)
