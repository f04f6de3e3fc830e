"""The fee items (收费项目) of a catalog file: read, checked against the editor's scope, saved."""

from django.utils import timezone
from django.utils.translation import gettext as _

from core.tabular import (
    as_text,
    parse_date,
    parse_decimal,
)
from portal import codes
from portal.roles import scope_for

from ..models import (
    FeeBasis,
    FeeItem,
)
from .lookups import fee_in_force

FEE_KEYS = {
    "center": ["所属中心", "中心"],
    "department": ["收费部门", "部门"],
    "code": ["收费编码"],
    "name": ["收费项目名称", "名称"],
    "amount": ["金额"],
    "formula": ["计费方式"],
    "unit": ["计费单位"],
    "effective_from": ["执行起始日"],
    "effective_to": ["执行截止日"],
    "notes": ["备注"],
    "basis": ["收费依据"],
}


def read_fee_items(entries, lookups, problems, may_edit=None):
    """Parse `fee_items` of a JSON file; returns [(department, values, basis list)].

    `may_edit(department)` (when given) says whether the importing user may maintain that
    department's fee items; an entry for any other department is refused.
    """
    if entries is None:
        return []
    if not isinstance(entries, list):
        problems.add(0, "fee_items", _("应为数组"))
        return []
    spellings = {}
    for key, others in FEE_KEYS.items():
        spellings[key] = key
        for other in others:
            spellings[other] = key
    result, seen = [], set()
    for number, entry in enumerate(entries, start=1):
        where = _("fee_items 第 %(n)s 条") % {"n": number}
        if not isinstance(entry, dict):
            problems.add(0, where, _("每一条应为 JSON 对象"))
            continue
        data = {}
        for key, value in entry.items():
            canonical = spellings.get(str(key).strip())
            if canonical is None:
                problems.add(0, f"{where}.{key}", _("未知的字段"))
            else:
                data[canonical] = value
        center = lookups.centers.get(codes.org_code(data.get("center")))
        if center is None:
            problems.add(0, f"{where}.center", _("中心 %(code)s 不存在") % {"code": as_text(data.get("center"))})
            continue
        department = lookups.departments.get((center.pk, codes.org_code(data.get("department"))))
        if department is None:
            problems.add(
                0,
                f"{where}.department",
                _("部门 %(code)s 不属于中心 %(center)s")
                % {"code": as_text(data.get("department")), "center": center.code},
            )
            continue
        if may_edit is not None and not may_edit(department):
            problems.add(
                0,
                f"{where}.department",
                _("您没有维护“%(center)s / %(department)s”收费项目的权限")
                % {"center": center.name, "department": department.name},
            )
            continue
        values = {"code": as_text(data.get("code")), "name": as_text(data.get("name"))}
        for key in ("code", "name"):
            if not values[key]:
                problems.add(0, f"{where}.{key}", _("不能为空"))
        values["amount"], error = parse_decimal(data.get("amount"), minimum=0)
        if error:
            problems.add(0, f"{where}.amount", error)
        values["formula"] = as_text(data.get("formula"))
        values["unit"] = as_text(data.get("unit"))
        values["notes"] = as_text(data.get("notes"))
        if values["amount"] is None and not values["formula"] and not error:
            problems.add(0, f"{where}.amount", _("请填写金额或计费方式"))
        values["effective_from"], error = parse_date(data.get("effective_from"))
        if error or values["effective_from"] is None:
            problems.add(0, f"{where}.effective_from", error or _("不能为空"))
        values["effective_to"], error = parse_date(data.get("effective_to"))
        if error:
            problems.add(0, f"{where}.effective_to", error)
        elif values["effective_to"] and values["effective_from"] and values["effective_to"] < values["effective_from"]:
            problems.add(0, f"{where}.effective_to", _("执行截止日不能早于起始日"))
        basis = []
        raw_basis = data.get("basis") or []
        if not isinstance(raw_basis, list):
            raw_basis = []
            problems.add(0, f"{where}.basis", _("应为数组"))
        for position, item in enumerate(raw_basis, start=1):
            item = item if isinstance(item, dict) else {"title": item}
            title = as_text(item.get("title") or item.get("文件名称"))
            if not title:
                problems.add(0, f"{where}.basis", _("第 %(n)s 项收费依据没有文件名称") % {"n": position})
            basis.append(
                {
                    "title": title,
                    "document_number": as_text(item.get("document_number") or item.get("文号")),
                    "issuer": as_text(item.get("issuer") or item.get("发文机关")),
                    "url": as_text(item.get("url") or item.get("链接")),
                }
            )
        key = (department.pk, values["code"], values["effective_from"])
        if key in seen:
            problems.add(0, where, _("同一收费项目版本（部门、编码、执行起始日）重复出现"))
        seen.add(key)
        result.append((department, values, basis))
    return result


def fee_scope(user):
    """Which departments' fee items the user may maintain (as in the admin: portal.roles);
    None when there is no limit (the command line, a superuser)."""
    if user is None or user.is_superuser:
        return None
    return scope_for(user).covers_department


def fee_definitions_in_lookups(definitions, lookups):
    """Let items refer to fee items defined in the file (unsaved, basis in memory)."""
    today = timezone.localdate()
    for department, values, basis in definitions:
        fee = FeeItem(department=department, **values)
        fee.basis = [FeeBasis(sort_order=i, **b) for i, b in enumerate(basis)]
        key = (department.center_id, values["code"])
        current = lookups.fees.get(key)
        if current is None or fee_in_force(fee, today) or not fee_in_force(current, today):
            lookups.fees[key] = fee


def save_fee_items(definitions):
    """Create or update fee versions by (department, code, effective_from); returns how many changed."""
    changed = 0
    for department, values, basis in definitions:
        fee = FeeItem.all_versions.filter(
            department=department, code=values["code"], effective_from=values["effective_from"]
        ).first()
        old_basis = []
        if fee is not None:
            old_basis = [
                {"title": b.title, "document_number": b.document_number, "issuer": b.issuer, "url": b.url}
                for b in fee.basis.all()
            ]
            same = all(getattr(fee, key) == value for key, value in values.items())
            if same and old_basis == basis:
                continue
        fee = fee or FeeItem(department=department)
        for key, value in values.items():
            setattr(fee, key, value)
        fee.basis = [FeeBasis(sort_order=i, **b) for i, b in enumerate(basis)]
        fee.live = True  # only users who may publish fee items get here (import_catalog)
        fee.save()
        changed += 1
    return changed


# --- records and pages ---
