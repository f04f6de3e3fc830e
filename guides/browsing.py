"""Browsing the catalog: filters from the query string, the filtered queryset and facet counts.

Shared by the public browse page and /api/items/. Counts are GROUP BY queries over the current
filter set (each facet ignores its own filter, so a visitor can switch values), never Python
loops over the table.
"""

import re
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q
from django.utils.translation import gettext as _

from portal import codes

from .choices import AUDIENCE_BOTH, AUDIENCE_LEGAL, AUDIENCE_PERSON, HANDLING_CHOICES, ITEM_TYPE_CHOICES
from .models import GuidePage, Theme
from .pinyin import LETTERS, OTHER

FILTER_NAMES = ["audience", "theme", "center", "department", "type", "charges", "handling", "letter"]
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TRUE = {"1", "true", "yes", "是"}
_FALSE = {"0", "false", "no", "否"}
ITEM_TYPES = dict(ITEM_TYPE_CHOICES)
HANDLING_TYPES = dict(HANDLING_CHOICES)


class FilterError(ValueError):
    """A query-string value that cannot be a filter; the message is for the public (Chinese)."""

    def __init__(self, name, message):
        super().__init__(message)
        self.name = name
        self.message = message


@dataclass
class Filters:
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)

    def get(self, name):
        return self.values.get(name)

    def without(self, *names):
        return {key: value for key, value in self.values.items() if key not in names}

    def query(self, **changes):
        """The query string for these filters with `changes` applied (None removes a filter)."""
        from django.utils.http import urlencode

        values = {**self.values, **changes}
        return urlencode([(key, values[key]) for key in FILTER_NAMES if values.get(key) not in (None, "")])


def parse_filters(params):
    """Read and check the filter parameters; bad values are dropped and reported, not raised."""
    filters = Filters()
    for name in FILTER_NAMES:
        raw = params.get(name)
        if raw is None or raw.strip() == "":
            continue
        try:
            filters.values[name] = _clean(name, raw.strip())
        except FilterError as error:
            filters.errors.append(error)
    return filters


def _clean(name, value):
    if name == "audience":
        if value not in (AUDIENCE_PERSON, AUDIENCE_LEGAL):
            raise FilterError(name, _("服务对象只能是 person（个人）或 legal（法人）"))
        return value
    if name == "type":
        if value not in ITEM_TYPES:
            raise FilterError(name, _("未知的事项类型：%(value)s") % {"value": value[:40]})
        return value
    if name == "handling":
        if value not in HANDLING_TYPES:
            raise FilterError(name, _("办件类型只能是 immediate（即办件）或 promised（承诺件）"))
        return value
    if name == "charges":
        lowered = value.lower()
        if lowered in _TRUE:
            return "1"
        if lowered in _FALSE:
            return "0"
        raise FilterError(name, _("是否收费只能是 1（收费）或 0（不收费）"))
    if name == "letter":
        upper = value.upper()
        if upper not in LETTERS and upper != OTHER:
            raise FilterError(name, _("首字母只能是 A–Z 或 #"))
        return upper
    # center, department, theme: codes
    if not _CODE.match(value):
        raise FilterError(name, _("编码格式不正确：%(value)s") % {"value": value[:40]})
    return codes.org_code(value) if name in ("center", "department") else value


def base_queryset(index_page=None):
    queryset = GuidePage.objects.live()
    if index_page is not None:
        queryset = queryset.descendant_of(index_page)
    return queryset


def apply_filters(queryset, values):
    """Filter a GuidePage queryset by a dict of cleaned filter values."""
    audience = values.get("audience")
    if audience:
        queryset = queryset.filter(audience__in=[audience, AUDIENCE_BOTH])
    if values.get("theme"):
        queryset = queryset.filter(themes__slug=values["theme"])
    if values.get("center"):
        queryset = queryset.filter(center__code=values["center"])
    if values.get("department"):
        queryset = queryset.filter(department__code=values["department"])
    if values.get("type"):
        queryset = queryset.filter(item_type=values["type"])
    if values.get("charges"):
        queryset = queryset.filter(charges=values["charges"] == "1")
    if values.get("handling"):
        queryset = queryset.filter(handling_type=values["handling"])
    if values.get("letter"):
        queryset = queryset.filter(pinyin_initial=values["letter"])
    return queryset


def filtered(filters, index_page=None):
    return apply_filters(base_queryset(index_page), filters.values)


def ordered(queryset):
    return queryset.order_by("pinyin", "center__sort_order", "item_code")


def grouped(queryset):
    """One row per item as a citizen sees it (the same name and item type in several centers),
    in name order: {"pinyin", "title", "item_type", "copies"} (a GROUP BY, paginated as is)."""
    return (
        queryset.order_by()
        .values("pinyin", "title", "item_type")
        .annotate(copies=Count("pk"))
        .order_by("pinyin", "title", "item_type")
    )


