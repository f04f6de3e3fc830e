from django.urls import path

from . import views

app_name = "search"

urlpatterns = [
    path("search/", views.search_page, name="page"),
    path("api/search/", views.SearchView.as_view(), name="api"),
    path("api/suggest/", views.SuggestView.as_view(), name="suggest"),
]
