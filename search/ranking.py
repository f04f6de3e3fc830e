"""Ranking and query planning shared by both backends: which variant of an item a generic query
means, the ladder of ways a term may match, IDF-like term weights over item names, and the title
factor a backend multiplies its text score by (see docs/search.md, "Query handling").

Split from search.analysis to keep modules small; it imports search.analysis, never the reverse.
"""

import math

# The variant words (what a generic query means, and what asks for a change) live with the
# query's analysis, which uses them; ranking weighs titles by them.
from .analysis import CHANGE_INTENT, CJK_RUN, DEMOTED_VARIANTS, PREFERRED_VARIANTS, Term  # noqa: F401


def term_ladder(term, known=None):
    """The ways a term may be satisfied, strictest first: [(mode, FTS5 expression)]. A backend
    takes the first that finds anything (so a fallback never dilutes a word that matched):
    - "exact": the word as written or one of its synonyms;
    - "subwords": the synonyms of words inside it (考驾照 → 驾照 = 驾驶证);
    - "characters": all its characters in a name (残疾证 → 残疾人证, 个体户 → 个体工商户);
    - "pinyin": the same sound as a whole word of a name (homophone typos such as 营业值照),
      only when the Chinese matched nothing;
    - "partial": any of its character pairs in a name, ranked by how much of it the title covers.

    A generator: each expression is made only when the backend asks for it, so a term that
    matched as written never computes its pinyin (nor loads the pinyin tables).
    """
    yield "exact", term.fts_exact(known)
    yield "subwords", term.fts_subwords(known)
    yield "characters", term.fts_characters()
    yield "pinyin", term.fts_whole_pinyin()
    yield "partial", term.fts_partial()


# The title factor (title_scorer): each term in the title adds TERM_IN_TITLE × its name weight;
# for a generic query a new/first-time item counts ×PREFERRED_FACTOR, a change, renewal or
# cancellation ×DEMOTED_FACTOR; the query's longest CJK run in the title doubles it.
TERM_IN_TITLE = 1.5
TITLE_WHOLE_FACTOR = 2.0
PREFERRED_FACTOR = 1.3
DEMOTED_FACTOR = 0.5


def title_factor_spec(parsed, live, weights):
    """What the title factor is made of, for any backend: (whole, items, preferred, demoted).

    `whole` (the query's longest CJK run) in the title multiplies the factor by
    TITLE_WHOLE_FACTOR; each item (partial, words, weight) adds `weight` when one of `words` is in
    the title, or, when partial, `weight` times the share of its characters that are; then a
    title with a `demoted` word counts DEMOTED_FACTOR, else one with a `preferred` word
    PREFERRED_FACTOR. `live` is [(Term, ladder mode)] of the terms that matched, `weights` their
    name_weights. The Elasticsearch backend turns the same spec into function_score functions."""
    runs = CJK_RUN.findall(parsed.text)
    whole = max(runs, key=len) if runs else parsed.text
    items = []
    for (term, mode), weight in zip(live, weights, strict=True):
        if weight <= 0:
            continue
        if mode in ("characters", "partial"):
            items.append((True, term.cjk_characters(), weight * TERM_IN_TITLE))
        else:
            items.append((False, term.title_words()[:8], weight * TERM_IN_TITLE))
    preferred, demoted = parsed.variant_preference()
    return whole, items, preferred, demoted


def title_scorer(parsed, live, weights):
    """A function title -> factor that multiplies a document's text score (title_factor_spec),
    cached per title (catalogs repeat names across centers)."""
    whole, items, preferred, demoted = title_factor_spec(parsed, live, weights)
    cache = {}

    def factor(title):
        value = cache.get(title)
        if value is not None:
            return value
        value = TITLE_WHOLE_FACTOR if whole and whole in title else 1.0
        extra = 0.0
        for partial, words, weight in items:
            if partial:
                extra += weight * sum(1 for ch in words if ch in title) / max(len(words), 1)
            elif any(word in title for word in words):
                extra += weight
        value *= 1.0 + extra
        if demoted:
            if any(word in title for word in demoted):
                value *= DEMOTED_FACTOR
            elif any(word in title for word in preferred):
                value *= PREFERRED_FACTOR
        cache[title] = value
        return value

    return factor


def name_weights(terms, names):
    """IDF-like weight of each term over the item names (a word in few names identifies an item,
    one in many does not): log(1 + N / (1 + names holding the term or one of its synonyms)),
    scaled so the heaviest term weighs 1. `names` is a list of distinct item names."""
    names = list(names or [])
    total = len(names) or 1
    weights = []
    for term in terms:
        words = term.title_words() if isinstance(term, Term) else [term]
        df = sum(1 for name in names if any(w and w in name for w in words))
        weights.append(math.log(1 + total / (1 + df)))
    top = max(weights, default=0) or 1.0
    return [w / top for w in weights]
