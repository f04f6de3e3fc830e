"""Keeping the index in line with the site: rebuild, update, and refreshing single documents.

Publishing, unpublishing, moving and deleting pages (and saving fee items) call `schedule()`
with the affected keys; the refresh runs as a django-q2 task when SEARCH_SYNC_ASYNC is on
(a worker cluster runs) and directly otherwise. `refresh()` is idempotent: it looks at the
object as it is now and indexes or removes it, so retries and reordering are harmless.

Bulk writers (catalog import, demo seed) wrap their work in `deferred()`: every key scheduled
inside the block is collected and refreshed in ONE batch after the transaction commits (one
task, one bulk index call), instead of one refresh per page; nothing is indexed when the
transaction rolls back.
"""

import contextlib
import logging
import os
import threading
from collections import defaultdict

from django.conf import settings
from django.db import transaction

from . import documents
from .backends import SearchUnavailable, get_backend

logger = logging.getLogger(__name__)


def sync_async():
    """Use the task queue? SEARCH_SYNC_ASYNC setting or env; default: on outside tests when the
    site runs at scale (REDIS_URL set, where a qcluster is part of the deployment)."""
    value = getattr(settings, "SEARCH_SYNC_ASYNC", None)
    if value is None:
        env = os.environ.get("SEARCH_SYNC_ASYNC", "").strip().lower()
        if env:
            return env in {"1", "true", "yes", "on"}
        return not settings.TESTING and bool(getattr(settings, "REDIS_URL", ""))
    return bool(value)


CHUNK = 500


def documents_for_keys(keys):
    """({key: document} for keys whose object exists and is searchable, [missing keys]).

    One query (plus prefetches) per kind and chunk of CHUNK keys, however many keys there are.
    """
    wanted = defaultdict(list)  # label -> [(pk, key)]
    for key in keys:
        label, _sep, pk = key.partition(":")
        if pk.isdigit():
            wanted[label].append((int(pk), key))
    found = {}
    if wanted:
        for _kind, queryset, builder in documents.sources():
            label = queryset.model._meta.label_lower
            pairs = wanted.pop(label, None)
            if not pairs:
                continue
            by_pk = dict(pairs)
            pks = list(by_pk)
            for start in range(0, len(pks), CHUNK):
                for obj in queryset.filter(pk__in=pks[start : start + CHUNK]):
                    found[by_pk[obj.pk]] = builder(obj)
    return found, [key for key in keys if key not in found]


def refresh(keys):
    """Index each key's object as it is now, or remove it from the index when it is gone."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return {"indexed": 0, "removed": 0}
    backend = get_backend()
    found, missing = documents_for_keys(keys)
    if found:
        backend.index([found[key] for key in keys if key in found])
    if missing:
        backend.delete(missing)
    return {"indexed": len(found), "removed": len(missing)}


def _enqueue(keys):
    """Queue the refresh; False when the queue's broker (Redis) cannot take it."""
    from django_q.tasks import async_task

    try:
        async_task("search.indexing.refresh", keys, task_name="search-refresh", group="search")
    except Exception:  # a broker outage must not fail the editor's publish
        logger.warning("task queue unavailable; refreshing the search index inline for %s", keys, exc_info=True)
        return False
    return True


def _run(keys):
    try:
        if not (sync_async() and _enqueue(keys)):
            refresh(keys)
    except SearchUnavailable:
        shown = ", ".join(keys[:10]) + (f" … ({len(keys)} keys)" if len(keys) > 10 else "")
        logger.exception("search index could not be updated for %s; run `manage.py search_index update`", shown)


_local = threading.local()


def _collectors():
    if not hasattr(_local, "collectors"):
        _local.collectors = []
    return _local.collectors


def schedule(keys):
    """Refresh these keys once the current transaction commits (or with the enclosing
    `deferred()` batch, when one is open)."""
    keys = [key for key in keys if key]
    if not keys:
        return
    collectors = _collectors()
    if collectors:
        collectors[-1].update(dict.fromkeys(keys))
        return
    transaction.on_commit(lambda: _run(keys))


@contextlib.contextmanager
def deferred(using=None):
    """Collect the keys scheduled inside the block and refresh them in one batch.

    Use inside the writer's `transaction.atomic()` block: the batch is then queued with
    `transaction.on_commit`, so it runs once after the commit and never after a rollback.
    Outside a transaction it runs when the block ends. Nested blocks join the outer batch.
    When the block raises, the collected keys are dropped (the writes are being rolled back).
    """
    collectors = _collectors()
    collected = {}
    collectors.append(collected)
    try:
        yield collected
    finally:
        collectors.pop()
    keys = list(collected)
    if not keys:
        return
    if collectors:  # an enclosing batch refreshes them
        collectors[-1].update(collected)
        return
    transaction.on_commit(lambda: _run(keys), using=using)


def rebuild():
    return get_backend().rebuild(documents.iter_documents())


def update():
    return get_backend().update(documents.iter_documents())
