"""Admin hooks of the guides app. Each feature keeps its own block below."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .review_actions import SetReviewDateBulkAction, SubmitForReviewBulkAction

# --- Completeness report (八公开完整度报告) ------------------------------------------------


@hooks.register("register_admin_urls")
def register_completeness_report_url():
    from .admin_views import CompletenessReportView

    return [
        path("reports/guide-completeness/", CompletenessReportView.as_view(), name="guides_completeness_report"),
        path(
            "reports/guide-completeness/results/",
            CompletenessReportView.as_view(results_only=True),
            name="guides_completeness_report_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_completeness_report_menu_item():
    return MenuItem(_("八公开完整度"), reverse("guides_completeness_report"), icon_name="doc-full", order=150)


# --- Catalog import (导入事项): upload view, menu and audit-log action live in import_admin ----

from . import import_admin  # noqa: E402, F401

# --- Bulk actions that respect the workflow (批量提交审核, 设置最近审核日期) -------------------

hooks.register("register_bulk_action", SubmitForReviewBulkAction)
hooks.register("register_bulk_action", SetReviewDateBulkAction)

# --- Fee items (收费项目): the snippet viewset and its boundaries live in fee_admin -----------

from . import fee_admin  # noqa: E402, F401
