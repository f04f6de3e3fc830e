"""Elasticsearch query bodies built from what the embedded index would run.

`search.analysis` describes how a term may match as FTS5 expressions (quoted tokens, prefixes,
phrases, AND/OR/NOT, column filters); `from_fts()` turns such an expression into the equivalent
Elasticsearch bool query over the same pre-analysed fields, so query understanding written once
in `search.analysis` (synonyms, pinyin, fallbacks) runs the same on both engines. Only the FTS5
syntax that `fts_term()` and the `Term` methods produce is accepted; anything else raises
ValueError (a bug, never user input: user text is always inside quotes).
"""

import re

from .. import analysis, ranking
from .embedded_store import COLUMNS, WEIGHTS, _plain

SEARCHABLE = list(COLUMNS)
FACET_FIELDS = {
    "kind": "kind",
    "audience": "audience",
    "center": "center",
    "department": "department",
    "theme": "theme_labels",
    "type": "item_type",
    "fee": "fee",
    "online": "online",
}
# Facets whose labels come from the data: the label field of the same document.
LABEL_FIELDS = {"center": "center_label", "department": "department_label"}

_TOKEN = re.compile(
    r'\s*(?:(?P<string>"(?:[^"]|"")*")(?P<star>\*)?|(?P<op>AND|OR|NOT)\b|(?P<paren>[()])'
    r"|(?P<columns>\{[a-z_ ]+\}|[a-z_]+)\s*:)"
)


def fields(names=None):
    return [f"{name}^{WEIGHTS[name]}" for name in (names or SEARCHABLE)]


def token_query(token, names=None, prefix=False):
    """One token in any of the fields (FTS5's `"token"` / `"token"*`). A prefix also scores the
    whole token by BM25 where it occurs as typed (`yyzz` itself), as bm25 does in FTS5, rather
    than giving every completion the same constant score."""
    names = names or SEARCHABLE
    whole = {"multi_match": {"query": token, "fields": fields(names), "type": "most_fields"}}
    if not prefix:
        return whole
    prefixes = [{"prefix": {name: {"value": token, "boost": WEIGHTS[name] / 10}}} for name in names]
    return {"bool": {"should": [whole, *prefixes], "minimum_should_match": 1}}


def phrase_query(tokens, names=None):
    """Consecutive tokens in one field (FTS5's phrase `"a b c"`)."""
    return {"multi_match": {"query": " ".join(tokens), "fields": fields(names), "type": "phrase"}}


def _lex(expression):
    position, items = 0, []
    while position < len(expression):
        if expression[position:].strip() == "":
            break
        match = _TOKEN.match(expression, position)
        if match is None:
            raise ValueError(f"not an FTS5 expression this module knows: {expression[position : position + 40]!r}")
        position = match.end()
        if match.group("string") is not None:
            text = match.group("string")[1:-1].replace('""', '"')
            items.append(("string", text, bool(match.group("star"))))
        elif match.group("op"):
            items.append(("op", match.group("op"), None))
        elif match.group("paren"):
            items.append(("paren", match.group("paren"), None))
        else:
            names = match.group("columns").strip("{}").split()
            unknown = set(names) - set(SEARCHABLE)
            if unknown:
                raise ValueError(f"unknown column {sorted(unknown)}")
            items.append(("columns", names, None))
    return items


class _Parser:
    """FTS5 precedence: NOT binds tightest, then AND (also implied between neighbours), then OR."""

    def __init__(self, items):
        self.items = items
        self.at = 0

    def peek(self):
        return self.items[self.at] if self.at < len(self.items) else (None, None, None)

    def take(self):
        item = self.peek()
        self.at += 1
        return item

    def parse(self, names):
        query = self.alternatives(names)
        if self.at != len(self.items):
            raise ValueError(f"unexpected {self.peek()[1]!r}")
        return query

    def alternatives(self, names):
        options = [self.conjunction(names)]
        while self.peek()[:2] == ("op", "OR"):
            self.take()
            options.append(self.conjunction(names))
        return options[0] if len(options) == 1 else {"bool": {"should": options, "minimum_should_match": 1}}

    def conjunction(self, names):
        parts = [self.negation(names)]
        while True:
            kind, value, _extra = self.peek()
            if (kind, value) == ("op", "AND"):
                self.take()
            elif kind in {"string", "columns"} or (kind, value) == ("paren", "("):
                pass  # implicit AND
            else:
                break
            parts.append(self.negation(names))
        return parts[0] if len(parts) == 1 else {"bool": {"must": parts}}

    def negation(self, names):
        query = self.primary(names)
        excluded = []
        while self.peek()[:2] == ("op", "NOT"):
            self.take()
            excluded.append(self.primary(names))
        return {"bool": {"must": [query], "must_not": excluded}} if excluded else query

    def primary(self, names):
        kind, value, star = self.take()
        if kind == "columns":
            return self.primary(value)
        if (kind, value) == ("paren", "("):
            query = self.alternatives(names)
            if self.take()[:2] != ("paren", ")"):
                raise ValueError("unbalanced parentheses")
            return query
        if kind == "string":
            tokens = value.split()
            if not tokens:
                return {"match_none": {}}
            if len(tokens) == 1:
                return token_query(tokens[0], names, prefix=star)
            return phrase_query(tokens, names)
        raise ValueError(f"unexpected {value!r}")


