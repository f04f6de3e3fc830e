"""Thin public views for the catalog; the logic lives in guides/browsing.py and friends."""

from django.core.paginator import Paginator
from django.shortcuts import render

from .models import GuidePage
from .queries import items_for_display

PAGE_SIZE = 20


def browse(request, index_page):
    items = GuidePage.objects.live().child_of(index_page).select_related("center", "department").order_by("title")
    paginator = Paginator(items, PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "guides/guide_index_page.html",
        {"page": index_page, "self": index_page, "page_obj": page_obj, "items": page_obj.object_list},
    )


def item_context(item, request):
    item = items_for_display(GuidePage.objects.filter(pk=item.pk)).first() or item
    return {"item": item, "completeness": item.completeness}
