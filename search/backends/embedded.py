# ruff: noqa: S608 - SQL is assembled from constants and placeholders; user text is always a bound parameter.
"""Embedded full-text search (SQLite FTS5): the querying half of the embedded backend.

The index's layout, files and writes are in search/backends/embedded_store.py (see its
docstring and docs/search.md, "Embedded index"); this module ranks, filters, counts facets,
groups and suggests.
"""

import itertools
import json
import time
from collections import Counter
from urllib.parse import urlencode

from .. import analysis, ranking
from ..analysis import ParsedQuery, fts_term, parse_query
from ..documents import base_name
from . import SearchUnavailable
from .base import FACETS, MAX_PAGE, PER_PAGE, Hit, SearchBackend, SearchResults
from .embedded_grouping import grouped_page
from .embedded_store import (
    ALL_TERMS_BONUS,
    BM25,
    BM25_LIMIT,
    CHUNK,
    COMBO_BITS,
    COMBO_OF,
    FACET_COLUMNS,
    FACET_POSITIONS,
    NAME_COLUMNS,
    EmbeddedStore,
    _phrase_parts,
    sqlite3,
)


class EmbeddedBackend(EmbeddedStore, SearchBackend):
    name = "embedded"
    groups = True

    # ---- searching -------------------------------------------------------------------
    @staticmethod
    def _filter_sql(filters, exact):
        """SQL conditions on the FTS row (facet filters test the combination bits of its rowid
        against `combos`, which is small) and their parameters."""
        conditions, params = [], []
        for name, values in (filters or {}).items():
            values = list(values)
            if not values:
                continue
            if name == "theme":
                conditions.append(
                    f"id IN (SELECT combo FROM combo_themes WHERE theme IN ({', '.join('?' * len(values))}))"
                )
                params.extend(values)
                continue
            column = FACET_COLUMNS.get(name)
            if column is None:
                continue
            if name == "audience":
                values = sorted({*values, "both"}) if set(values) & {"person", "legal"} else values
            conditions.append(f"{column} IN ({', '.join('?' * len(values))})")
            params.extend(values)
        clauses = []
        if conditions:
            clauses.append(f"{COMBO_OF} IN (SELECT id FROM combos WHERE {' AND '.join(conditions)})")
        for plain in exact:
            clauses.append("EXISTS (SELECT 1 FROM docs d WHERE d.id = fts.rowid AND instr(d.plain, ?) > 0)")
            params.append(plain)
        return "".join(f" AND {clause}" for clause in clauses), params

    def _live_terms(self, connection, parsed):
        """One FTS5 expression per term that finds something: the term as written (or a
        synonym), else its pinyin (homophone typos); terms that find nothing are dropped."""

        def known(token):
            # An FTS query for the one token stops at its first row; fts5vocab would count
            # every row that holds it (milliseconds for a common word).
            return self._matches_anything(connection, fts_term(token))

        live = []
        for term in parsed.terms:
            for mode, expression in ranking.term_ladder(term, known):
                if expression and self._matches_anything(connection, expression):
                    live.append((expression, term, mode))
                    break
        return live

    def _matches_anything(self, connection, expression):
        return connection.execute("SELECT 1 FROM fts WHERE fts MATCH ? LIMIT 1", (expression,)).fetchone() is not None

    @staticmethod
    def _facet_pass(connection, expression, where, params):
        """Every match's facet combination, in one pass over the FTS index alone.

        SQLite would sort the matches for a GROUP BY; instead each match contributes one
        character (the combination bits of its rowid, as a code point) to one string, which
        Counter tallies in C. Returns (number of matches, Counter of combinations as characters)."""
        row = connection.execute(
            f"SELECT group_concat(char({COMBO_OF}), '') FROM fts WHERE fts MATCH ?{where}", (expression, *params)
        ).fetchone()
        tally = Counter(row[0] or "")
        return sum(tally.values()), tally

    @staticmethod
    def _count(connection, expression, where="", params=()):
        return connection.execute(
            f"SELECT count(*) FROM fts WHERE fts MATCH ?{where}", (expression, *params)
        ).fetchone()[0]

    @staticmethod
    def _ranked(connection, expression, where, params, factor):
        """[(id, score, title)] of every row matching `expression` (few rows), best first:
        bm25 × kind boost × the query's title factor (`factor(title)`, search.analysis)."""
        rows = connection.execute(
            f"SELECT fts.rowid, (-{BM25}) * s.boost, s.title FROM fts JOIN slim s ON s.id = fts.rowid"
            f" WHERE fts MATCH ?{where}",
            (expression, *params),
        ).fetchall()
        scored = [(doc_id, score * factor(title), title) for doc_id, score, title in rows]
        scored.sort(key=lambda row: (-row[1], len(row[2]), row[2]))
        return scored

    @staticmethod
    def _in_order(connection, expression, where, params, factor):
        """(id, score, title) of the rows matching `expression` in the cheap static order: FTS5
        walks the index in rowid order, a chunk at a time (keyset, nothing is sorted)."""
        last = -1
        while True:
            rows = connection.execute(
                f"SELECT fts.rowid, s.boost / (1 + length(s.title)), s.title FROM fts JOIN slim s"
                f" ON s.id = fts.rowid WHERE fts MATCH ?{where} AND fts.rowid > ? ORDER BY fts.rowid LIMIT ?",
                (expression, *params, last, CHUNK),
            ).fetchall()
            for doc_id, score, title in rows:
                yield doc_id, score * factor(title), title
            if len(rows) < CHUNK:
                return
            last = rows[-1][0]

    def _title_factor(self, state, parsed, live):
        """The query's title factor (search.ranking.title_scorer) with name-IDF weights."""
        terms = [term for term, _mode in live]
        return ranking.title_scorer(parsed, live, self._weights(state, terms))

    def _weights(self, state, terms):
        """Name-IDF weights of the terms (search.ranking.name_weights), cached with the names."""
        if len(terms) < 2:
            return [1.0] * len(terms)
        key = tuple(tuple(term.title_words()) for term in terms)
        cache = state.weights
        if key not in cache:
            if len(cache) > 5000:
                cache.clear()
            cache[key] = ranking.name_weights(terms, [name for name, _pinyin in self.names()])
        return cache[key]

    def _iter_ranked(self, connection, tiers, where, params, factor):
        """(id, score, title) of every match over the tiers, best first, lazily.

        A tier of up to BM25_LIMIT matches is ranked by bm25 and the title factor. Past that,
        rows with the terms in the name fields come first, then the others; each of the two is
        ranked when it is small enough, else walked in the cheap static order."""
        for expression, count, bonus in tiers:
            if not count:
                continue
            if count <= BM25_LIMIT:
                parts = [(expression, count)]
            else:
                in_names = f"{NAME_COLUMNS}: ({expression})"
                # Tier sizes without the filters (FTS counts, fast): they choose the ranking.
                everything = self._count(connection, expression) if where else count
                named = self._count(connection, in_names)
                parts = [(in_names, named), (f"({expression}) NOT ({in_names})", everything - named)]
            for part, matches in parts:
                if not matches:
                    continue
                rows = (
                    self._ranked(connection, part, where, params, factor)
                    if matches <= BM25_LIMIT
                    else self._in_order(connection, part, where, params, factor)
                )
                for doc_id, score, title in rows:
                    yield doc_id, score + bonus, title

    def _facets(self, state, tally):
        """Facet counts from the matches' combination tally: one short loop per facet over
        the distinct combinations (bounded by the variety of the data, not by the matches)."""
        combos = state.combos
        if not combos.keys() >= {ord(char) for char in tally}:
            state.version = None  # a combination written since the cache was filled
            state.refresh()
            combos = state.combos
        items = [(combos[ord(char)], count) for char, count in tally.items() if ord(char) in combos]
        facets = {}
        for name in FACETS:
            counts = {}
            if name == "theme":
                for combo, count in items:
                    for theme in combo[7]:
                        counts[theme] = counts.get(theme, 0) + count
            else:
                position = FACET_POSITIONS[name]
                for combo, count in items:
                    value = combo[position]
                    counts[value] = counts.get(value, 0) + count
                counts.pop("", None)
            static = FACETS[name][1]
            labels = {value: str(label) for value, label in static.items()} if static else None
            values = [
                {
                    "value": value,
                    "label": labels.get(value, value) if static else state.labels.get((name, value), value),
                    "count": count,
                }
                for value, count in counts.items()
            ]
            values.sort(key=lambda v: (-v["count"], v["label"]))
            facets[name] = values
        return facets

    def _hit(self, row, words, score=None):
        return Hit(
            key=row["key"],
            kind=row["kind"],
            title=row["title"],
            url=row["url"],
            snippet=analysis.highlight(row["summary"], words),
            score=float(score if score is not None else row["score"]),
            center=row["center"] or "",
            center_label=row["center_label"] or "",
            item_code=row["item_code"] or "",
            department_label=row["department_label"] or "",
            item_type=row["item_type"] or "",
        )

    def search(self, query, filters=None, page=1, per_page=PER_PAGE, synonyms=None, group=False, prefer_center=""):
        started = time.perf_counter()
        parsed = query if isinstance(query, ParsedQuery) else parse_query(query, synonyms)
        page = max(1, min(int(page or 1), MAX_PAGE))
        results = SearchResults(query=parsed.text, page=page, per_page=per_page, facets={name: [] for name in FACETS})
        if parsed.empty:
            results.took_ms = round((time.perf_counter() - started) * 1000, 2)
            return results
        try:
            state = self._state()
            connection = state.connection
            connection.execute("BEGIN")
            try:
                state.refresh()
                self._search(state, parsed, filters, page, per_page, results, group, prefer_center)
            finally:
                connection.execute("COMMIT")
        except sqlite3.Error as exc:
            raise SearchUnavailable(str(exc)) from exc
        results.took_ms = round((time.perf_counter() - started) * 1000, 2)
        return results

    def _search(self, state, parsed, filters, page, per_page, results, group=False, prefer_center=""):
        connection = state.connection
        planned = self._live_terms(connection, parsed)
        if not planned:
            return
        live = [expression for expression, _term, _mode in planned]
        phrase_expressions, exact = _phrase_parts(parsed.phrases)
        where, params = self._filter_sql(filters, exact)
        whole = self._title_factor(state, parsed, [(term, mode) for _e, term, mode in planned])
        # All terms required; when that finds less than a page, documents with some of the
        # terms follow (ranked below every full match).
        every = " AND ".join(live + phrase_expressions)
        full, tally = self._facet_pass(connection, every, where, params)
        tiers = [(every, full, ALL_TERMS_BONUS)]
        total = full
        if full < per_page and len(live) > 1:
            some = " AND ".join(["(" + " OR ".join(live) + ")", *phrase_expressions])
            total, tally = self._facet_pass(connection, some, where, params)
            results.mode = "all" if full == total else ("all+any" if full else "any")
            tiers.append((f"({some}) NOT ({every})", total - full, 0.0))
        results.total = total
        if not total:
            return
        results.documents = total
        results.facets = self._facets(state, tally)
        if group:
            grouped_page(self, state, tiers, where, params, whole, parsed, results, prefer_center)
            return
        offset = (page - 1) * per_page
        walk = self._iter_ranked(connection, tiers, where, params, whole)
        ranked = [(doc_id, score) for doc_id, score, _title in itertools.islice(walk, offset, offset + per_page)]
        if ranked:
            scores = dict(ranked)
            rows = connection.execute(
                f"SELECT * FROM docs WHERE id IN ({', '.join('?' * len(ranked))})", list(scores)
            ).fetchall()
            by_id = {row["id"]: row for row in rows}
            words = parsed.highlight_words()
            results.hits = [self._hit(by_id[doc_id], words, score) for doc_id, score in ranked if doc_id in by_id]

    def get(self, keys):
        keys = list(keys)
        if not keys:
            return []
        connection = self._reader()
        rows = connection.execute(
            f"SELECT d.*, 0 AS score FROM docs d WHERE key IN ({', '.join('?' * len(keys))})", keys
        ).fetchall()
        by_key = {row["key"]: self._hit(row, []) for row in rows}
        return [by_key[key] for key in keys if key in by_key]

    def suggest(self, prefix, limit=8):
        text = analysis.normalize(prefix).strip()[:50]
        runs = analysis.TOKEN_RUN.findall(text)
        if not runs:
            return []
        parts = []
        for run in runs[:4]:
            if analysis.ASCII_WORD.match(run):
                if len(run) < 2:
                    continue  # one letter says nothing yet (and is not in the prefix index)
                parts.append(f"{{name keywords pinyin}}: {fts_term(run, prefix=True)}")
            elif len(run) <= 2:
                parts.append(f"name: {fts_term(run)}")
            else:
                parts.append("(" + " AND ".join(f"name: {fts_term(g)}" for g in analysis.bigrams(run)) + ")")
        if not parts:
            return []
        expression = " AND ".join(parts)
        first = runs[0]
        names = f"{COMBO_OF} IN (SELECT id FROM combos WHERE kind IN ('guide', 'life_event'))"
        seen = {}  # title -> {"id", "count"}: a name in several centers links to a search
        try:
            connection = self._reader()
            if self._count(connection, expression) <= BM25_LIMIT:
                rows = connection.execute(
                    f"""SELECT s.id, s.title FROM fts JOIN slim s ON s.id = fts.rowid WHERE fts MATCH ? AND {names}
                    ORDER BY (instr(s.title, ?) = 1) DESC, {BM25}, length(s.title) LIMIT ?""",
                    (expression, first, limit * 6),
                ).fetchall()
                for doc_id, title in rows:
                    entry = seen.get(title)
                    if entry is None:
                        if len(seen) < limit:
                            seen[title] = {"id": doc_id, "count": 1}
                    else:
                        entry["count"] += 1
            else:
                # Many rows match what was typed so far: one per distinct name, names that
                # start with the typed text first, then shorter names (no bm25 over them all).
                rows = connection.execute(
                    f"""SELECT min(fts.rowid), s.title, count(*) FROM fts JOIN slim s ON s.id = fts.rowid
                    WHERE fts MATCH ? AND {names} GROUP BY s.title
                    ORDER BY (instr(s.title, ?) = 1) DESC, length(s.title), s.title LIMIT ?""",
                    (expression, first, limit),
                ).fetchall()
                seen = {title: {"id": doc_id, "count": count} for doc_id, title, count in rows}
            ids = [entry["id"] for entry in seen.values()]
            urls = dict(connection.execute(f"SELECT id, url FROM docs WHERE id IN ({', '.join('?' * len(ids))})", ids))
        except sqlite3.Error as exc:
            raise SearchUnavailable(str(exc)) from exc
        for entry in seen.values():
            entry["url"] = urls.get(entry["id"], "")
        suggestions = []
        for title, entry in seen.items():
            url = entry["url"] if entry["count"] == 1 else "/search/?" + _urlencode(title)
            suggestions.append({"title": title, "url": url})
        return suggestions

    def names(self):
        """Distinct guide and life-event names with their pinyin (cached until the index changes)."""
        state = self._state()
        try:
            state.refresh()
            if state.names is None:
                # Distinct titles from the narrow table (a few hundred at most), not a scan of docs;
                # their pinyin as computed at indexing time (docs.name_pinyin), so a query never
                # loads the pinyin tables for this.
                titles = state.connection.execute(
                    f"SELECT DISTINCT s.title FROM slim s WHERE (s.id & {(1 << COMBO_BITS) - 1})"
                    " IN (SELECT id FROM combos WHERE kind IN ('guide', 'life_event'))"
                )
                bases = list(dict.fromkeys(base_name(row[0]) for row in titles))
                stored = dict(
                    state.connection.execute(
                        "SELECT base_name, name_pinyin FROM docs WHERE kind IN ('guide', 'life_event')"
                    )
                )
                state.names = [(name, stored[name] if name in stored else analysis.pinyin_full(name)) for name in bases]
        except sqlite3.Error as exc:
            raise SearchUnavailable(str(exc)) from exc
        return state.names

    def stats(self):
        connection = self._reader()
        meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
        kinds = dict(connection.execute("SELECT kind, count(*) FROM docs GROUP BY kind").fetchall())
        return {
            "path": str(self.path),
            "file": str(self._current_file()),
            "documents": kinds,
            "meta": json.loads(json.dumps(meta)),
        }


def _urlencode(title):
    return urlencode({"q": title})
