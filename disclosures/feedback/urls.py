from django.urls import path

from . import views

urlpatterns = [
    path("feedback/new/", views.feedback_new, name="feedback_new"),
    path("feedback/receipt/", views.feedback_receipt, name="feedback_receipt"),
    path("feedback/lookup/", views.feedback_lookup, name="feedback_lookup"),
]
