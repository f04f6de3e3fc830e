"""The footer's language switch as a plain GET form (like the reading mode and the center choice).

/i18n/switch/?language=en&next=<path> sets Django's language cookie for a year and returns to
`next` (same site only). Choosing a display language changes nothing but the visitor's own
display, so it needs no CSRF token — which keeps every public page free of per-visitor tokens,
and so cacheable by the page cache and the reverse proxy (portal.pagecache). Django's POST
`set_language` stays at /i18n/setlang/ for anything that posts to it.
"""

from django.conf import settings
from django.http import HttpResponseRedirect

from .centerpref import safe_next


def switch(request):
    response = HttpResponseRedirect(safe_next(request, request.GET.get("next", "/")))
    language = str(request.GET.get("language", ""))
    if language in {code for code, _name in settings.LANGUAGES}:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE or 365 * 24 * 3600,
            samesite="Lax",
            secure=request.is_secure(),
            httponly=True,
        )
    return response
