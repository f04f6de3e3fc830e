"""Stable public URLs of bulletins: JSON data, files and the Atom feed (see DESIGN.md)."""

from django.urls import path, re_path

from . import bulletin_views
from .feeds import BulletinFeed

CENTER = r"(?P<center>[a-z0-9_-]{1,32})"
PERIOD = r"(?P<period>\d{4}-\d{2})"

urlpatterns = [
    path("api/bulletins/", bulletin_views.bulletin_list, name="bulletin-api-list"),
    re_path(rf"^api/bulletins/{CENTER}/{PERIOD}/$", bulletin_views.bulletin_file, {"fmt": "json"}, name="bulletin-api"),
    # Files: /api/bulletins/<center>/<YYYY-MM>.pdf, and the same after the slash (…/<YYYY-MM>/.pdf).
    re_path(
        rf"^api/bulletins/{CENTER}/{PERIOD}/?\.(?P<fmt>pdf|csv|xlsx|json)$",
        bulletin_views.bulletin_file,
        name="bulletin-api-file",
    ),
    re_path(
        rf"^api/bulletins/{CENTER}/{PERIOD}/datapackage\.json$",
        bulletin_views.bulletin_file,
        {"fmt": "datapackage"},
        name="bulletin-datapackage",
    ),
    re_path(
        rf"^api/bulletins/{CENTER}/{PERIOD}/v(?P<version>[1-9][0-9]{{0,3}})\.(?P<fmt>pdf|csv|xlsx|json)$",
        bulletin_views.bulletin_version,
        name="bulletin-version",
    ),
    re_path(
        rf"^api/bulletins/{CENTER}/{PERIOD}/v(?P<version>[1-9][0-9]{{0,3}})/datapackage\.json$",
        bulletin_views.bulletin_version,
        {"fmt": "datapackage"},
        name="bulletin-version-datapackage",
    ),
    re_path(r"^api/bulletins/.+$", bulletin_views.not_found, name="bulletin-api-unknown"),
    path("feeds/bulletins/", BulletinFeed(), name="bulletin-feed"),
]
