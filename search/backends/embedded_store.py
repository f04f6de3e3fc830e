# ruff: noqa: S608 - SQL is assembled from constants and placeholders; user text is always a bound parameter.
"""The embedded index's storage: constants, files, generations, schema and writing (search/backends/embedded.py searches it).

Embedded full-text index in its own SQLite FTS5 file (no server needed).

Layout: SEARCH_INDEX_PATH is a symbolic link to the current generation file
(`<name>.gen-<stamp>`). A rebuild writes a complete new generation and swaps the link with one
rename, so searches never see a half-built or empty index; each generation has its own WAL.
Writers open short transactions; each thread keeps one read connection per generation file.

Tables (docs/search.md, "Embedded index"):
- fts: the analysed text, one FTS5 row per document (detail=full: bm25 reads term positions
  from the index instead of re-tokenising the stored text of every matching row).
- combos: each distinct combination of facet values (kind, audience, center, department,
  type, fee, online, themes) once; facet counts are counted per combination, then expanded.
- slim: boost and title, read for the rows that bm25 ranks.
- docs: everything else, read only for the rows of the page shown (snippets) and for phrases.

A document's id (the FTS rowid, also the id in slim and docs) carries what searching needs
for every match without reading another table: bits 0-20 hold its facet combination, bits
21-52 a sequence number, bits 53-62 its place in the cheap static order (shorter titles and
higher boosts first). So facet counts and filters read nothing but the FTS index, and the
cheap order is FTS5's own rowid order, which stops after the page instead of sorting.
"""

import contextlib
import os
import sqlite3
import threading
import time
from pathlib import Path

from django.conf import settings

from .. import analysis
from ..analysis import fts_term
from . import SearchUnavailable

