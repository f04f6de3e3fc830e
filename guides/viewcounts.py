"""Item page views, counted without a database write per request.

A view increments a counter in the `counters` cache (Redis when REDIS_URL is set, else files
under the state directory shared by the machine's workers), in 5-minute buckets. The
`popular-items` schedule calls `flush()`, which moves every closed bucket into `ItemViewDay`
rows (one UPDATE … F() per item and day) and deletes it, so a bucket is never counted twice.
Counted: anonymous GETs of a live item page, whose User-Agent does not look like a robot
(crawlers, monitors, command-line clients). Nothing about the visitor is stored.
"""

import logging
import re
import time
from collections import Counter
from datetime import datetime

from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

logger = logging.getLogger(__name__)

BUCKET_SECONDS = 300
KEEP_SECONDS = 2 * 24 * 3600  # buckets not flushed within two days are dropped by the cache
BOT_AGENT = re.compile(
    r"bot|crawl|spider|slurp|archiver|scrapy|curl|wget|python|java/|go-http|httpclient|okhttp|libwww|"
    r"headless|phantomjs|lighthouse|pingdom|uptime|monitor|facebookexternalhit|feedfetcher|preview",
    re.IGNORECASE,
)
PREFIX = "guides:views"


def _cache():
    return caches["counters"]


def is_robot(user_agent):
    return not user_agent or bool(BOT_AGENT.search(user_agent))


def should_count(request):
    if request.method != "GET":
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:  # editors checking their pages
        return False
    return not is_robot(request.META.get("HTTP_USER_AGENT", ""))


def _bucket(now=None):
    return int(now if now is not None else time.time()) // BUCKET_SECONDS


SERVE_EVENT = "guides.item_view"  # the page cache replays it for cached item pages (guides/apps.py)


def count_view(request, page_id, now=None):
    """Count one view of an item page; never raises (statistics must not break the page)."""
    if not should_count(request):
        return False
    try:
        record(page_id, now)
    except Exception:  # a cache outage loses counts, never the page
        logger.warning("item view not counted", exc_info=True)
        return False
    return True


def record(page_id, now=None):
    cache = _cache()
    bucket = _bucket(now)
    key = f"{PREFIX}:{bucket}:{page_id}"
    if cache.add(key, 1, KEEP_SECONDS):
        # First view of this item in the bucket: give it a slot so flush() can find it.
        slots_key = f"{PREFIX}:{bucket}:n"
        cache.add(slots_key, 0, KEEP_SECONDS)
        slot = cache.incr(slots_key)
        cache.set(f"{PREFIX}:{bucket}:slot:{slot}", page_id, KEEP_SECONDS)
        return
    try:
        cache.incr(key)
    except ValueError:  # evicted between add() and incr()
        cache.add(key, 1, KEEP_SECONDS)


def _bucket_day(bucket):
    start = datetime.fromtimestamp(bucket * BUCKET_SECONDS, tz=timezone.get_current_timezone())
    return start.date()


def pending(now=None):
    """{(page_id, day): views} in closed buckets, and the cache keys that hold them."""
    cache = _cache()
    current = _bucket(now)
    first = current - KEEP_SECONDS // BUCKET_SECONDS
    slot_keys = {f"{PREFIX}:{bucket}:n": bucket for bucket in range(first, current)}
    sizes = cache.get_many(list(slot_keys))
    counts, keys = Counter(), []
    for slots_key, size in sizes.items():
        bucket = slot_keys[slots_key]
        names = [f"{PREFIX}:{bucket}:slot:{n}" for n in range(1, int(size or 0) + 1)]
        page_ids = cache.get_many(names)
        count_keys = {f"{PREFIX}:{bucket}:{page_id}": page_id for page_id in page_ids.values()}
        values = cache.get_many(list(count_keys))
        day = _bucket_day(bucket)
        for count_key, page_id in count_keys.items():
            counts[(page_id, day)] += int(values.get(count_key) or 0)
        keys += [slots_key, *names, *count_keys]
    return counts, keys


def flush(now=None):
    """Move closed buckets into ItemViewDay; returns the number of views written."""
    from .models import GuidePage
    from .popularity import ItemViewDay

    cache = _cache()
    lock = f"{PREFIX}:flush-lock"
    if not cache.add(lock, 1, 600):
        return 0  # another flush is running
    try:
        counts, keys = pending(now)
        existing = set(GuidePage.objects.filter(pk__in={pk for pk, _day in counts}).values_list("pk", flat=True))
        written = 0
        with transaction.atomic():
            for (page_id, day), views in sorted(counts.items()):
                if page_id not in existing or views <= 0:
                    continue
                written += views
                if ItemViewDay.objects.filter(page_id=page_id, day=day).update(views=F("views") + views):
                    continue
                try:
                    with transaction.atomic():
                        ItemViewDay.objects.create(page_id=page_id, day=day, views=views)
                except IntegrityError:
                    ItemViewDay.objects.filter(page_id=page_id, day=day).update(views=F("views") + views)
        cache.delete_many(keys)
        return written
    finally:
        cache.delete(lock)
