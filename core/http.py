"""JSON responses as every Gongkai API writes them: Chinese kept as it is (no \\uXXXX escapes)."""

from django.http import JsonResponse


def json_response(data, status=200, *, cors=False):
    """A JsonResponse with `ensure_ascii=False`; `cors=True` lets any origin read it (open data)."""
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    if cors:
        response["Access-Control-Allow-Origin"] = "*"
    return response
