# ruff: noqa: S608 - SQL is assembled from constants and placeholders; user text is always a bound parameter.
"""Embedded full-text index in its own SQLite FTS5 file (no server needed).

Layout: SEARCH_INDEX_PATH is a symbolic link to the current generation file
(`<name>.gen-<stamp>`). A rebuild writes a complete new generation and swaps the link with one
rename, so searches never see a half-built or empty index; each generation has its own WAL.
Every operation opens short transactions; nothing is shared between processes but the file.
"""

import contextlib
import json
import os
import sqlite3
import threading
import time
from pathlib import Path

from django.conf import settings

from .. import analysis
from ..analysis import ParsedQuery, fts_term, parse_query
from . import SearchUnavailable
from .base import FACETS, MAX_PAGE, PER_PAGE, Hit, SearchBackend, SearchResults

SCHEMA_VERSION = "1"
# bm25 weights per FTS column: the name counts most, then keywords and pinyin, then the
# acceptance conditions and materials, then the procedure, then everything else.
COLUMNS = ["name", "keywords", "pinyin", "conditions", "materials", "procedure", "other"]
WEIGHTS = {
    "name": 10.0,
    "keywords": 5.0,
    "pinyin": 3.0,
    "conditions": 1.5,
    "materials": 1.5,
    "procedure": 1.0,
    "other": 0.4,
}
BM25 = "bm25(fts, " + ", ".join(str(WEIGHTS[c]) for c in COLUMNS) + ")"
FACET_COLUMNS = {
    "kind": "kind",
    "audience": "audience",
    "center": "center",
    "department": "department",
    "type": "item_type",
    "fee": "fee",
    "online": "online",
}
KEEP_GENERATIONS = 2
ALL_TERMS_BONUS = 1000.0
BM25_LIMIT = 1500

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS docs(
    id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, kind TEXT, title TEXT, url TEXT, item_code TEXT,
    center TEXT, center_label TEXT, department TEXT, department_label TEXT, audience TEXT, item_type TEXT,
    fee TEXT, online TEXT, date TEXT, boost REAL, summary TEXT, plain TEXT, base_name TEXT, name_pinyin TEXT
);
CREATE TABLE IF NOT EXISTS doc_themes(theme TEXT, doc_id INTEGER, PRIMARY KEY(theme, doc_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS doc_themes_doc ON doc_themes(doc_id);
CREATE TABLE IF NOT EXISTS labels(facet TEXT, value TEXT, label TEXT, PRIMARY KEY(facet, value)) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5({", ".join(COLUMNS)}, tokenize="unicode61 remove_diacritics 0", prefix='2 3', detail=column);
CREATE VIRTUAL TABLE IF NOT EXISTS vocab USING fts5vocab(fts, 'row');
"""

_local = threading.local()


def _plain(text):
    """Text reduced to letters, digits and CJK characters, for exact phrase checks."""
    return "".join(analysis.TOKEN_RUN.findall(analysis.normalize(text)))


def _flag(value, yes, no):
    return "" if value is None else (yes if value else no)


class EmbeddedBackend(SearchBackend):
    name = "embedded"

    def __init__(self, path=None):
        self.path = Path(path or settings.SEARCH_INDEX_PATH)

    # ---- files and connections -------------------------------------------------------
    def _new_generation_path(self):
        stamp = f"{time.time_ns()}-{os.getpid()}"
        return self.path.with_name(f"{self.path.name}.gen-{stamp}")

    def _current_file(self, create=True):
        """The current generation's real path; an empty index is created on first use."""
        if not os.path.lexists(self.path):
            if not create:
                raise SearchUnavailable(f"no search index at {self.path}")
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                target = self._new_generation_path()
                self._initialise(target)
                self._swap_to(target, keep_old=True)
            except (OSError, sqlite3.Error) as exc:
                raise SearchUnavailable(str(exc)) from exc
        real = Path(os.path.realpath(self.path))
        if not real.exists():
            raise SearchUnavailable(f"search index {self.path} points to a missing file")
        return real

    def _open(self, real):
        connection = sqlite3.connect(real, timeout=10, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA busy_timeout=10000")
        connection.execute("PRAGMA temp_store=MEMORY")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.row_factory = sqlite3.Row
        return connection

    def _initialise(self, real, wal=True):
        connection = self._open(real)
        try:
            if wal:
                connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(SCHEMA)
            connection.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            connection.execute("INSERT OR REPLACE INTO meta VALUES ('built_at', ?)", (str(time.time()),))
        finally:
            connection.close()

    def _swap_to(self, target, keep_old=False):
        """Point SEARCH_INDEX_PATH at `target` with one atomic rename of a fresh symlink."""
        link = self.path.with_name(f"{self.path.name}.link-{os.getpid()}-{time.time_ns()}")
        os.symlink(target.name, link)
        os.replace(link, self.path)
        if not keep_old:
            self._remove_old_generations(current=target)

    def _generations(self):
        return sorted(
            (
                p
                for p in self.path.parent.glob(f"{self.path.name}.gen-*")
                if not p.name.endswith(("-wal", "-shm", "-journal"))
            ),
            key=lambda p: p.stat().st_mtime,
        )

    def _remove_old_generations(self, current):
        """Keep the current and the previous generation (searches may still be reading it)."""
        old = [p for p in self._generations() if p != current]
        for path in old[: max(0, len(old) - (KEEP_GENERATIONS - 1))]:
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(OSError):
                    Path(f"{path}{suffix}").unlink()

    def destroy(self):
        """Remove the link and every generation (tests and benchmarks)."""
        for path in self._generations():
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(OSError):
                    Path(f"{path}{suffix}").unlink()
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(OSError):
                Path(f"{self.path}{suffix}").unlink()

    def _reader(self):
        """A per-thread read connection to the current generation (reopened after a swap)."""
        real = str(self._current_file())
        cache = getattr(_local, "connections", None)
        if cache is None:
            cache = _local.connections = {}
        connection = cache.get(real)
        if connection is None:
            for stale in cache.values():
                with contextlib.suppress(sqlite3.Error):
                    stale.close()
            cache.clear()
            try:
                connection = cache[real] = self._open(real)
            except sqlite3.Error as exc:
                raise SearchUnavailable(str(exc)) from exc
        return connection

    @contextlib.contextmanager
    def _writer(self, real=None):
        try:
            connection = self._open(real or self._current_file())
        except sqlite3.Error as exc:
            raise SearchUnavailable(str(exc)) from exc
        try:
            yield connection
        finally:
            connection.close()

    # ---- health ----------------------------------------------------------------------
    def ping(self):
        """True when the index file opens and answers an FTS5 query."""
        try:
            connection = self._reader()
            connection.execute("SELECT count(*) FROM fts WHERE fts MATCH '\"ping\"'").fetchone()
        except sqlite3.Error as exc:
            raise SearchUnavailable(str(exc)) from exc
        return True

    def count(self):
        return self._reader().execute("SELECT count(*) FROM docs").fetchone()[0]

    # ---- writing ---------------------------------------------------------------------
    @staticmethod
    def _rows(document):
        name_text = document.title
        keywords = document.keywords
        fts_row = (
            analysis.index_tokens(name_text, unigrams=True),
            analysis.index_tokens(keywords, unigrams=True),
            analysis.pinyin_tokens(name_text + " " + keywords),
            analysis.index_tokens(document.conditions),
            analysis.index_tokens(document.materials),
            analysis.index_tokens(document.procedure),
            analysis.index_tokens(document.other),
        )
        doc_row = (
            document.key,
            document.kind,
            document.title,
            document.url,
            document.item_code,
            document.center,
            document.center_label,
            document.department,
            document.department_label,
            document.audience,
            document.item_type,
            _flag(document.charged, "charged", "free"),
            _flag(document.online, "yes", "no"),
            document.date,
            document.boost,
            document.summary,
            _plain(
                " ".join(
                    [name_text, keywords, document.conditions, document.materials, document.procedure, document.other]
                )
            ),
            document.base_name,
            analysis.pinyin_full(document.base_name),
        )
        return doc_row, fts_row

    def _write(self, connection, documents):
        written = 0
        cursor = connection.cursor()
        for document, (doc_row, fts_row) in documents:
            self._delete_keys(cursor, [document.key])
            cursor.execute(
                f"INSERT INTO docs(key, kind, title, url, item_code, center, center_label, department, department_label, audience, item_type, fee, online, date, boost, summary, plain, base_name, name_pinyin) VALUES ({', '.join('?' * 19)})",
                doc_row,
            )
            doc_id = cursor.lastrowid
            cursor.execute(
                f"INSERT INTO fts(rowid, {', '.join(COLUMNS)}) VALUES (?, {', '.join('?' * len(COLUMNS))})",
                (doc_id, *fts_row),
            )
            for slug, label in document.themes:
                cursor.execute("INSERT OR IGNORE INTO doc_themes(theme, doc_id) VALUES (?, ?)", (slug, doc_id))
                cursor.execute("INSERT OR REPLACE INTO labels VALUES ('theme', ?, ?)", (slug, label))
            if document.center:
                cursor.execute(
                    "INSERT OR REPLACE INTO labels VALUES ('center', ?, ?)", (document.center, document.center_label)
                )
            if document.department:
                cursor.execute(
                    "INSERT OR IGNORE INTO labels VALUES ('department', ?, ?)",
                    (document.department, document.department_label),
                )
            written += 1
        return written

    @staticmethod
    def _delete_keys(cursor, keys):
        for key in keys:
            row = cursor.execute("SELECT id FROM docs WHERE key = ?", (key,)).fetchone()
            if row is None:
                continue
            cursor.execute("DELETE FROM fts WHERE rowid = ?", (row[0],))
            cursor.execute("DELETE FROM doc_themes WHERE doc_id = ?", (row[0],))
            cursor.execute("DELETE FROM docs WHERE id = ?", (row[0],))

    def _batched(self, connection, documents, batch=200, seen=None):
        """Write in short transactions so searches and other writers are never held up long."""
        total = 0
        chunk = []
        for document in documents:
            if seen is not None:
                seen.add(document.key)
            chunk.append(document)
            if len(chunk) >= batch:
                total += self._commit(connection, chunk)
                chunk = []
        if chunk:
            total += self._commit(connection, chunk)
        return total

    def _commit(self, connection, chunk):
        # Analyse outside the write lock; only the inserts run inside the transaction.
        prepared = [(document, self._rows(document)) for document in chunk]
        connection.execute("BEGIN IMMEDIATE")
        try:
            written = self._write(connection, prepared)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return written

    def index(self, documents):
        try:
            with self._writer() as connection:
                return self._batched(connection, documents)
        except sqlite3.Error as exc:
            raise SearchUnavailable(str(exc)) from exc

    def delete(self, keys):
        try:
            with self._writer() as connection:
                connection.execute("BEGIN IMMEDIATE")
                self._delete_keys(connection.cursor(), list(keys))
                connection.execute("COMMIT")
        except sqlite3.Error as exc:
            raise SearchUnavailable(str(exc)) from exc

    def update(self, documents):
        """Upsert every document and remove those no longer present, in place."""
        seen = set()
        with self._writer() as connection:
            written = self._batched(connection, documents, seen=seen)
            existing = [row[0] for row in connection.execute("SELECT key FROM docs")]
            stale = [key for key in existing if key not in seen]
            connection.execute("BEGIN IMMEDIATE")
            self._delete_keys(connection.cursor(), stale)
            connection.execute("COMMIT")
        return {"indexed": written, "removed": len(stale)}

    def rebuild(self, documents):
        """Write a complete new generation file, then swap it in with one rename."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        target = self._new_generation_path()
        self._initialise(target, wal=False)
        try:
            connection = self._open(target)
            try:
                connection.execute("PRAGMA synchronous=OFF")
                written = self._batched(connection, documents, batch=1000)
                connection.execute("INSERT INTO fts(fts) VALUES ('optimize')")
                connection.execute("INSERT OR REPLACE INTO meta VALUES ('built_at', ?)", (str(time.time()),))
                connection.execute("PRAGMA journal_mode=WAL")
            finally:
                connection.close()
            self._swap_to(target)
        except BaseException:
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(OSError):
                    Path(f"{target}{suffix}").unlink()
            raise
        return {"indexed": written}

    # ---- searching -------------------------------------------------------------------
    def _filter_sql(self, filters, phrases):
        clauses, params = [], []
        for name, values in (filters or {}).items():
            if name == "theme":
                clauses.append(
                    f"d.id IN (SELECT doc_id FROM doc_themes WHERE theme IN ({', '.join('?' * len(values))}))"
                )
                params.extend(values)
                continue
            column = FACET_COLUMNS.get(name)
            if column is None:
                continue
            if name == "audience":
                values = sorted({*values, "both"}) if set(values) & {"person", "legal"} else values
            clauses.append(f"d.{column} IN ({', '.join('?' * len(values))})")
            params.extend(values)
        for phrase in phrases:
            plain = _plain(phrase)
            if plain:
                clauses.append("instr(d.plain, ?) > 0")
                params.append(plain)
        return ("AND " + " AND ".join(clauses)) if clauses else "", params

    def _live_terms(self, connection, parsed):
        """One FTS5 expression per term that finds something: the term as written (or a
        synonym), else its pinyin (homophone typos); terms that find nothing are dropped."""

        def known(token):
            row = connection.execute("SELECT 1 FROM vocab WHERE term = ? LIMIT 1", (token,)).fetchone()
            return row is not None

        live = []
        for term in parsed.terms:
            for expression in (term.fts_exact(known), term.fts_pinyin()):
                if expression and self._matches_anything(connection, expression):
                    live.append(expression)
                    break
        return live

    def _matches_anything(self, connection, expression):
        return connection.execute("SELECT 1 FROM fts WHERE fts MATCH ? LIMIT 1", (expression,)).fetchone() is not None

    def _collect(self, connection, expression, parsed, filters, bonus=0.0, reset=True):
        connection.execute(
            "CREATE TEMP TABLE IF NOT EXISTS hits(id INTEGER PRIMARY KEY, score REAL, kind TEXT, audience TEXT, center TEXT, department TEXT, item_type TEXT, fee TEXT, online TEXT)"
        )
        if reset:
            connection.execute("DELETE FROM temp.hits")
        where, params = self._filter_sql(filters, parsed.phrases)
        whole = analysis.CJK_RUN.findall(parsed.text)
        whole = max(whole, key=len) if whole else parsed.text
        # bm25 costs ~0.1 ms per matching row; past BM25_LIMIT matches (a word that is in
        # most documents) a cheap order is used instead: title matches first, short titles first.
        count = connection.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (expression,)).fetchone()[0]
        rank = f"-{BM25}" if count <= BM25_LIMIT else "(1.0 / (1 + length(d.title)))"
        connection.execute(
            f"""INSERT OR IGNORE INTO temp.hits
            SELECT d.id, ? + {rank} * d.boost * (CASE WHEN instr(d.title, ?) > 0 THEN 2.0 ELSE 1.0 END),
                   d.kind, d.audience, d.center, d.department, d.item_type, d.fee, d.online
            FROM fts JOIN docs d ON d.id = fts.rowid
            WHERE fts MATCH ? {where}""",
            (bonus, whole or "\x00", expression, *params),
        )
        return connection.execute("SELECT count(*) FROM temp.hits").fetchone()[0]

    @staticmethod
    def _full(connection):
        return connection.execute("SELECT count(*) FROM temp.hits WHERE score >= ?", (ALL_TERMS_BONUS,)).fetchone()[0]

    def _facets(self, connection):
        facets = {name: [] for name in FACETS}
        parts = " UNION ALL ".join(
            f"SELECT '{name}', {column}, count(*) FROM temp.hits WHERE {column} != '' GROUP BY {column}"
            for name, column in FACET_COLUMNS.items()
        )
        rows = list(connection.execute(parts))
        rows += list(
            connection.execute(
                "SELECT 'theme', t.theme, count(*) FROM temp.hits h JOIN doc_themes t ON t.doc_id = h.id GROUP BY t.theme"
            )
        )
        labels = {
            (facet, value): label
            for facet, value, label in connection.execute("SELECT facet, value, label FROM labels")
        }
        for name, value, count in rows:
            if value is None:
                continue
            static = FACETS[name][1]
            label = str(static.get(value, value)) if static else labels.get((name, value), value)
            facets[name].append({"value": value, "label": label, "count": count})
        for values in facets.values():
            values.sort(key=lambda v: (-v["count"], v["label"]))
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
        )

    def search(self, query, filters=None, page=1, per_page=PER_PAGE, synonyms=None):
        started = time.perf_counter()
        parsed = query if isinstance(query, ParsedQuery) else parse_query(query, synonyms)
        page = max(1, min(int(page or 1), MAX_PAGE))
        results = SearchResults(query=parsed.text, page=page, per_page=per_page, facets={name: [] for name in FACETS})
        if parsed.empty:
            results.took_ms = round((time.perf_counter() - started) * 1000, 2)
            return results
        connection = self._reader()
        try:
            connection.execute("BEGIN")
            try:
                live = self._live_terms(connection, parsed)
                total = 0
                if live:
                    # All terms required; when that finds less than a page, documents with
                    # some of the terms follow (ranked below every full match).
                    total = self._collect(connection, " AND ".join(live), parsed, filters, bonus=ALL_TERMS_BONUS)
                    if total < per_page and len(live) > 1:
                        total = self._collect(connection, " OR ".join(live), parsed, filters, reset=False)
                        full = self._full(connection)
                        results.mode = "all" if full == total else ("all+any" if full else "any")
                if total:
                    words = parsed.highlight_words()
                    rows = connection.execute(
                        "SELECT d.*, h.score FROM temp.hits h JOIN docs d ON d.id = h.id ORDER BY h.score DESC, length(d.title), d.title LIMIT ? OFFSET ?",
                        (per_page, (page - 1) * per_page),
                    ).fetchall()
                    results.hits = [self._hit(row, words) for row in rows]
                    results.facets = self._facets(connection)
                results.total = total
            finally:
                connection.execute("COMMIT")
        except sqlite3.Error as exc:
            raise SearchUnavailable(str(exc)) from exc
        results.took_ms = round((time.perf_counter() - started) * 1000, 2)
        return results

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
                parts.append(f"{{name keywords pinyin}}: {fts_term(run, prefix=True)}")
            elif len(run) <= 2:
                parts.append(f"name: {fts_term(run)}")
            else:
                parts.append("(" + " AND ".join(f"name: {fts_term(g)}" for g in analysis.bigrams(run)) + ")")
        expression = " AND ".join(parts)
        first = runs[0]
        try:
            rows = (
                self._reader()
                .execute(
                    f"""SELECT d.title, d.url, d.kind, d.key FROM fts JOIN docs d ON d.id = fts.rowid
                WHERE fts MATCH ? AND d.kind IN ('guide', 'life_event')
                ORDER BY (instr(d.title, ?) = 1) DESC, {BM25}, length(d.title) LIMIT ?""",
                    (expression, first, limit * 6),
                )
                .fetchall()
            )
        except sqlite3.Error as exc:
            raise SearchUnavailable(str(exc)) from exc
        seen = {}
        for row in rows:
            entry = seen.get(row["title"])
            if entry is None:
                if len(seen) >= limit:
                    continue
                seen[row["title"]] = {"title": row["title"], "url": row["url"], "count": 1}
            else:
                entry["count"] += 1
        suggestions = []
        for title, entry in seen.items():
            url = entry["url"] if entry["count"] == 1 else "/search/?" + _urlencode(title)
            suggestions.append({"title": title, "url": url})
        return suggestions

    def names(self):
        rows = self._reader().execute(
            "SELECT DISTINCT base_name, name_pinyin FROM docs WHERE kind IN ('guide', 'life_event')"
        )
        return [(row[0], row[1]) for row in rows]

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
    from urllib.parse import urlencode

    return urlencode({"q": title})