def expand_groups(groups, queryset, index_page=None, prefer_center=""):
    """The pages shown for one page of `grouped()` rows: per item, the copy in the visitor's
    chosen center when it matches the filters, else the first by center order, with
    `page.other_copies` = the item's pages in the other centers (whatever the filters)."""
    groups = list(groups)
    if not groups:
        return []
    titles = {group["title"] for group in groups}
    order = ("center__sort_order", "center__code", "item_code")
    matching = list(queryset.filter(title__in=titles).select_related("center", "department").order_by(*order))
    everywhere = list(base_queryset(index_page).filter(title__in=titles).select_related("center").order_by(*order))
    prefer = (prefer_center or "").lower()
    shown = []
    for group in groups:
        key = (group["title"], group["item_type"])
        candidates = [p for p in matching if (p.title, p.item_type) == key]
        if not candidates:
            continue
        main = next((p for p in candidates if prefer and p.center.code.lower() == prefer), candidates[0])
        main.other_copies = [p for p in everywhere if (p.title, p.item_type) == key and p.pk != main.pk]
        shown.append(main)
    return shown


def facets(filters, index_page=None):
    """{facet name: [{"value", "label", "count", "selected"}]} — one GROUP BY query per facet."""
    base = base_queryset(index_page)

    def others(name):
        return apply_filters(base, filters.without(name))

    result = {}
    # Audience: "both" items count under person and legal.
    rows = dict(
        others("audience").values_list("audience").annotate(n=Count("pk")).order_by().values_list("audience", "n")
    )
    both = rows.get(AUDIENCE_BOTH, 0)
    result["audience"] = [
        {"value": AUDIENCE_PERSON, "label": _("个人"), "count": rows.get(AUDIENCE_PERSON, 0) + both},
        {"value": AUDIENCE_LEGAL, "label": _("法人"), "count": rows.get(AUDIENCE_LEGAL, 0) + both},
    ]
    themes = (
        others("theme")
        .filter(themes__isnull=False)
        .values("themes__slug")
        .annotate(
            label=Min("themes__name"), audience=Min("themes__audience"), order=Min("themes__sort_order"), n=Count("pk")
        )
        .order_by("audience", "order")
    )
    result["theme"] = [{"value": row["themes__slug"], "label": row["label"], "count": row["n"]} for row in themes]
    centers = (
        others("center")
        .values("center__code")
        .annotate(label=Min("center__name"), order=Min("center__sort_order"), n=Count("pk"))
        .order_by("order", "center__code")
    )
    result["center"] = [{"value": row["center__code"], "label": row["label"], "count": row["n"]} for row in centers]
    departments = (
        others("department")
        .values("department__code")
        .annotate(label=Min("department__name"), n=Count("pk"))
        .order_by("department__code")
    )
    result["department"] = [
        {"value": row["department__code"], "label": row["label"], "count": row["n"]} for row in departments
    ]
    types = dict(others("type").values("item_type").annotate(n=Count("pk")).order_by().values_list("item_type", "n"))
    result["type"] = [
        {"value": code, "label": str(label), "count": types[code]} for code, label in ITEM_TYPE_CHOICES if code in types
    ]
    charges = dict(others("charges").values("charges").annotate(n=Count("pk")).order_by().values_list("charges", "n"))
    result["charges"] = [
        {"value": "1", "label": _("收费"), "count": charges.get(True, 0)},
        {"value": "0", "label": _("不收费"), "count": charges.get(False, 0)},
    ]
    handling = dict(
        others("handling").values("handling_type").annotate(n=Count("pk")).order_by().values_list("handling_type", "n")
    )
    result["handling"] = [
        {"value": code, "label": str(label), "count": handling.get(code, 0)} for code, label in HANDLING_CHOICES
    ]
    letters = dict(
        others("letter").values("pinyin_initial").annotate(n=Count("pk")).order_by().values_list("pinyin_initial", "n")
    )
    if "" in letters:  # rows written without GuidePage.save (bulk paths) count as "#"
        letters[OTHER] = letters.get(OTHER, 0) + letters.pop("")
    result["letter"] = [
        {"value": letter, "label": letter, "count": letters.get(letter, 0)} for letter in [*LETTERS, OTHER]
    ]
    for name, values in result.items():
        selected = filters.get(name)
        for value in values:
            value["selected"] = value["value"] == selected
            value["query"] = filters.query(**{name: value["value"]})
    return result


def theme_groups(audience, index_page=None):
    """Themes of one audience (and "both") with their live item counts, for the themes page."""
    if audience not in (AUDIENCE_PERSON, AUDIENCE_LEGAL):
        return None
    counts = dict(
        apply_filters(base_queryset(index_page), {"audience": audience})
        .filter(themes__audience__in=[audience, AUDIENCE_BOTH])
        .values("themes__slug")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("themes__slug", "n")
    )
    themes = Theme.objects.filter(Q(audience=audience) | Q(audience=AUDIENCE_BOTH)).order_by("sort_order", "name")
    return [{"theme": theme, "count": counts.get(theme.slug, 0)} for theme in themes]


def selected_labels(filters, facet_values):
    """Human labels of the active filters, for the "remove filter" chips."""
    chips = []
    for name in FILTER_NAMES:
        value = filters.get(name)
        if not value:
            continue
        label = value
        for option in facet_values.get(name, []):
            if option["value"] == value:
                label = option["label"]
                break
        chips.append({"name": name, "value": value, "label": label, "remove_query": filters.query(**{name: None})})
    return chips
