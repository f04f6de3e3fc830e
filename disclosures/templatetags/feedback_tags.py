"""Public page parts of the disclosures app that guides' templates include (no Python import).

{% feedback_box item %}: the item's 常见问题 (published consultations) and the links to the
consultation/complaint form and the lookup; {% feedback_link center=… event=… %}: the link alone.
"""

from django import template
from django.urls import reverse
from django.utils.http import urlencode

register = template.Library()


@register.inclusion_tag("disclosures/feedback/item_box.html")
def feedback_box(item):
    from disclosures.feedback.service import item_faqs

    query = urlencode({"center": item.center.code, "item": item.item_code})
    return {
        "item": item,
        "faqs": item_faqs(item),
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
    from disclosures.casedesk.service import SUMMARY_MIN_RATINGS, item_summary

    return {"summary": item_summary(item), "minimum": SUMMARY_MIN_RATINGS}
