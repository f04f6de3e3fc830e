"""What the item page shows, prepared in Python: prefetched parts, fees in force, breadcrumbs,
the schema.org JSON-LD. Kept out of views and templates so both stay thin.
"""

import json

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .choices import WINDOW_POWERS, power_field
from .completeness import DISCLOSURES
from .models import FeeItem, GuideFee, Material

# Anchor ids of the eight sections, in order (stable: other pages and the API link to them).
SECTION_IDS = {
    "name": "disclosure-1",
    "procedure": "disclosure-2",
    "legal_basis": "disclosure-3",
    "materials": "disclosure-4",
    "time_limit": "disclosure-5",
    "fee_standard": "disclosure-6",
    "fee_basis": "disclosure-7",
    "window_authority": "disclosure-8",
}
CHINESE_NUMERALS = "一二三四五六七八"


def prefetch_item(item, on=None):
    """Fetch the item's parts onto the instance itself (no re-query of the page row).

    Linked fee items, the versions of the same fees in force on `on` (today) and their basis
    come in one query plus one for the basis, whatever the number of fees.
    """
    from django.db.models import Exists, OuterRef, prefetch_related_objects

    if not getattr(item, "_cluster_related_objects", None):
        # A page read from the database; a preview or revision keeps its (draft) parts in memory.
        prefetch_related_objects(
            [item],
            "steps",
            "legal_basis",
            Prefetch("materials", queryset=Material.objects.select_related("blank_form", "sample")),
            "themes",
            "fees",
        )
    links = list(item.fees.all())
    item._fees_in_force = []
    if not links:
        return item
    on = on or timezone.localdate()
    same_fee = GuideFee.objects.filter(
        page_id=item.pk, fee_item__department_id=OuterRef("department_id"), fee_item__code=OuterRef("code")
    )
    linked_ids = [link.fee_item_id for link in links]
    fetched = list(
        FeeItem.objects.filter(Q(pk__in=linked_ids) | (_in_force_q(on) & Exists(same_fee)))
        .prefetch_related("basis")
        .order_by("effective_from")
    )
    by_pk = {fee.pk: fee for fee in fetched}
    in_force = {}
    for fee in fetched:
        if fee.effective_from <= on and (fee.effective_to is None or fee.effective_to >= on):
            in_force[(fee.department_id, fee.code)] = fee
    for link in links:
        if link.fee_item_id in by_pk:
            link.fee_item = by_pk[link.fee_item_id]
    for link in links:
        current = in_force.get((link.fee_item.department_id, link.fee_item.code))
        item._fees_in_force.append({"fee": current or link.fee_item, "in_force": current is not None})
    return item


def _in_force_q(on):
    return Q(effective_from__lte=on) & (Q(effective_to__isnull=True) | Q(effective_to__gte=on))


def fees_in_force(item, on=None):
    """For each linked fee, the version in force today (with its basis); falls back to the
    linked version, flagged, when none is in force. Needs prefetch_item(item) first."""
    if not hasattr(item, "_fees_in_force"):
        prefetch_item(item, on)
    return item._fees_in_force


def sections(completeness):
    checks = completeness["checks"]
    return [
        {
            "key": key,
            "id": SECTION_IDS[key],
            "number": CHINESE_NUMERALS[position],
            "label": str(label),
            "present": checks[key],
        }
        for position, (key, label) in enumerate(DISCLOSURES)
    ]


def window_powers(item):
    return [
        {"code": code, "label": str(label), "granted": bool(getattr(item, power_field(code)))}
        for code, label in WINDOW_POWERS
    ]


def browse_url(index_url, **query):
    return f"{index_url}?{urlencode(query)}" if query else index_url


def breadcrumbs(item, index_url="/guides/"):
    """首页 › 办事指南 › center › department › item (the home crumb comes from the base template)."""
    return [
        {"title": _("办事指南"), "url": index_url},
        {"title": item.center.name, "url": browse_url(index_url, center=item.center.code)},
        {
            "title": item.department.name,
            "url": browse_url(index_url, center=item.center.code, department=item.department.code),
        },
        {"title": item.title, "url": None},
    ]


def json_script_safe(data):
    """JSON for a <script type="application/ld+json"> element: no way out of the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return mark_safe(text)


def government_service_jsonld(item, url, fees):
    """schema.org GovernmentService for search engines and other machines."""
    data = {
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "name": item.title,
        "identifier": item.item_code,
        "serviceType": str(item.get_item_type_display()),
        "url": url,
        "provider": {"@type": "GovernmentOrganization", "name": item.department.name},
        "areaServed": item.center.name,
        "audience": {"@type": "Audience", "audienceType": str(item.get_audience_display())},
        "availableChannel": {
            "@type": "ServiceChannel",
            "name": _("窗口办理"),
            "serviceLocation": {"@type": "Place", "name": item.place or item.center.name},
        },
    }
    if item.search_description:
        data["description"] = item.search_description
    if item.consult_phone:
        data["availableChannel"]["servicePhone"] = {"@type": "ContactPoint", "telephone": item.consult_phone}
    if item.online_url:
        data["availableChannel"]["serviceUrl"] = item.online_url
    if item.hours:
        data["hoursAvailable"] = item.hours
    if fees:
        data["offers"] = [
            {
                "@type": "Offer",
                "name": entry["fee"].name,
                "priceCurrency": "CNY",
                **({"price": f"{entry['fee'].amount:f}"} if entry["fee"].amount is not None else {}),
                "description": entry["fee"].price_text,
            }
            for entry in fees
        ]
    elif not item.charges:
        data["offers"] = {"@type": "Offer", "price": "0", "priceCurrency": "CNY"}
    return data


def document_info(document):
    """Link data for a form file: url, title, extension and size (when known without I/O)."""
    if document is None:
        return None
    size = document.file_size
    return {
        "url": document.url,
        "title": document.title,
        "extension": (document.file_extension or "").upper(),
        "size": size,
    }


def result_info(item):
    """办理结果: name, type label, the sample document (link data) and sample image (or None).

    Documents or images that the public may not fetch (a restricted collection, portal/media.py)
    are left out rather than shown as broken links."""
    from portal.media import document_is_public, media_is_public

    document = item.result_sample if item.result_sample_id else None
    image = item.result_sample_image if item.result_sample_image_id else None
    if document is not None and not document_is_public(document):
        document = None
    if image is not None and not media_is_public(image.file.name):
        image = None
    return {
        "name": item.result_name,
        "type": item.result_type,
        "type_label": str(item.get_result_type_display()) if item.result_type else "",
        "document": document_info(document),
        "image": image,
    }


def material_rows(item):
    return [
        {
            "material": material,
            "blank_form": document_info(material.blank_form),
            "sample": document_info(material.sample),
        }
        for material in item.materials.all()
    ]
