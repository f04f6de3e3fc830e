"""Routes of the disclosures app (added before Wagtail's catch-all by portal/urls.py)."""

from django.urls import include, path

urlpatterns = [
    path("", include("disclosures.bulletin_urls")),
]
