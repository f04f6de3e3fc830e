"""Querysets shaped for display: every related part fetched in a fixed number of queries."""

from django.db.models import Prefetch

from .models import FeeItem, GuideFee, GuidePage


def items_for_display(queryset=None):
    queryset = queryset if queryset is not None else GuidePage.objects.live()
    return queryset.select_related("center", "department").prefetch_related(
        "steps",
        "legal_basis",
        "materials",
        "themes",
        Prefetch(
            "fees",
            queryset=GuideFee.objects.select_related("fee_item").prefetch_related(
                Prefetch("fee_item", queryset=FeeItem.all_versions.prefetch_related("basis"))
            ),
        ),
    )
