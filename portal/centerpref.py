"""The visitor's chosen service center, remembered in a cookie (no sign-in, no JavaScript).

Search results and browse lists show that center's copy of an item first, with the other
centers that also handle it. The cookie holds only a center code; an unknown code is ignored.
"""

from django.utils.http import url_has_allowed_host_and_scheme

COOKIE = "gk_center"
MAX_AGE = 365 * 24 * 3600


def chosen_center(request):
    """The chosen center's code ("" when none or no longer a center)."""
    from .models import ServiceCenter

    code = str(request.COOKIES.get(COOKIE, "")).strip().lower()[:32]
    if not code:
        return ""
    if not hasattr(request, "_gk_center"):
        request._gk_center = code if ServiceCenter.objects.filter(code__iexact=code).exists() else ""
    return request._gk_center


def safe_next(request, target):
    """`target` when it is a path on this site, else "/"."""
    target = str(target or "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def remember(response, code):
    if code:
        response.set_cookie(COOKIE, code, max_age=MAX_AGE, samesite="Lax", httponly=True)
    else:
        response.delete_cookie(COOKIE, samesite="Lax")
    return response