SCHEMA_VERSION = "2"
# bm25 weights per FTS column: the name counts most, then keywords and pinyin, then the
# acceptance conditions and materials, then the procedure, then everything else.
COLUMNS = ["name", "keywords", "pinyin", "conditions", "materials", "procedure", "other"]
NAME_COLUMNS = "{name keywords pinyin}"
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
# Facet name -> column of `combos`.
FACET_COLUMNS = {
    "kind": "kind",
    "audience": "audience",
    "center": "center",
    "department": "department",
    "type": "item_type",
    "fee": "fee",
    "online": "online",
}
COMBO_FIELDS = ["kind", "audience", "center", "department", "item_type", "fee", "online", "themes"]
FACET_POSITIONS = {name: COMBO_FIELDS.index(column) for name, column in FACET_COLUMNS.items()}
KEEP_GENERATIONS = 2
ALL_TERMS_BONUS = 1000.0
# bm25 costs a few microseconds per matching row; a set of matches larger than this is ranked
# in tiers: rows with the terms in the name fields first (bm25 when they are few enough,
# else the cheap order), then the rest in the cheap order.
BM25_LIMIT = 2000
# Rows are fetched in chunks of this size when the cheap static order is walked.
CHUNK = 500
# Combination ids are used as character codes (see _facet_pass): never a UTF-16 surrogate.
SURROGATES = range(0xD800, 0xE000)
MAX_COMBO = 0x10FFFF
COMBO_BITS = 21
SEQ_BITS = 32
ORDER_MAX = 1023  # 10 bits
COMBO_OF = f"(fts.rowid & {(1 << COMBO_BITS) - 1})"
PARAMS_PER_STATEMENT = 500

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS docs(
    id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, kind TEXT, title TEXT, url TEXT, item_code TEXT,
    center TEXT, center_label TEXT, department TEXT, department_label TEXT, audience TEXT, item_type TEXT,
    fee TEXT, online TEXT, date TEXT, boost REAL, summary TEXT, plain TEXT, base_name TEXT, name_pinyin TEXT
);
CREATE INDEX IF NOT EXISTS docs_title ON docs(title, kind, item_type, center);
CREATE TABLE IF NOT EXISTS slim(id INTEGER PRIMARY KEY, boost REAL NOT NULL, title TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS combos(
    id INTEGER PRIMARY KEY, kind TEXT, audience TEXT, center TEXT, department TEXT, item_type TEXT,
    fee TEXT, online TEXT, themes TEXT,
    UNIQUE(kind, audience, center, department, item_type, fee, online, themes)
);
CREATE TABLE IF NOT EXISTS combo_themes(theme TEXT, combo INTEGER, PRIMARY KEY(theme, combo)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS labels(facet TEXT, value TEXT, label TEXT, PRIMARY KEY(facet, value)) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5({", ".join(COLUMNS)}, tokenize="unicode61 remove_diacritics 0", prefix='2 3', detail=full);
CREATE VIRTUAL TABLE IF NOT EXISTS vocab USING fts5vocab(fts, 'row');
"""

_local = threading.local()


def _plain(text):
    """Text reduced to letters, digits and CJK characters, for exact phrase checks."""
    return "".join(analysis.TOKEN_RUN.findall(analysis.normalize(text)))


def _flag(value, yes, no):
    return "" if value is None else (yes if value else no)


def _order_bucket(title, boost):
    """Place in the cheap static order (0 first): the cheap score boost / (1 + title length),
    inverted and quantised to quarters."""
    return min(ORDER_MAX, round(4 * (1 + len(title or "")) / max(boost or 1.0, 0.05)))


def _doc_id(bucket, sequence, combo):
    return (bucket << (SEQ_BITS + COMBO_BITS)) | (sequence << COMBO_BITS) | combo


def _chunks(values, size=PARAMS_PER_STATEMENT):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _phrase_parts(phrases):
    """FTS5 phrase expressions for quoted phrases, and the phrases that also need an exact check.

    A CJK run of three or more characters is indexed as consecutive bigrams, so the FTS5 phrase
    of its bigrams finds it as written; a phrase of several runs ("iso 9001 认证") is also
    checked against the document's plain text, since its runs are not adjacent in the index."""
    expressions, exact = [], []
    for phrase in phrases:
        runs = analysis.TOKEN_RUN.findall(phrase)
        for run in runs:
            if not analysis.ASCII_WORD.match(run) and len(run) >= 3:
                expressions.append(fts_term(" ".join(analysis.bigrams(run))))
        if len(runs) > 1:
            plain = _plain(phrase)
            if plain:
                exact.append(plain)
    return list(dict.fromkeys(expressions)), exact


class _ReadState:
    """A read connection and what it caches from its file (reloaded when another connection
    commits, which changes PRAGMA data_version)."""

    def __init__(self, connection):
        self.connection = connection
        self.version = None
        self.combos = {}
        self.labels = {}
        self.names = None

    def refresh(self):
        version = self.connection.execute("PRAGMA data_version").fetchone()[0]
        if version == self.version:
            return
        self.combos = {
            row[0]: (*row[1:8], tuple(t for t in (row[8] or "").split(",") if t))
            for row in self.connection.execute(f"SELECT id, {', '.join(COMBO_FIELDS)} FROM combos")
        }
        self.labels = {
            (facet, value): label
            for facet, value, label in self.connection.execute("SELECT facet, value, label FROM labels")
        }
        self.names = None
        self.weights = {}
        self.version = version


class EmbeddedStore:
    """The index files (generations, connections, schema) and writing to them."""

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
        # Reads go through the OS page cache without copying (the file is mapped), and each
        # connection keeps a warm page cache of its own for the FTS index's b-trees.
        connection.execute("PRAGMA mmap_size=1073741824")
        connection.execute("PRAGMA cache_size=-32768")
        connection.row_factory = sqlite3.Row
        return connection

    @staticmethod
    def _check_schema(connection, real):
        row = connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        version = row[0] if row else None
        if version != SCHEMA_VERSION:
            raise SearchUnavailable(
                f"search index {real} has schema {version}, this version needs {SCHEMA_VERSION}:"
                " run `manage.py search_index rebuild`"
            )

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
        cache = getattr(_local, "states", None) or {}
        mine = [real for real in cache if Path(real).parent == Path(os.path.realpath(self.path.parent))]
        for real in [real for real in mine if Path(real).name.startswith(f"{self.path.name}.gen-")]:
            with contextlib.suppress(sqlite3.Error):
                cache.pop(real).connection.close()
        for path in self._generations():
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(OSError):
                    Path(f"{path}{suffix}").unlink()
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(OSError):
                Path(f"{self.path}{suffix}").unlink()

    def _state(self):
        """This thread's read connection to the current generation (reopened after a swap).

        Connections to generations that are no longer current are closed; one per file is
        kept, so several backends on different files (tests, benchmarks) do not evict each other."""
        real = str(self._current_file())
        cache = getattr(_local, "states", None)
        if cache is None:
            cache = _local.states = {}
        state = cache.get(real)
        if state is None:
            prefix = f"{self.path.name}.gen-"
            for stale in [r for r in cache if Path(r).parent == Path(real).parent and Path(r).name.startswith(prefix)]:
                with contextlib.suppress(sqlite3.Error):
                    cache.pop(stale).connection.close()
            try:
                connection = self._open(real)
                try:
                    self._check_schema(connection, real)
                except BaseException:
                    connection.close()
                    raise
            except sqlite3.Error as exc:
                raise SearchUnavailable(str(exc)) from exc
            state = cache[real] = _ReadState(connection)
        return state

    def _reader(self):
        return self._state().connection

    @contextlib.contextmanager
    def _writer(self, real=None, check=True):
        real = real or self._current_file()
        try:
            connection = self._open(real)
        except sqlite3.Error as exc:
            raise SearchUnavailable(str(exc)) from exc
        try:
            if check:
                self._check_schema(connection, real)
            yield connection
        except sqlite3.Error as exc:
            raise SearchUnavailable(str(exc)) from exc
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
        """(docs row without its id, fts row, facet combination) of one document: pure
        analysis, run outside the write transaction."""
        name_text = document.title
        keywords = document.keywords
        fts_row = (
            analysis.index_tokens(name_text, unigrams=True),
            analysis.index_tokens(keywords, unigrams=True),
            analysis.pinyin_tokens(name_text) + " " + analysis.pinyin_tokens(keywords),
            analysis.index_tokens(document.conditions),
            analysis.index_tokens(document.materials),
            analysis.index_tokens(document.procedure),
            analysis.index_tokens(document.other),
        )
        fee = _flag(document.charged, "charged", "free")
        online = _flag(document.online, "yes", "no")
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
            fee,
            online,
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
        themes = sorted(dict.fromkeys(slug for slug, _label in document.themes if slug))
        combo = (
            document.kind or "",
            document.audience or "",
            document.center or "",
            document.department or "",
            document.item_type or "",
            fee,
            online,
            ",".join(themes),
        )
        return doc_row, fts_row, combo

    @staticmethod
    def _combo_ids(cursor, combos):
        """Ids of these facet combinations, inserting the new ones (inside the write transaction)."""
        known = {tuple(row[1:]): row[0] for row in cursor.execute(f"SELECT id, {', '.join(COMBO_FIELDS)} FROM combos")}
        next_id = max(known.values(), default=0) + 1
        new = []
        for combo in dict.fromkeys(combos):
            if combo in known:
                continue
            if next_id in SURROGATES:
                next_id = SURROGATES.stop
            if next_id > MAX_COMBO:
                raise SearchUnavailable("too many distinct facet combinations for the embedded index")
            known[combo] = next_id
            new.append((next_id, *combo))
            next_id += 1
        if new:
            cursor.executemany(f"INSERT INTO combos(id, {', '.join(COMBO_FIELDS)}) VALUES ({', '.join('?' * 9)})", new)
            cursor.executemany(
                "INSERT OR IGNORE INTO combo_themes(theme, combo) VALUES (?, ?)",
                [(theme, row[0]) for row in new for theme in row[8].split(",") if theme],
            )
        return known

    def _write(self, connection, prepared, fresh=False):
        """Insert prepared documents (replacing those with the same key) with one statement per
        table; `fresh`: none of the keys can be in the index yet (a rebuild's new file)."""
        cursor = connection.cursor()
        if not fresh:
            self._delete_keys(cursor, [document.key for document, _rows in prepared])
        row = cursor.execute("SELECT value FROM meta WHERE key = 'next_seq'").fetchone()
        sequence = int(row[0]) if row else 1
        if sequence + len(prepared) >= 1 << SEQ_BITS:
            raise SearchUnavailable("the embedded index ran out of document numbers: rebuild it")
        cursor.execute("INSERT OR REPLACE INTO meta VALUES ('next_seq', ?)", (str(sequence + len(prepared)),))
        combo_ids = self._combo_ids(cursor, [rows[2] for _document, rows in prepared])
        docs, slim, fts = [], [], []
        labels_replace, labels_ignore = {}, {}
        for offset, (document, (doc_row, fts_row, combo)) in enumerate(prepared):
            doc_id = _doc_id(_order_bucket(document.title, document.boost), sequence + offset, combo_ids[combo])
            docs.append((doc_id, *doc_row))
            slim.append((doc_id, document.boost, document.title))
            fts.append((doc_id, *fts_row))
            for slug, label in document.themes:
                labels_replace[("theme", slug)] = label
            if document.center:
                labels_replace[("center", document.center)] = document.center_label
            if document.department:
                labels_ignore.setdefault(("department", document.department), document.department_label)
        cursor.executemany(
            f"INSERT INTO docs(id, key, kind, title, url, item_code, center, center_label, department, department_label, audience, item_type, fee, online, date, boost, summary, plain, base_name, name_pinyin) VALUES ({', '.join('?' * 20)})",
            docs,
        )
        cursor.executemany("INSERT INTO slim(id, boost, title) VALUES (?, ?, ?)", slim)
        cursor.executemany(
            f"INSERT INTO fts(rowid, {', '.join(COLUMNS)}) VALUES (?, {', '.join('?' * len(COLUMNS))})", fts
        )
        cursor.executemany(
            "INSERT OR REPLACE INTO labels VALUES (?, ?, ?)", [(*k, v) for k, v in labels_replace.items()]
        )
        cursor.executemany("INSERT OR IGNORE INTO labels VALUES (?, ?, ?)", [(*k, v) for k, v in labels_ignore.items()])
        return len(prepared)

    @staticmethod
    def _delete_keys(cursor, keys):
        ids = []
        for chunk in _chunks(dict.fromkeys(keys)):
            ids += [
                (row[0],)
                for row in cursor.execute(f"SELECT id FROM docs WHERE key IN ({', '.join('?' * len(chunk))})", chunk)
            ]
        if ids:
            cursor.executemany("DELETE FROM fts WHERE rowid = ?", ids)
            cursor.executemany("DELETE FROM slim WHERE id = ?", ids)
            cursor.executemany("DELETE FROM docs WHERE id = ?", ids)

    def _batched(self, connection, documents, batch=200, seen=None, fresh=False):
        """Write in short transactions so searches and other writers are never held up long."""
        total = 0
        chunk = {}
        written = set()
        for document in documents:
            if seen is not None:
                seen.add(document.key)
            chunk.pop(document.key, None)
            chunk[document.key] = document  # the last version of a key wins
            if len(chunk) >= batch:
                total += self._commit(connection, list(chunk.values()), fresh, written)
                chunk = {}
        if chunk:
            total += self._commit(connection, list(chunk.values()), fresh, written)
        return total

    def _commit(self, connection, chunk, fresh=False, written=None):
        # Analyse outside the write lock; only the inserts run inside the transaction.
        prepared = [(document, self._rows(document)) for document in chunk]
        if fresh and written is not None:
            # A key repeated in a later chunk of a rebuild replaces the earlier version.
            fresh = not any(document.key in written for document in chunk)
            written.update(document.key for document in chunk)
        connection.execute("BEGIN IMMEDIATE")
        try:
            count = self._write(connection, prepared, fresh=fresh)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return count

    def index(self, documents):
        with self._writer() as connection:
            return self._batched(connection, documents)

    def delete(self, keys):
        with self._writer() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                self._delete_keys(connection.cursor(), list(keys))
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise

    def update(self, documents):
        """Upsert every document and remove those no longer present, in place (an index
        written by an older version of this code is rebuilt instead)."""
        try:
            self._state()
        except SearchUnavailable as exc:
            if "schema" not in str(exc):
                raise
            return {**self.rebuild(documents), "removed": 0, "rebuilt": True}
        seen = set()
        with self._writer() as connection:
            written = self._batched(connection, documents, seen=seen)
            existing = [row[0] for row in connection.execute("SELECT key FROM docs")]
            stale = [key for key in existing if key not in seen]
            connection.execute("BEGIN IMMEDIATE")
            try:
                self._delete_keys(connection.cursor(), stale)
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        return {"indexed": written, "removed": len(stale)}

    def rebuild(self, documents):
        """Write a complete new generation file, then swap it in with one rename."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        target = self._new_generation_path()
        try:
            self._initialise(target, wal=False)
            connection = self._open(target)
            try:
                # A new file nobody reads yet: no journal, no syncs until it is complete.
                connection.execute("PRAGMA journal_mode=OFF")
                connection.execute("PRAGMA synchronous=OFF")
                written = self._batched(connection, documents, batch=1000, fresh=True)
                connection.execute("INSERT INTO fts(fts) VALUES ('optimize')")
                connection.execute("INSERT OR REPLACE INTO meta VALUES ('built_at', ?)", (str(time.time()),))
                connection.execute("PRAGMA journal_mode=WAL")
            finally:
                connection.close()
            self._swap_to(target)
        except BaseException as exc:
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(OSError):
                    Path(f"{target}{suffix}").unlink()
            if isinstance(exc, sqlite3.Error):
                raise SearchUnavailable(str(exc)) from exc
            raise
        return {"indexed": written}
