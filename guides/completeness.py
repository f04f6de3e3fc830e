"""Disclosure completeness: which of the eight disclosures (八公开) an item has, present and valid.

Works on prefetched children (see `guides.queries.items_for_display`) so a list of items costs
a fixed number of queries.
"""

from django.utils.translation import gettext_lazy as _

DISCLOSURES = [
    ("name", _("项目名称")),
    ("procedure", _("办理程序")),
    ("legal_basis", _("设立依据")),
    ("materials", _("申报材料")),
    ("time_limit", _("承诺时限")),
    ("fee_standard", _("收费标准")),
    ("fee_basis", _("收费依据")),
    ("window_authority", _("窗口权限")),
]
DISCLOSURE_LABELS = dict(DISCLOSURES)
# Not one of the eight, but counted as missing where the item's center requires it.
DISCLOSURE_LABELS["handling_rules"] = _("六制")


def disclosure_checks(item):
    """{key: bool} for each of the eight disclosures, in order."""
    steps = list(item.steps.all())
    legal_basis = list(item.legal_basis.all())
    materials = list(item.materials.all())
    fees = [link.fee_item for link in item.fees.all()]
    return {
        "name": bool(item.title and item.item_code and item.department_id and item.center_id and item.item_type),
        "procedure": bool((steps or item.acceptance_conditions) and item.handling_type),
        "legal_basis": bool(legal_basis) and all(basis.title.strip() for basis in legal_basis),
        "materials": bool(materials) and all(material.name.strip() for material in materials),
        "time_limit": item.promised_days is not None
        and item.statutory_days is not None
        and item.promised_days <= item.statutory_days,
        "fee_standard": (not item.charges and not fees)
        or (item.charges and bool(fees) and all(fee.amount is not None or fee.formula for fee in fees)),
        "fee_basis": (not item.charges and not fees)
        or (item.charges and bool(fees) and all(_has_basis(fee) for fee in fees)),
        "window_authority": any(item.window_authority.values()),
    }


def _has_basis(fee):
    return bool(list(fee.basis.all()))


def rules_required(item):
    return bool(getattr(item.center, "require_handling_rules", False)) if item.center_id else False


def completeness(item):
    """Which of the eight are present; `missing` also names "handling_rules" (六制) when the
    item's center requires them and none is marked, so the item is not `complete`."""
    checks = disclosure_checks(item)
    missing = [key for key, ok in checks.items() if not ok]
    present = len(checks) - len(missing)
    if rules_required(item):
        checks["handling_rules"] = bool(item.handling_rules)
        if not checks["handling_rules"]:
            missing.append("handling_rules")
    return {
        "present": present,
        "missing": missing,
        "missing_labels": [str(DISCLOSURE_LABELS[key]) for key in missing],
        "checks": checks,
        "complete": not missing,
    }
