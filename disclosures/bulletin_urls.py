"""Stable public URLs of bulletins: JSON data, files and the Atom feed (see DESIGN.md)."""

from django.urls import path, re_path

from . import bulletin_views
from .feeds import BulletinFeed

CENTER = r"(?P<center>[a-z0-9_-]{1,32})"
PERIOD = r"(?P<period>\d{4}-\d{2})"

urlpatterns = [
    path("api/bulletins/", bulletin_views.BulletinListView.as_view(), name="bulletin-api-list"),
    re_path(rf"^api/bulletins/{CENTER}/{PERIOD}/$", bulletin_views.BulletinView.as_view(), name="bulletin-api"),
    # Files: /api/bulletins/<center>/<YYYY-MM>.pdf, and the same after the slash (…/<YYYY-MM>/.pdf).
    re_path(
        rf"^api/bulletins/{CENTER}/{PERIOD}/?\.(?P<fmt>pdf|csv|xlsx|json)$",
        bulletin_views.BulletinFileView.as_view(),
        name="bulletin-api-file",
    ),
    re_path(
        rf"^api/bulletins/{CENTER}/{PERIOD}/datapackage\.json$",
        bulletin_views.BulletinPackageView.as_view(),
        name="bulletin-datapackage",
    ),
    re_path(
        rf"^api/bulletins/{CENTER}/{PERIOD}/v(?P<version>[1-9][0-9]{{0,3}})\.(?P<fmt>pdf|csv|xlsx|json)$",
        bulletin_views.BulletinVersionView.as_view(),
        name="bulletin-version",
    ),
    re_path(
        rf"^api/bulletins/{CENTER}/{PERIOD}/v(?P<version>[1-9][0-9]{{0,3}})/datapackage\.json$",
        bulletin_views.BulletinVersionView.as_view(),
        {"fmt": "datapackage"},
        name="bulletin-version-datapackage",
    ),
    re_path(r"^api/bulletins/.+$", bulletin_views.BulletinNotFoundView.as_view(), name="bulletin-api-unknown"),
    path("feeds/bulletins/", BulletinFeed(), name="bulletin-feed"),
]
