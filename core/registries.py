"""Plug-in points that let a higher app serve a lower one without the lower importing it.

- Health checks: `register_health_check(name, check)`; `/healthz` (portal.views) runs each;
  `check()` returns a dict with at least `ok`. Search registers its backend's ping.
- Bulk writes: `register_bulk_write_wrapper(factory)`; `bulk_write()` enters every registered
  context manager around a bulk write (the catalog import). Search registers its batched
  index refresh (search.indexing.deferred), so guides never imports search.

- Searchable pages: `register_searchable(kind, queryset)`; an app declares which of its pages
  search indexes (portal: notices, disclosures: bulletins) and `queryset()` gives the live,
  public ones. Search builds a document of each kind it knows and imports no app by label.

Apps register in their AppConfig.ready().
"""

import contextlib

_HEALTH_CHECKS = {}
_BULK_WRITE_WRAPPERS = []
_SEARCHABLE = {}


def register_health_check(name, check):
    _HEALTH_CHECKS[name] = check


def health_checks():
    return dict(_HEALTH_CHECKS)


def register_bulk_write_wrapper(factory):
    if factory not in _BULK_WRITE_WRAPPERS:
        _BULK_WRITE_WRAPPERS.append(factory)


@contextlib.contextmanager
def bulk_write():
    """Every registered wrapper around one bulk write (use inside its transaction.atomic())."""
    with contextlib.ExitStack() as stack:
        for factory in _BULK_WRITE_WRAPPERS:
            stack.enter_context(factory())
        yield


def register_searchable(kind, queryset):
    _SEARCHABLE[kind] = queryset


def searchables():
    """{kind: queryset function}, in the order the apps registered them."""
    return dict(_SEARCHABLE)


_WARMUPS = []


def register_warmup(func):
    """`func()` loads a large read-only table (a dictionary, a lookup) in the gunicorn master
    before it forks, so the workers share it (portal/warmup.py, gunicorn.conf.py)."""
    if func not in _WARMUPS:
        _WARMUPS.append(func)


def warmups():
    return list(_WARMUPS)