def from_fts(expression):
    """The Elasticsearch query equivalent to an FTS5 expression of `search.analysis`."""
    return _Parser(_lex(expression)).parse(None)


def grams(text):
    """Character bigrams of the plain text (letters, digits, CJK) in order, as tokens."""
    return " ".join(analysis.bigrams(_plain(text)))


def phrase_queries(phrases):
    """Quoted phrases: each CJK run of 3+ characters as consecutive bigrams in one field, and a
    phrase of several runs as consecutive characters of the document's plain text."""
    queries = []
    for phrase in phrases:
        runs = analysis.TOKEN_RUN.findall(phrase)
        for run in runs:
            if not analysis.ASCII_WORD.match(run) and len(run) >= 3:
                queries.append(phrase_query(analysis.bigrams(run), SEARCHABLE))
        if len(runs) > 1:
            plain = grams(phrase)
            if plain:
                queries.append({"match_phrase": {"plain": plain}})
    return queries


def filter_clauses(filters):
    clauses = []
    for name, values in (filters or {}).items():
        values = list(values)
        if not values or name not in FACET_FIELDS:
            continue
        if name == "theme":
            clauses.append({"terms": {"themes": values}})
            continue
        if name == "audience" and set(values) & {"person", "legal"}:
            values = sorted({*values, "both"})
        clauses.append({"terms": {FACET_FIELDS[name]: values}})
    return clauses


def title_contains(word):
    """The title holds `word` as written: its bigrams in order, or a wildcard for one character."""
    if len(_plain(word)) >= 2:
        return {"match_phrase": {"title_grams": grams(word)}}
    return {"wildcard": {"title": {"value": f"*{word}*"}}}


def _any_in_title(words):
    return {"bool": {"should": [title_contains(w) for w in words if w], "minimum_should_match": 1}}


def scored(query, spec):
    """The document's text score × its kind boost × the title factor of the query, which
    `search.ranking.title_factor_spec` describes for both backends (the embedded backend
    computes the same factor in Python as `title_scorer`)."""
    whole, items, preferred, demoted = spec
    additions = [{"filter": {"match_all": {}}, "weight": 1.0}]
    for partial, words, weight in items:
        words = [w for w in words if w]
        if not words:
            continue
        if partial:
            additions += [{"filter": title_contains(ch), "weight": weight / len(words)} for ch in words]
        else:
            additions.append({"filter": _any_in_title(words), "weight": weight})
    inner = {"function_score": {"query": query, "functions": additions, "score_mode": "sum", "boost_mode": "multiply"}}
    factors = [{"field_value_factor": {"field": "boost", "missing": 1}}]
    if whole:
        factors.append({"filter": title_contains(whole), "weight": ranking.TITLE_WHOLE_FACTOR})
    if demoted:
        factors.append({"filter": _any_in_title(demoted), "weight": ranking.DEMOTED_FACTOR})
        factors.append(
            {
                "filter": {"bool": {"must": [_any_in_title(preferred)], "must_not": [_any_in_title(demoted)]}},
                "weight": ranking.PREFERRED_FACTOR,
            }
        )
    return {
        "function_score": {"query": inner, "functions": factors, "score_mode": "multiply", "boost_mode": "multiply"}
    }


def aggregations():
    aggs = {}
    for name, field in FACET_FIELDS.items():
        agg = {"terms": {"field": field, "size": 200}}
        if name in LABEL_FIELDS:
            agg["aggs"] = {"label": {"terms": {"field": LABEL_FIELDS[name], "size": 1}}}
        aggs[name] = agg
    return aggs
