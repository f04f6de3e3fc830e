from django.conf import settings
from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from portal import api_docs, language_switch, media, reading_mode, views
from portal.feeds import NoticeFeed

handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("center/", views.choose_center, name="choose_center"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/switch/", language_switch.switch, name="language_switch"),
    path("reading-mode/", reading_mode.switch, name="reading_mode"),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("feeds/notices/", NoticeFeed(), name="notice_feed"),
    # OpenAPI 3.1 of the public JSON APIs and the readable API page (portal/api_docs.py).
    path("api/schema/", api_docs.SchemaView.as_view(), name="api_schema"),
    path("api/docs/", api_docs.api_page, name="api_docs"),
    path("api/", RedirectView.as_view(pattern_name="api_docs", permanent=False, http_method_names=["get", "head"])),
    # Browsers ask for /favicon.ico whatever the page says: the same icon as the <link>.
    # Resolved per request, not at import: `migrate` loads this URLconf before collectstatic has
    # written the manifest on a fresh machine.
    path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static("img/favicon.svg"))),
]

# Apps contribute their own routes (APIs, feeds, search) before Wagtail's catch-all.
for module in ("guides.urls", "disclosures.urls", "search.urls"):
    try:
        urlpatterns.append(path("", include(module)))
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise

# Media (forms, PDFs, images) only through a view that checks the owning collection and page:
# a draft bulletin's PDF or a restricted collection's file is a 404 (portal/media.py).
urlpatterns.append(path(settings.MEDIA_URL.lstrip("/") + "<path:path>", media.serve_media, name="media"))

urlpatterns.append(path("", include(wagtail_urls)))
