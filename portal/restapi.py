"""Django REST Framework base of the public JSON APIs: the read-only view, the error body and
the exception handler (settings.REST_FRAMEWORK points here; the format is portal/api_formats.py).

The APIs were plain JsonResponse views before they moved to DRF and answer as they did: a wrong
method is the same empty 405 with `Allow` that Django's require_GET gave. CORS headers come from
portal.cors and rate limits from core.ratelimit (middleware), not from DRF.
"""

from django.http import HttpResponseNotAllowed
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler


def handle_exception(exc, context):
    """A wrong method is an empty 405 with `Allow` (as Django's require_GET answered)."""
    if isinstance(exc, exceptions.MethodNotAllowed):
        view = context.get("view")
        return HttpResponseNotAllowed([m.upper() for m in getattr(view, "http_method_names", ["get"])])
    return exception_handler(exc, context)


class PublicReadView(APIView):
    """A public read-only JSON endpoint: GET only (HEAD and OPTIONS are 405, as before), no
    authentication (so no session lookup and no CSRF), anyone may read."""

    http_method_names = ["get"]
    authentication_classes = []
    permission_classes = []


def json_response(data, status=200, headers=None):
    return Response(data, status=status, headers=headers)


def error(message, status=400, **extra):
    """The error body every public API uses: {"error": "<Chinese message>", …extra}."""
    return Response({"error": message, **extra}, status=status)


def public_endpoints(endpoints):
    """drf-spectacular preprocessing hook: the schema describes the site's /api/ endpoints, not
    Wagtail's admin API (which is for the admin interface only)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]
