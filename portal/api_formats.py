"""The one output format of the public JSON APIs (settings.REST_FRAMEWORK points here).

Kept apart from portal/restapi.py because DRF imports these classes while rest_framework.views
is still loading. The bytes are those of the former JsonResponse views: UTF-8 (not ASCII
escapes), Python's default separators (", " and ": "), NaN allowed as json.dumps allows it, and
always JSON whatever the Accept header (no 406, no browsable HTML page, which would need the
inline scripts the strict CSP forbids).
"""

from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer


class PublicJSONRenderer(JSONRenderer):
    """JSON as Django's JsonResponse(…, json_dumps_params={"ensure_ascii": False}) wrote it."""

    compact = False
    ensure_ascii = False
    strict = False


class AlwaysJSON(BaseContentNegotiation):
    """The first renderer (JSON) whatever the client accepts, as before: never 406."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
