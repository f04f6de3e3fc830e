"""Bulk writes leave PostgreSQL with planner statistics (portal/dbstats.py)."""

import pytest
from django.db import connection

from guides.models import GuidePage
from portal.dbstats import analyze


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
def test_analyze_is_a_no_op_on_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    analyze()  # nothing to do, and no error
    analyze(GuidePage._meta.db_table)
