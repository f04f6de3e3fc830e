"""Routes of the disclosures app (added before Wagtail's catch-all by portal/urls.py).

Fee schedule and case push live in disclosures/api.py; bulletin routes in bulletin_urls.py.
"""

from django.urls import include, path, re_path

from . import api, data_views

urlpatterns = [
    path("fees/", api.fee_schedule, name="fee_schedule"),
    re_path(r"^fees/schedule\.(?P<fmt>csv|xlsx|json)$", api.fee_download, name="fee_download"),
    path("api/fees/", api.FeesView.as_view(), name="fees_api"),
    path("api/cases/", api.PushCasesView.as_view(), name="push_cases"),
    path("api/series/", data_views.SeriesView.as_view(), name="series_api"),
    path("api/series/datapackage.json", data_views.SeriesPackageView.as_view(), name="series_datapackage"),
    re_path(r"^api/series/?\.(?P<fmt>csv|xlsx|json)$", data_views.SeriesFileView.as_view(), name="series_file"),
    path("data/series/", data_views.series_page, name="series_page"),
    path("data/dictionary/", data_views.dictionary_page, name="data_dictionary"),
    path("", include("disclosures.bulletin_urls")),
    path("", include("disclosures.feedback.urls")),
    path("", include("disclosures.casedesk.urls")),
]
