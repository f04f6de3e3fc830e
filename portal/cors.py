"""One CORS policy for the public read-only data (open data anyone may read from a browser).

GET, HEAD and OPTIONS answers under the prefixes in OPEN_DATA_PREFIXES (the JSON APIs, the
fee schedule files, the feeds) carry `Access-Control-Allow-Origin: *` (no credentials, so no
cookie ever travels); an OPTIONS preflight gets the allowed methods and headers. Every other
path, and any write (the case push `/api/cases/`, which machines call with a token, never a
browser page), gets no CORS header at all, whatever a view set. Views do not set CORS headers
themselves.
"""

from django.http import HttpResponse

OPEN_DATA_PREFIXES = ("/api/", "/fees/schedule.", "/feeds/")
CLOSED_PREFIXES = ("/api/cases/",)
READ_METHODS = ("GET", "HEAD", "OPTIONS")


def is_open_data(request):
    path = request.path
    return (
        request.method in READ_METHODS and path.startswith(OPEN_DATA_PREFIXES) and not path.startswith(CLOSED_PREFIXES)
    )


class OpenDataCorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        open_data = is_open_data(request)
        if open_data and request.method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in request.META:
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = "Accept, Accept-Language, Content-Type"
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = self.get_response(request)
        for header in ("Access-Control-Allow-Origin", "Access-Control-Allow-Credentials"):
            if header in response:
                del response[header]
        if open_data:
            response["Access-Control-Allow-Origin"] = "*"
        return response
