"""Embedded full-text index in its own SQLite FTS5 file (no server needed)."""

import sqlite3
from pathlib import Path

from django.conf import settings

from . import SearchUnavailable


class EmbeddedBackend:
    name = "embedded"

    def __init__(self, path=None):
        self.path = Path(path or settings.SEARCH_INDEX_PATH)

    def connect(self):
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=10)
        except (OSError, sqlite3.Error) as exc:
            raise SearchUnavailable(str(exc)) from exc
        return connection

    def ping(self):
        """True when the index file can be opened and FTS5 is available."""
        connection = self.connect()
        try:
            connection.execute("select sqlite_compileoption_used('ENABLE_FTS5')").fetchone()
            connection.execute("create virtual table if not exists temp.ping using fts5(x)")
        except sqlite3.Error as exc:
            raise SearchUnavailable(str(exc)) from exc
        finally:
            connection.close()
        return True
