"""Public change history (变更记录) of an item's disclosures, derived from Wagtail revisions.

The published revisions of a page are the ones Wagtail logged as `wagtail.publish`, plus the
live revision, plus the revision that was live when the page was first published (items
created by seeding or import may be published without a log entry). Consecutive published
revisions' serialized content is diffed field by field; nothing is written by hand.

One SQL query for the revisions (publish dates come from a subquery on the log), one for the
fee items only when the linked fees changed; the result is cached per (page, live revision).
"""

import contextlib

from django.core.cache import cache
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .choices import (
    AUDIENCE_CHOICES,
    HANDLING_CHOICES,
    ITEM_TYPE_CHOICES,
    POWER_CODES,
    REQUIREMENT_CHOICES,
    WINDOW_POWERS,
    power_field,
)
from .models import FeeItem

CACHE_SECONDS = 24 * 3600
PUBLISH_ACTION = "wagtail.publish"

# Scalar fields shown in the history: (field, label, kind); kind says how to render values.
SCALAR_FIELDS = [
    ("title", "事项名称", "text"),
    ("item_type", "事项类型", "item_type"),
    ("audience", "服务对象", "audience"),
    ("handling_type", "办件类型", "handling"),
    ("visits_required", "到现场次数", "times"),
    ("online_url", "网上办理地址", "text"),
    ("acceptance_conditions", "受理条件", "changed"),
    ("statutory_days", "法定办结时限", "days"),
    ("promised_days", "承诺办结时限", "days"),
    ("charges", "是否收费", "charges"),
    ("place", "办理地点", "text"),
    ("hours", "办理时间", "text"),
    ("consult_phone", "咨询电话", "text"),
    ("complaint_phone", "投诉电话", "text"),
    ("result_name", "办理结果", "text"),
]
_CHOICES = {
    "item_type": dict(ITEM_TYPE_CHOICES),
    "audience": dict(AUDIENCE_CHOICES),
    "handling": dict(HANDLING_CHOICES),
}
_REQUIREMENTS = dict(REQUIREMENT_CHOICES)
_POWER_LABELS = dict(WINDOW_POWERS)


def published_revisions(page):
    """The page's published revisions, oldest first, each with `published_at`. One query."""
    from wagtail.models import PageLogEntry, Revision

    logs = PageLogEntry.objects.filter(page_id=page.pk, action=PUBLISH_ACTION)
    condition = Q(pk__in=logs.filter(revision__isnull=False).values("revision_id"))
    if page.live_revision_id:
        condition |= Q(pk=page.live_revision_id)
    if page.first_published_at:
        # The first publication's revision: the newest one made by then, or, when the page went
        # live a moment before its first revision was saved (created live, then saved), the
        # oldest one. Never an exact timestamp match.
        own = Revision.page_revisions.filter(object_id=str(page.pk))
        before = own.filter(created_at__lte=page.first_published_at).order_by("-created_at", "-pk").values("pk")[:1]
        oldest = own.order_by("created_at", "pk").values("pk")[:1]
        condition |= Q(pk=Coalesce(Subquery(before), Subquery(oldest)))
    revisions = (
        Revision.page_revisions.filter(object_id=str(page.pk))
        .filter(condition)
        .annotate(
            logged_at=Subquery(logs.filter(revision_id=OuterRef("pk")).order_by("timestamp").values("timestamp")[:1])
        )
        .order_by("created_at", "pk")
    )
    result = []
    for revision in revisions:
        revision.published_at = revision.logged_at or revision.created_at
        result.append(revision)
    return result


