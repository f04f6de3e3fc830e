"""What a submission is about: an item, a life event or a center, from the form's query string.

/feedback/new/?center=<code>&item=<item code> (codes case-insensitive), ?event=<life event id>,
or ?center=<code> alone. The item's department handles it; a life event or a center goes to the
center, whose administrators assign it to a department.
"""

from dataclasses import dataclass

from django.utils.http import urlencode

from portal.models import ServiceCenter


@dataclass
class Target:
    center: object
    department: object = None
    item: object = None
    title: str = ""
    url: str = ""
    query: str = ""


def resolve_target(params):
    from guides.models import GuidePage, LifeEventPage

    center_code = str(params.get("center", "")).strip().lower()[:32]
    item_code = str(params.get("item", "")).strip()[:64]
    event_id = str(params.get("event", "")).strip()
    center = ServiceCenter.objects.filter(code=center_code).first() if center_code else None
    if item_code and center is not None:
        item = (
            GuidePage.objects.live()
            .filter(center=center, item_code__iexact=item_code)
            .select_related("department", "center")
            .first()
        )
        if item is None:
            return None
        query = urlencode({"center": center.code, "item": item.item_code})
        return Target(center, item.department, item, item.title, item.url, query)
    if event_id.isdigit():
        event = LifeEventPage.objects.live().filter(pk=int(event_id)).first()
        if event is None:
            return None
        items = event.items()
        owner = center or (items[0].center if items else ServiceCenter.objects.order_by("sort_order", "code").first())
        if owner is None:
            return None
        return Target(owner, None, None, event.title, event.url, urlencode({"event": event.pk}))
    if center is not None:
        return Target(center, None, None, center.name, "", urlencode({"center": center.code}))
    return None
