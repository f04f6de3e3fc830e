"""The admin endpoint behind the slug field: the slug a title would get, as the editor types."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET
from wagtail.models import Page

from .slugs import slug_for


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_GET
def slug_suggestion(request):
    """GET ?title=&parent=<id> (new page) or ?page=<id> (existing page) [&item_code=] → {"slug"}.

    Only for a parent the editor may add pages under, or a page they may edit, so sibling slugs of
    another department's folder are never probed.
    """
    page = Page.objects.filter(pk=_int(request.GET.get("page"))).first() if request.GET.get("page") else None
    if page is not None:
        if not page.permissions_for_user(request.user).can_edit():
            return JsonResponse({"error": "forbidden"}, status=403)
        parent = page.get_parent()
    else:
        parent = Page.objects.filter(pk=_int(request.GET.get("parent"))).first()
        if parent is None:
            return JsonResponse({"error": "parent"}, status=400)
        if not parent.permissions_for_user(request.user).can_add_subpage():
            return JsonResponse({"error": "forbidden"}, status=403)
    title = (request.GET.get("title") or "")[:255]
    item_code = (request.GET.get("item_code") or "")[:64]
    if not title.strip() and not item_code.strip():
        return JsonResponse({"slug": ""})
    slug = slug_for(title, parent, page.pk if page else None, item_code=item_code.strip())
    return JsonResponse({"slug": slug})