def _count(value):
    """A number for choosing the plural form ("1 working day", "2 working days")."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 2


def _fmt(kind, value):
    if value in (None, ""):
        return _("未填写")
    if kind == "days":
        return ngettext("%(n)s 个工作日", "%(n)s 个工作日", _count(value)) % {"n": value}
    if kind == "times":
        return _("%(n)s 次") % {"n": value}
    if kind == "charges":
        return _("收费") if value else _("不收费")
    if kind in _CHOICES:
        return str(_CHOICES[kind].get(value, value))
    return str(value)


def _change(field, label, text, old=None, new=None):
    return {"field": field, "label": label, "old": old, "new": new, "text": text}


def _children(content, name):
    return content.get(name) or []


def _diff_scalars(old, new, changes):
    for field, label, kind in SCALAR_FIELDS:
        before, after = old.get(field), new.get(field)
        if before == after or (before in (None, "") and after in (None, "")):
            continue
        label_text = _(label)
        if kind == "changed":
            changes.append(_change(field, label_text, _("%(label)s有调整") % {"label": label_text}))
            continue
        if kind == "days" and before not in (None, "") and after not in (None, ""):
            text = ngettext(
                "%(label)s %(old)s → %(new)s 个工作日", "%(label)s %(old)s → %(new)s 个工作日", _count(after)
            ) % {"label": label_text, "old": before, "new": after}
        else:
            text = f"{label_text} {_fmt(kind, before)} → {_fmt(kind, after)}"
        changes.append(_change(field, label_text, text, _fmt(kind, before), _fmt(kind, after)))


def _diff_powers(old, new, changes):
    for code in POWER_CODES:
        name = power_field(code)
        before, after = bool(old.get(name)), bool(new.get(name))
        if before == after:
            continue
        label = str(_POWER_LABELS[code])
        if after:
            text = _("窗口权限：授予%(power)s") % {"power": label}
        else:
            text = _("窗口权限：收回%(power)s") % {"power": label}
        changes.append(
            _change(
                name,
                _("窗口权限"),
                text,
                _("未授予") if not before else _("已授予"),
                _("已授予") if after else _("未授予"),
            )
        )


def _match_children(old_list, new_list, key):
    """Pair children by pk (kept by the admin's inline forms), else by a natural key."""
    old_by_pk = {child.get("pk"): child for child in old_list if child.get("pk")}
    old_by_key = {key(child): child for child in old_list}
    used = set()
    pairs = []
    for child in new_list:
        match = old_by_pk.get(child.get("pk")) if child.get("pk") else None
        if match is None or id(match) in used:
            match = old_by_key.get(key(child))
            if match is not None and id(match) in used:
                match = None
        if match is not None:
            used.add(id(match))
        pairs.append((match, child))
    removed = [child for child in old_list if id(child) not in used]
    return pairs, removed


def _diff_materials(old, new, changes):
    label = _("申报材料")
    pairs, removed = _match_children(
        _children(old, "materials"), _children(new, "materials"), lambda c: (c.get("name") or "").strip()
    )
    for before, after in pairs:
        name = (after.get("name") or "").strip()
        if before is None:
            changes.append(_change("materials", label, _("新增材料“%(name)s”") % {"name": name}, None, name))
            continue
        old_name = (before.get("name") or "").strip()
        if old_name != name:
            changes.append(
                _change(
                    "materials",
                    label,
                    _("材料“%(old)s”更名为“%(new)s”") % {"old": old_name, "new": name},
                    old_name,
                    name,
                )
            )
        if before.get("requirement") != after.get("requirement"):
            old_req = str(_REQUIREMENTS.get(before.get("requirement"), before.get("requirement")))
            new_req = str(_REQUIREMENTS.get(after.get("requirement"), after.get("requirement")))
            changes.append(
                _change(
                    "materials",
                    label,
                    _("材料“%(name)s”由%(old)s改为%(new)s") % {"name": name, "old": old_req, "new": new_req},
                    old_req,
                    new_req,
                )
            )
        for part, part_label in (("originals", _("原件")), ("copies", _("复印件"))):
            if before.get(part) != after.get(part) and before.get(part) is not None:
                changes.append(
                    _change(
                        "materials",
                        label,
                        _("材料“%(name)s”%(part)s %(old)s → %(new)s 份")
                        % {"name": name, "part": part_label, "old": before.get(part), "new": after.get(part)},
                        before.get(part),
                        after.get(part),
                    )
                )
    for before in removed:
        name = (before.get("name") or "").strip()
        changes.append(_change("materials", label, _("删除材料“%(name)s”") % {"name": name}, name, None))


def _basis_text(basis):
    title = (basis.get("title") or "").strip()
    article = (basis.get("article") or "").strip()
    return f"《{title}》{article}" if title else article


def _diff_legal_basis(old, new, changes):
    label = _("设立依据")
    before = [_basis_text(b) for b in _children(old, "legal_basis")]
    after = [_basis_text(b) for b in _children(new, "legal_basis")]
    for text in after:
        if text not in before:
            changes.append(_change("legal_basis", label, _("新增设立依据 %(basis)s") % {"basis": text}, None, text))
    for text in before:
        if text not in after:
            changes.append(_change("legal_basis", label, _("删除设立依据 %(basis)s") % {"basis": text}, text, None))


def _diff_steps(old, new, changes):
    def shape(content):
        return [
            (s.get("name"), s.get("description"), s.get("who"), s.get("time_limit"))
            for s in _children(content, "steps")
        ]

    if shape(old) != shape(new):
        names = "、".join((s.get("name") or "") for s in _children(new, "steps"))
        changes.append(_change("steps", _("办理流程"), _("办理流程调整为：%(steps)s") % {"steps": names or _("无")}))


def _fee_ids(content):
    return [link.get("fee_item") for link in _children(content, "fees") if link.get("fee_item")]


def _diff_fees(old, new, fees, changes):
    label = _("收费标准")

    def by_code(content):
        result = {}
        for fee_id in _fee_ids(content):
            fee = fees.get(fee_id)
            if fee is not None:
                result[(fee.department_id, fee.code)] = fee
        return result

    before, after = by_code(old), by_code(new)
    for key, fee in after.items():
        previous = before.get(key)
        if previous is None:
            changes.append(
                _change(
                    "fees",
                    label,
                    _("新增收费项目“%(name)s”（%(price)s）") % {"name": fee.name, "price": fee.price_text},
                    None,
                    fee.price_text,
                )
            )
        elif previous.price_text != fee.price_text:
            changes.append(
                _change(
                    "fees",
                    label,
                    _("收费项目“%(name)s”%(old)s → %(new)s")
                    % {"name": fee.name, "old": previous.price_text, "new": fee.price_text},
                    previous.price_text,
                    fee.price_text,
                )
            )
    for key, fee in before.items():
        if key not in after:
            changes.append(
                _change("fees", label, _("取消收费项目“%(name)s”") % {"name": fee.name}, fee.price_text, None)
            )


def diff_contents(old, new, fees):
    """The list of changes between two serialized revisions' content dicts."""
    changes = []
    _diff_scalars(old, new, changes)
    _diff_steps(old, new, changes)
    _diff_legal_basis(old, new, changes)
    _diff_materials(old, new, changes)
    _diff_fees(old, new, fees, changes)
    _diff_powers(old, new, changes)
    return changes


def compute_history(page):
    """[{"date", "revision_id", "first", "changes": [...]}] newest first; revisions that changed
    nothing public are left out."""
    revisions = published_revisions(page)
    # Fee items are looked up only when the linked fees differ between two publications.
    fee_ids = set()
    for before, after in zip(revisions, revisions[1:], strict=False):
        old_ids, new_ids = set(_fee_ids(before.content)), set(_fee_ids(after.content))
        if old_ids != new_ids:
            fee_ids |= old_ids | new_ids
    fees = {fee.pk: fee for fee in FeeItem.objects.filter(pk__in=fee_ids)} if fee_ids else {}
    entries = []
    previous = None
    for revision in revisions:
        date = timezone.localtime(revision.published_at).date()
        if previous is None:
            entries.append({"date": date, "revision_id": revision.pk, "first": True, "changes": []})
        else:
            changes = diff_contents(previous.content, revision.content, fees)
            if changes:
                entries.append({"date": date, "revision_id": revision.pk, "first": False, "changes": changes})
        previous = revision
    entries.reverse()
    return entries


def cache_key(page):
    from django.utils.translation import get_language

    return f"guides:history:{page.pk}:{page.live_revision_id or 0}:{get_language()}"


def item_history(page):
    """The history, cached per live revision (a new publication gets a new key)."""
    key = cache_key(page)
    try:
        entries = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage must not break the page
        entries = None
    if entries is None:
        entries = compute_history(page)
        with contextlib.suppress(Exception):  # a cache outage must not break the page
            cache.set(key, entries, CACHE_SECONDS)
    return entries
