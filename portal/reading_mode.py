"""适老化 reading mode: large text and high contrast, switched by a plain link (no JavaScript).

/reading-mode/?mode=large|standard&next=<path> sets the `reading_mode` cookie for a year and
returns to `next` (same site only). base.html adds the `large-text` body class when it is set;
the page cache keys on it (guides.pagecache), so cached pages never mix the two modes.
"""

from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

COOKIE = "reading_mode"
LARGE = "large"
MAX_AGE = 365 * 24 * 3600


def mode_of(request):
    return LARGE if request.COOKIES.get(COOKIE) == LARGE else ""


def switch(request):
    target = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if request.GET.get("mode") == LARGE:
        response.set_cookie(COOKIE, LARGE, max_age=MAX_AGE, samesite="Lax", secure=request.is_secure(), httponly=True)
    else:
        response.delete_cookie(COOKIE, samesite="Lax")
    return response
