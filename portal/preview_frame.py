"""Wagtail's preview panel shows the page in an iframe of the admin. The preview is rendered
through the whole middleware stack for the page's own URL (a dummy request Wagtail marks
`is_dummy` "to let middleware know"; `is_preview` is set only at the view), so
it would carry the public pages' `frame-ancestors 'none'` and `X-Frame-Options: DENY`, and the
browser would refuse to show it. For preview answers only, framing by the site itself is allowed.
"""

from csp.decorators import csp_replace


class PreviewFrameMiddleware:
    """Sits below CSPMiddleware and XFrameOptionsMiddleware (they read what it sets)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.framed = csp_replace({"frame-ancestors": ["'self'"]})(get_response)

    def __call__(self, request):
        if not (getattr(request, "is_dummy", False) or getattr(request, "is_preview", False)):
            return self.get_response(request)
        response = self.framed(request)
        response["X-Frame-Options"] = "SAMEORIGIN"
        return response
