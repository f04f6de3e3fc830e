"""Completeness in SQL, for the admin report: the eight checks of guides/completeness.py as
annotations, so counts per center and department are GROUP BY queries over any number of
items (the Python version needs every child row in memory).

tests/guides/test_completeness.py checks both versions agree on every demo item.
"""

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Trim

from core.spreadsheets import safe_csv_writer

from .completeness import DISCLOSURE_LABELS, DISCLOSURES
from .handling_rules import RULE_CODES, rule_field
from .models import POWER_CODES, FeeBasis, GuideFee, GuidePage, GuideStep, LegalBasis, Material, power_field

KEYS = [key for key, _label in DISCLOSURES]


def _flag(condition):
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def annotate_completeness(queryset):
    """Add ok_<disclosure> booleans and `present` (0..8) to a GuidePage queryset."""
    page = OuterRef("pk")
    has_steps = Exists(GuideStep.objects.filter(page=page))
    has_basis = Exists(LegalBasis.objects.filter(page=page))
    blank_basis = Exists(LegalBasis.objects.annotate(t=Trim("title")).filter(page=page, t=""))
    has_materials = Exists(Material.objects.filter(page=page))
    blank_material = Exists(Material.objects.annotate(t=Trim("name")).filter(page=page, t=""))
    has_fees = Exists(GuideFee.objects.filter(page=page))
    unpriced_fee = Exists(GuideFee.objects.filter(page=page, fee_item__amount__isnull=True, fee_item__formula=""))
    baseless_fee = Exists(
        GuideFee.objects.filter(page=page).exclude(Exists(FeeBasis.objects.filter(fee_item=OuterRef("fee_item"))))
    )
    no_fees_needed = Q(charges=False) & ~has_fees
    any_power = Q()
    for code in POWER_CODES:
        any_power |= Q(**{power_field(code): True})
    annotations = {
        "ok_name": _flag(~Q(title="") & ~Q(item_code="") & ~Q(item_type="")),
        "ok_procedure": _flag((has_steps | ~Q(acceptance_conditions="")) & ~Q(handling_type="")),
        "ok_legal_basis": _flag(has_basis & ~blank_basis),
        "ok_materials": _flag(has_materials & ~blank_material),
        "ok_time_limit": _flag(
            Q(promised_days__isnull=False, statutory_days__isnull=False, promised_days__lte=F("statutory_days"))
        ),
        "ok_fee_standard": _flag(no_fees_needed | (Q(charges=True) & has_fees & ~unpriced_fee)),
        "ok_fee_basis": _flag(no_fees_needed | (Q(charges=True) & has_fees & ~baseless_fee)),
        "ok_window_authority": _flag(any_power),
    }
    any_rule = Q()
    for code in RULE_CODES:
        any_rule |= Q(**{rule_field(code): True})
    # 六制 where the center requires them (not one of the eight: `present` stays 0..8).
    annotations["ok_handling_rules"] = _flag(Q(center__require_handling_rules=False) | any_rule)
    queryset = queryset.annotate(**annotations)
    present = sum((Case(When(**{f"ok_{key}": True}, then=1), default=0) for key in KEYS), Value(0))
    return queryset.annotate(present=ExpressionWrapper(present, output_field=IntegerField()))


def report_queryset(center=None, department=None, missing=None, incomplete_only=False, live_only=False, scope=None):
    """The report's items; `scope` (portal.roles.EditorialScope) limits them to the editor's
    departments or centers, whatever the other filters ask for."""
    queryset = GuidePage.objects.all()
    if scope is not None:
        queryset = queryset.none() if scope.empty else queryset.filter(scope.item_q())
    if live_only:
        queryset = queryset.live()
    if center:
        queryset = queryset.filter(center__code=center)
    if department:
        queryset = queryset.filter(department__code=department)
    queryset = annotate_completeness(queryset)
    if missing in KEYS:
        queryset = queryset.filter(**{f"ok_{missing}": False})
    if incomplete_only:
        queryset = queryset.filter(Q(present__lt=len(KEYS)) | Q(ok_handling_rules=False))
    return queryset.select_related("center", "department").order_by(
        "center__sort_order", "department__code", "item_code"
    )


def summary(queryset):
    """Per center and department: items, complete items, and how many miss each disclosure."""
    aggregates = {"items": Count("pk"), "complete": Sum(Case(When(present=len(KEYS), then=1), default=0))}
    for key in KEYS:
        aggregates[f"missing_{key}"] = Sum(Case(When(**{f"ok_{key}": False}, then=1), default=0))
    rows = (
        queryset.order_by()
        .values("center__code", "center__name", "center__sort_order", "department__code", "department__name")
        .annotate(**aggregates)
        .order_by("center__sort_order", "department__code")
    )
    result = []
    for row in rows:
        row["missing"] = [row[f"missing_{key}"] or 0 for key in KEYS]
        row["complete"] = row["complete"] or 0
        row["incomplete"] = row["items"] - row["complete"]
        result.append(row)
    return result


def missing_labels(item):
    labels = [str(label) for key, label in DISCLOSURES if not getattr(item, f"ok_{key}")]
    if not getattr(item, "ok_handling_rules", True):
        labels.append(str(DISCLOSURE_LABELS["handling_rules"]))
    return labels


def write_csv(queryset, stream):
    """One row per item: center, department, code, name, present, missing disclosures."""
    writer = safe_csv_writer(stream)
    writer.writerow(["中心", "部门", "事项编码", "事项名称", "已公开项数", "缺失内容", "状态"])
    for item in queryset.iterator(chunk_size=500):
        writer.writerow(
            [
                item.center.name,
                item.department.name,
                item.item_code,
                item.title,
                item.present,
                "、".join(missing_labels(item)),
                "已发布" if item.live else "草稿",
            ]
        )
