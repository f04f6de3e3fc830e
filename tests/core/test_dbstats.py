"""Bulk writes leave PostgreSQL with planner statistics (core/dbstats.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.dbstats import analyze
from guides.models import GuidePage


def reltuples(table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_seeded_catalog_has_planner_statistics():
    if connection.vendor != "postgresql":
        pytest.skip("planner statistics are a PostgreSQL matter; SQLite needs no ANALYZE")
    items = GuidePage.objects.count()
    assert items > 100
    # The session's seed_demo ran ANALYZE: the planner knows the catalog's size, not "-1" (never
    # analyzed), which made it choose nested loops over the page tree.
    assert reltuples(GuidePage._meta.db_table) == items


@pytest.mark.django_db
def test_analyze_runs_analyze_on_postgresql_and_nothing_on_sqlite():
    with CaptureQueriesContext(connection) as queries:
        analyze(GuidePage._meta.db_table)
        analyze()
    statements = [query["sql"] for query in queries.captured_queries]
    if connection.vendor == "postgresql":
        assert statements == [f'ANALYZE "{GuidePage._meta.db_table}"', "ANALYZE"]
    else:
        assert statements == []  # SQLite plans without statistics; nothing is sent
