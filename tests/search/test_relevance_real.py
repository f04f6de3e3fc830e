"""The relevance set over real public item names (tests/search/relevance_real.py): the data is
consistent, and both backends with the default lexicon meet the held-back targets."""

import pytest

from search import lexicon

from . import relevance_real
from .live_es import BACKENDS, backend_named

HELD_RECALL, HELD_MRR = 0.95, 0.80


def test_the_set_is_large_varied_and_points_at_real_items():
    rows = relevance_real.queries()
    names = {row[1] for row in relevance_real.catalog()}
    assert len(rows) >= 200 and len(names) >= 300
    assert {(split, kind) for split, kind, _q, _e in rows} == {
        (split, kind) for split in relevance_real.SPLITS for kind in relevance_real.CLASSES
    }
    assert sum(1 for row in rows if row[0] == "held") >= 80
    missing = [(query, title) for _s, _k, query, expected in rows for title in expected if title not in names]
    assert not missing
    queries = [query for _s, _k, query, _e in rows]
    assert len(queries) == len(set(queries))


@pytest.fixture(scope="module", params=BACKENDS)
def results(request, tmp_path_factory):
    """The held-back targets hold on both engines (the same index tokens and query ladder)."""
    with backend_named(request.param, tmp_path_factory.mktemp("real")) as backend:
        backend.rebuild(relevance_real.documents())
        synonyms = lexicon.synonym_map()
        yield relevance_real.evaluate(
            lambda q: [h.title for h in backend.search(q, group=True, synonyms=synonyms).hits]
        )


def test_held_back_split_meets_the_targets(results):
    table = relevance_real.summarise(results)
    recall, mrr, count = table["held"]
    missed = [row[2] for row in results if row[0] == "held" and row[3] < 1]
    assert count >= 80
    assert recall >= HELD_RECALL and mrr >= HELD_MRR, f"held recall@10 {recall:.3f}, MRR {mrr:.3f}; missed {missed}"


def test_no_query_lists_the_same_item_twice(results):
    assert not [row[2] for row in results if row[6]]
