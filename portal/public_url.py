"""The site's public base URL: one setting, WAGTAILADMIN_BASE_URL, for every absolute link.

Wagtail builds absolute links (page.full_url, Site.root_url) from the default Site's host name
and port: permalinks, the feeds, the bulletin's citation block and the PDF cover all come from
there. `init_site` and `seed_demo` write the setting into the default Site, so they can never
disagree; `make run` sets it to its own address (http://127.0.0.1:$PORT).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def base_url():
    return (settings.WAGTAILADMIN_BASE_URL or "").rstrip("/")


def site_address(url=None):
    """(hostname, port) of a base URL; the port defaults to the scheme's (80 or 443)."""
    parts = urlsplit(url if url is not None else base_url())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImproperlyConfigured(f"WAGTAILADMIN_BASE_URL 应为 http(s)://主机[:端口]，现在是“{url or base_url()}”")
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


def apply_to_site(site, hostname=None, port=None):
    """Point `site` (unsaved changes) at the base URL, or at an explicit hostname/port."""
    default_host, default_port = site_address()
    site.hostname = hostname or default_host
    site.port = port or default_port
    return site
