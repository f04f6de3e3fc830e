"""Planner statistics after bulk writes.

PostgreSQL plans queries from table statistics. Right after thousands of rows arrive at once (a
seeded demo site, a catalog import) autovacuum may not have analyzed them yet, and a plan made
for "about one row" (nested loops over the page tree) made the browse pages several times
slower (an A–Z page: 250 ms before ANALYZE, 36 ms after). SQLite needs nothing here.
"""

from django.db import connection


def analyze(*tables):
    """ANALYZE the given tables (every table when none are given) on PostgreSQL."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if not tables:
            cursor.execute("ANALYZE")
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
