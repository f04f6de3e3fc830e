"""What the index holds: one SearchDocument per live item, life event, fee, notice and bulletin.

Documents are plain data built here from the models, so both backends index the same thing.
Models that other apps may not have yet (notices, bulletins) are looked up through
django.apps and skipped when missing.
"""

import datetime
import re
from dataclasses import asdict, dataclass, field

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.html import strip_tags

from core.registries import searchables

KIND_GUIDE = "guide"
KIND_LIFE_EVENT = "life_event"
KIND_FEE = "fee"
KIND_NOTICE = "notice"
KIND_BULLETIN = "bulletin"
KIND_BOOST = {KIND_GUIDE: 1.0, KIND_LIFE_EVENT: 1.1, KIND_FEE: 0.6, KIND_NOTICE: 0.7, KIND_BULLETIN: 0.5}

# Kinds other apps declare searchable (core.registries.register_searchable), and their builders below.


@dataclass
class SearchDocument:
    key: str
    kind: str
    title: str
    url: str
    item_code: str = ""
    center: str = ""
    center_label: str = ""
    department: str = ""
    department_label: str = ""
    audience: str = ""
    item_type: str = ""
    themes: list = field(default_factory=list)  # [(slug, label)]
    charged: bool | None = None
    online: bool | None = None
    date: str = ""
    keywords: str = ""
    conditions: str = ""
    materials: str = ""
    procedure: str = ""
    other: str = ""
    summary: str = ""  # the text snippets are cut from

    @property
    def boost(self):
        return KIND_BOOST.get(self.kind, 1.0)

    @property
    def base_name(self):
        return base_name(self.title)

    def as_dict(self):
        return asdict(self)


def base_name(title):
    """The item name without its variant, e.g. 居民身份证办理 for 居民身份证办理（补领）."""
    return re.sub(r"[（(][^）)]*[）)]$", "", title).strip() or title


def model_key(obj):
    return f"{obj._meta.label_lower}:{obj.pk}"


def _text(value):
    return re.sub(r"\s+", " ", strip_tags(str(value or ""))).strip()


def _page_url(page):
    try:
        return page.get_url() or page.url_path
    except Exception:  # noqa: BLE001 - a page outside any site still gets a usable path
        return page.url_path


def guide_queryset():
    from guides.models import GuideFee, GuidePage

    return (
        GuidePage.objects.live()
        .public()
        .select_related("center", "department")
        .prefetch_related(
            "themes",
            "steps",
            "materials",
            "legal_basis",
            Prefetch("fees", queryset=GuideFee.objects.select_related("fee_item")),
        )
        .order_by("pk")
    )


def guide_document(page):
    from guides.choices import AUDIENCE_CHOICES, HANDLING_CHOICES, ITEM_TYPE_CHOICES

    labels = dict(ITEM_TYPE_CHOICES)
    materials = [m.name for m in page.materials.all() if m.name]
    steps = [f"{s.name}：{s.description}" if s.description else s.name for s in page.steps.all()]
    themes = [(t.slug, t.name) for t in page.themes.all()]
    basis = [f"《{b.title}》{b.article}" for b in page.legal_basis.all()]
    fees = [f"{link.fee_item.name} {link.fee_item.price_text}" for link in page.fees.all()]
    handling = str(dict(HANDLING_CHOICES).get(page.handling_type, ""))
    audience = str(dict(AUDIENCE_CHOICES).get(page.audience, ""))
    summary = _text(page.acceptance_conditions)
    if materials:
        summary += " 申报材料：" + "、".join(materials) + "。"
    if steps:
        summary += " 办理流程：" + "；".join(s.split("：")[0] for s in steps) + "。"
    if fees:
        summary += " 收费：" + "；".join(fees) + "。"
    return SearchDocument(
        key=model_key(page),
        kind=KIND_GUIDE,
        title=page.title,
        url=_page_url(page),
        item_code=page.item_code,
        center=page.center.code,
        center_label=page.center.name,
        department=page.department.code,
        department_label=page.department.name,
        audience=page.audience,
        item_type=page.item_type,
        themes=themes,
        charged=bool(page.charges),
        online=bool(page.online_url),
        date=page.last_published_at.date().isoformat() if page.last_published_at else "",
        # 事项简称 and 日常用语 are how citizens name the item: indexed with the keywords
        # (weighted next to the name, see docs/search.md).
        keywords=" ".join(
            [
                _text(getattr(page, "short_name", "")),
                _text(getattr(page, "everyday_terms", "")),
                _text(page.search_description),
                page.item_code,
            ]
        ),
        conditions=_text(page.acceptance_conditions),
        materials="；".join(materials),
        procedure="；".join(steps) + " " + handling,
        other=" ".join(
            [
                page.department.name,
                page.center.name,
                str(labels.get(page.item_type, "")),
                audience,
                " ".join(name for _slug, name in themes),
                " ".join(basis),
                " ".join(fees),
                page.place,
            ]
        ),
        summary=summary.strip(),
    )


