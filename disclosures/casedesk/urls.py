from django.urls import path

from . import views

urlpatterns = [
    path("cases/lookup/", views.case_lookup, name="case_lookup"),
    path("cases/rate/", views.case_rate, name="case_rate"),
]
