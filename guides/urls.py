"""Routes of the guides app outside the page tree (included before Wagtail's catch-all)."""

from django.urls import path, re_path

from . import api, routing
from .feeds import ItemChangesFeed

app_name = "guides"

urlpatterns = [
    path("api/items/", api.ItemListView.as_view(), name="api_items"),
    path("feeds/changes/", ItemChangesFeed(), name="item_changes_feed"),
    path("api/items/<slug:center>/<str:item_code>/", api.ItemDetailView.as_view(), name="api_item"),
    # Catalog pages: a one-query shortcut into Wagtail's own serving (see guides/routing.py).
    re_path(r"^guides/(?P<path>(?:[\w-]+/){0,4})$", routing.serve, name="catalog"),
]