def life_event_queryset():
    from guides.models import LifeEventPage

    return LifeEventPage.objects.live().public().prefetch_related("bundle_items__item").order_by("pk")


def life_event_document(page):
    items = [link.item.title for link in page.bundle_items.all()]
    intro = _text(page.intro)
    return SearchDocument(
        key=model_key(page),
        kind=KIND_LIFE_EVENT,
        title=page.title,
        url=_page_url(page),
        date=page.last_published_at.date().isoformat() if page.last_published_at else "",
        keywords=_text(page.search_description),
        conditions=intro,
        materials="",
        procedure="；".join(items),
        other="一件事一次办",
        summary=(intro + " 包含事项：" + "、".join(items)).strip(),
    )


def fee_queryset():
    from guides.models import FeeItem

    return FeeItem.objects.in_force().select_related("department__center").prefetch_related("basis").order_by("pk")


def fee_document(fee):
    basis = [str(b) for b in fee.basis.all()]
    center = fee.department.center
    return SearchDocument(
        key=model_key(fee),
        kind=KIND_FEE,
        title=fee.name,
        url=f"/fees/?center={center.code}#fee-{fee.code}",
        item_code=fee.code,
        center=center.code,
        center_label=center.name,
        department=fee.department.code,
        department_label=fee.department.name,
        charged=True,
        date=fee.effective_from.isoformat(),
        keywords=f"{fee.code} 收费 {fee.formula}",
        conditions=_text(fee.notes),
        procedure="",
        other=" ".join([fee.department.name, center.name, "收费依据", *basis]),
        summary=f"{fee.price_text}，{fee.effective_from:%Y-%m-%d} 起执行。收费依据：" + "；".join(basis),
    )


def _date_of(page, *names):
    for name in names:
        value = getattr(page, name, None)
        if isinstance(value, datetime.datetime):
            return (
                timezone.localtime(value).date().isoformat() if timezone.is_aware(value) else value.date().isoformat()
            )
        if isinstance(value, datetime.date):
            return value.isoformat()
        if value:
            return str(value)
    return ""


def notice_document(page):
    body = _text(getattr(page, "body", ""))
    category = getattr(page, "category", "")
    category = getattr(page, "get_category_display", lambda: category)() if category else ""
    center = getattr(page, "center", None)
    return SearchDocument(
        key=model_key(page),
        kind=KIND_NOTICE,
        title=page.title,
        url=_page_url(page),
        center=getattr(center, "code", "") or "",
        center_label=getattr(center, "name", "") or "",
        date=_date_of(page, "date", "first_published_at"),
        keywords=" ".join([_text(page.search_description), str(category)]),
        conditions=body,
        other=f"通知公告 {category}",
        summary=body[:400],
    )


def bulletin_document(page):
    narrative = _text(getattr(page, "narrative", ""))
    center = getattr(page, "center", None)
    period = _date_of(page, "period")
    return SearchDocument(
        key=model_key(page),
        kind=KIND_BULLETIN,
        title=page.title,
        url=_page_url(page),
        center=getattr(center, "code", "") or "",
        center_label=getattr(center, "name", "") or "",
        date=period,
        keywords=" ".join([_text(page.search_description), "运行情况通报", period]),
        conditions=narrative,
        other=getattr(center, "name", "") or "",
        summary=narrative[:400] or page.title,
    )


def sources():
    """(kind, queryset, builder) for every kind of document that exists in this site."""
    result = [
        (KIND_GUIDE, guide_queryset(), guide_document),
        (KIND_LIFE_EVENT, life_event_queryset(), life_event_document),
        (KIND_FEE, fee_queryset(), fee_document),
    ]
    builders = {KIND_NOTICE: notice_document, KIND_BULLETIN: bulletin_document}
    for kind, queryset in searchables().items():  # declared by the apps that own the pages
        if kind in builders:
            result.append((kind, queryset(), builders[kind]))
    return result


def iter_documents(chunk_size=500):
    """Every searchable document, built in chunks so memory stays flat on large catalogs."""
    for _kind, queryset, builder in sources():
        yield from (builder(obj) for obj in queryset.iterator(chunk_size=chunk_size))


def document_for_key(key):
    """The document for `app.model:pk` when the object exists and is searchable, else None."""
    label, _sep, pk = key.partition(":")
    for _kind, queryset, builder in sources():
        if queryset.model._meta.label_lower == label:
            obj = queryset.filter(pk=pk).first()
            return builder(obj) if obj is not None else None
    return None


def indexable_labels():
    return {queryset.model._meta.label_lower for _kind, queryset, _builder in sources()}
