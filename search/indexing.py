"""Keeping the index in line with the site: rebuild, update, and refreshing single documents.

Publishing, unpublishing, moving and deleting pages (and saving fee items) call `schedule()`
with the affected keys; the refresh runs as a django-q2 task when SEARCH_SYNC_ASYNC is on
(a worker cluster runs) and directly otherwise. `refresh()` is idempotent: it looks at the
object as it is now and indexes or removes it, so retries and reordering are harmless.
"""

import logging
import os

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


def refresh(keys):
    """Index each key's object as it is now, or remove it from the index when it is gone."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return {"indexed": 0, "removed": 0}
    backend = get_backend()
    found, missing = [], []
    for key in keys:
        document = documents.document_for_key(key)
        (found if document is not None else missing).append(document or key)
    if found:
        backend.index(found)
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
        logger.exception("search index could not be updated for %s; run `manage.py search_index update`", keys)


def schedule(keys):
    """Refresh these keys once the current transaction commits."""
    keys = [key for key in keys if key]
    if keys:
        transaction.on_commit(lambda: _run(keys))


def rebuild():
    return get_backend().rebuild(documents.iter_documents())


def update():
    return get_backend().update(documents.iter_documents())
