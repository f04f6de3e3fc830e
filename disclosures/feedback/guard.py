"""Rate limits of the public forms, counted with the site's rate limiter (core.ratelimit).

Each limit is (requests, window seconds) per client address; lookups are also limited per
receipt or case number, so guessing the four phone digits from many addresses fails too.
"""

from django.conf import settings
from django.shortcuts import render

from core import ratelimit
from core.ratelimit import client_id, hit

DEFAULTS = {
    "feedback-submit": (5, 600),  # accepted submissions per client
    "feedback-attempt": (30, 600),  # posts of the form per client, accepted or not
    "lookup": (20, 600),  # lookups (feedback and cases) per client
    "lookup-key": (5, 3600),  # failed lookups per receipt/case number, from anywhere
}


def limit(name):
    value = (getattr(settings, "PUBLIC_FORM_LIMITS", {}) or {}).get(name, DEFAULTS[name])
    return int(value[0]), int(value[1])


def over_limit(request, name, key=None):
    """Count one attempt; seconds to wait when over the limit, else 0."""
    count, window = limit(name)
    return hit(name, key if key is not None else client_id(request), count, window)


def submit_blocked(request):
    """Seconds to wait when the client has had too many submissions accepted (nothing counted)."""
    limit_count, window = limit("feedback-submit")
    if ratelimit.count("feedback-submit", client_id(request), window) >= limit_count:
        return window
    return 0


def submit_accepted(request):
    """Count one accepted submission."""
    over_limit(request, "feedback-submit")


def too_many(request, retry_after):
    message = f"尝试次数过多，请 {retry_after} 秒后再试。"
    response = render(request, "429.html", {"message": message, "retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def key_failed(request, key):
    """Record a failed lookup of `key` (receipt or case number); seconds to wait once too many."""
    return over_limit(request, "lookup-key", key=str(key).strip().upper()[:32])


def key_blocked(key):
    """Whether `key` has had too many failed lookups in the current window (without counting)."""
    limit_count, window = limit("lookup-key")
    return ratelimit.count("lookup-key", str(key).strip().upper()[:32], window) >= limit_count
