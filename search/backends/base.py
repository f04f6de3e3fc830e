"""The search interface both backends implement, and the result types they return."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from guides.choices import AUDIENCE_CHOICES, ITEM_TYPE_CHOICES, choice_labels

PER_PAGE = 10
MAX_PAGE = 100

# Facets: name -> (label, static value labels or None when labels come from the data).
# The catalog's labels come from guides/choices.py, the one place they are written.
FACETS = {
    "kind": (
        _("类别"),
        {
            "guide": _("办事指南"),
            "life_event": _("一件事"),
            "fee": _("收费项目"),
            "notice": _("通知公告"),
            "bulletin": _("运行情况通报"),
        },
    ),
    "audience": (_("服务对象"), choice_labels(AUDIENCE_CHOICES)),
    "center": (_("中心"), None),
    "department": (_("部门"), None),
    "theme": (_("主题"), None),
    "type": (_("事项类型"), choice_labels(ITEM_TYPE_CHOICES)),
    "fee": (_("收费"), {"free": _("不收费"), "charged": _("收费")}),
    "online": (_("网上办理"), {"yes": _("可网上办理"), "no": _("需到现场")}),
}
FILTER_NAMES = list(FACETS)


def clean_filters(raw):
    """Only known filter names with short, plain values; anything else is dropped."""
    filters = {}
    for name in FILTER_NAMES:
        values = raw.get(name) if hasattr(raw, "get") else None
        if hasattr(raw, "getlist"):
            values = raw.getlist(name)
        if isinstance(values, str):
            values = [values]
        cleaned = []
        for value in values or []:
            value = str(value).strip()[:64]
            if value and value.isprintable() and value not in cleaned:
                cleaned.append(value)
        if cleaned:
            filters[name] = cleaned[:10]
    return filters


@dataclass
class Hit:
    key: str
    kind: str
    title: str
    url: str
    snippet: str
    score: float
    center: str = ""
    center_label: str = ""
    item_code: str = ""
    department_label: str = ""
    promoted: bool = False
    item_type: str = ""
    # The item's copies in every center ({"center", "name", "url", "item_code"}, the visitor's
    # chosen center first) when results are grouped (search.grouping); empty otherwise.
    copies: list = field(default_factory=list)

    @property
    def other_copies(self):
        return [copy for copy in self.copies if copy["url"] != self.url]

    def as_json(self):
        return {
            "type": self.kind,
            "title": self.title,
            "url": self.url,
            "snippet": self.snippet,
            "score": round(self.score, 4),
            "center": self.center,
            "item_code": self.item_code,
            "promoted": self.promoted,
            "centers": self.copies
            or [{"center": self.center, "name": self.center_label, "url": self.url, "item_code": self.item_code}],
        }


@dataclass
class SearchResults:
    query: str
    hits: list = field(default_factory=list)
    total: int = 0
    facets: dict = field(default_factory=dict)  # name -> [{"value", "label", "count"}]
    took_ms: float = 0.0
    page: int = 1
    per_page: int = PER_PAGE
    mode: str = "all"  # all terms required, or "any" after the fallback
    did_you_mean: str = ""
    # Grouped results (one per item, search.grouping): `total` counts items, `documents` the
    # matching documents (every center's copy); both equal when not grouped.
    grouped: bool = False
    documents: int = 0
    estimated: bool = False  # `total` (items) estimated from part of the matches

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page)) if self.total else 0


class SearchBackend:
    """Index documents (search.documents.SearchDocument), search them, suggest names."""

    name = "base"

    def ping(self):
        raise NotImplementedError

    def index(self, documents):
        """Add or replace documents; returns how many were written."""
        raise NotImplementedError

    def delete(self, keys):
        raise NotImplementedError

    # True when search() accepts group=True and prefer_center (one hit per item, copies behind it).
    groups = False

    def search(self, query, filters=None, page=1, per_page=PER_PAGE, synonyms=None):
        """SearchResults for the user's query: hits with snippets, facets, total, took_ms.
        Backends with `groups = True` also take group=False and prefer_center="" keywords."""
        raise NotImplementedError

    def suggest(self, prefix, limit=8):
        """[{"title", "url"}] for names (or pinyin) starting with what the user typed."""
        raise NotImplementedError

    def names(self):
        """Distinct item names and their pinyin, for "did you mean"."""
        raise NotImplementedError

    def get(self, keys):
        """Hits (without snippet scores) for documents by key, in the given order."""
        raise NotImplementedError

    def rebuild(self, documents):
        """Build a complete new index from `documents` and switch to it atomically."""
        raise NotImplementedError

    def update(self, documents):
        """Bring the live index in line with `documents` in place (add, replace, remove)."""
        raise NotImplementedError

    def count(self):
        raise NotImplementedError
