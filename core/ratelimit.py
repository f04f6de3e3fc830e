"""Per-client rate limits for search, suggestions and the JSON APIs (429 with Retry-After).

Fixed windows counted in the `ratelimit` cache (settings.CACHES): Redis when REDIS_URL is set,
so limits hold across every process and machine; otherwise files under the state directory,
shared by the web workers of one machine (README, *Rate limits*). If the cache is down the
request is let through: search must not fail because Redis did.
"""

import math
import time

from django.conf import settings
from django.core.cache import caches
from django.http import JsonResponse
from django.shortcuts import render


def client_id(request):
    if getattr(settings, "RATE_LIMIT_TRUST_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "unknown")


def match_rule(path):
    """The first rule whose prefix the path starts with: (name, limit, window) or None."""
    for name, prefix, limit, window in settings.RATE_LIMITS:
        if limit and path.startswith(prefix):
            return name, limit, window
    return None


def _key(name, client, window, now):
    return f"ratelimit:{name}:{client}:{int(now // window)}"


def count(name, client, window, now=None):
    """How many requests `client` made under `name` in the current window (nothing counted)."""
    now = time.time() if now is None else now
    try:
        return caches["ratelimit"].get(_key(name, client, window, now)) or 0
    except Exception:  # noqa: BLE001 - a broken cache must not break the site
        return 0


def hit(name, client, limit, window, now=None):
    """Count one request; return seconds to wait when over the limit, else 0."""
    now = time.time() if now is None else now
    slot = int(now // window)
    key = _key(name, client, window, now)
    cache = caches["ratelimit"]
    try:
        cache.add(key, 0, timeout=window + 1)
        count = cache.incr(key)
    except Exception:  # noqa: BLE001 - a broken cache must not break the site
        return 0
    if count is None or count <= limit:
        return 0
    return max(1, math.ceil((slot + 1) * window - now))


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rule = match_rule(request.path)
        if rule is not None:
            name, limit, window = rule
            retry_after = hit(name, client_id(request), limit, window)
            if retry_after:
                return self.too_many(request, retry_after)
        return self.get_response(request)

    def too_many(self, request, retry_after):
        message = f"请求过于频繁，请 {retry_after} 秒后再试。"
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"error": "rate_limited", "message": message, "retry_after": retry_after},
                status=429,
                json_dumps_params={"ensure_ascii": False},
            )
        else:
            response = render(request, "429.html", {"message": message, "retry_after": retry_after}, status=429)
        response["Retry-After"] = str(retry_after)
        return response
