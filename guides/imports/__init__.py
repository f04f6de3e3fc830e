"""Import a catalog of service items from CSV, XLSX or JSON (format: docs/catalog-format.md).

`catalog` plans and writes the import (all or nothing), `rows` reads each row's cells, `fees`
the fee items, `lookups` holds what rows refer to and what the import reports.
"""

from .catalog import import_catalog
from .lookups import IMPORT_LOG_ACTION, ImportResult

__all__ = ["IMPORT_LOG_ACTION", "ImportResult", "import_catalog"]
