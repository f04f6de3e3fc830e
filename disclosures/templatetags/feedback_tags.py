"""Public page parts of the disclosures app that guides' templates include (no Python import).

{% feedback_box item %}: the item's 常见问题 (published consultations) and the links to the
consultation/complaint form and the lookup; {% feedback_link center=… event=… %}: the link alone.
"""

import contextlib

from django import template
from django.urls import reverse
from django.utils.http import urlencode

register = template.Library()


def _item_extras(item):
    """(常见问题, 好差评 summary) of an item, cached under the page-cache version: publishing a
    page or an FAQ, or a new rating, bumps it (guides.pagecache.bump_version)."""
    cached = getattr(item, "_feedback_extras", None)
    if cached is not None:
        return cached
    from django.core.cache import cache

    from disclosures.casedesk.service import item_summary
    from disclosures.feedback.service import item_faqs
    from guides.pagecache import current_version

    try:
        key = f"disclosures:item-extras:{current_version()}:{item.pk}"
        cached = cache.get(key)
    except Exception:  # noqa: BLE001 - no cache: compute every time
        key, cached = None, None
    if cached is None:
        cached = (item_faqs(item), item_summary(item))
        if key is not None:
            with contextlib.suppress(Exception):  # a broken cache only costs two queries
                cache.set(key, cached, 3600)
    item._feedback_extras = cached
    return cached


@register.inclusion_tag("disclosures/feedback/item_box.html")
def feedback_box(item):
    query = urlencode({"center": item.center.code, "item": item.item_code})
    return {
        "item": item,
        "faqs": _item_extras(item)[0],
        "new_url": f"{reverse('feedback_new')}?{query}",
        "lookup_url": reverse("feedback_lookup"),
    }


@register.inclusion_tag("disclosures/feedback/link.html")
def feedback_link(center=None, event=None):
    params = {}
    if center:
        params["center"] = getattr(center, "code", center)
    if event:
        params["event"] = getattr(event, "pk", event)
    return {"new_url": f"{reverse('feedback_new')}?{urlencode(params)}", "lookup_url": reverse("feedback_lookup")}


@register.inclusion_tag("disclosures/cases/rating_summary.html")
def rating_summary(item):
    """The item's 好差评 summary, shown once it has enough ratings to mean something."""
    from disclosures.casedesk.service import SUMMARY_MIN_RATINGS

    return {"summary": _item_extras(item)[1], "minimum": SUMMARY_MIN_RATINGS}
