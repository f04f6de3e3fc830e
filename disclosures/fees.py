"""The fee schedule (收费目录): fees in force on a day, each with its history, as rows and files.

Built from guides.FeeItem versions (one row per version of a fee code, with effective dates and
basis documents). Everything the page, the downloads and /api/fees/ show comes from
`schedule()`, so they always agree.
"""

import datetime
import io
import json
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from core.spreadsheets import append_row, safe_csv_writer
from guides.models import FeeBasis, FeeItem, GuideFee
from portal.models import Department, ServiceCenter


class FeeQueryError(ValueError):
    """Bad filter input (date, center, department): the message is shown to the visitor."""


@dataclass
class Filters:
    at: datetime.date
    center: ServiceCenter | None = None
    department: Department | None = None

    def as_query(self):
        query = {"at": self.at.isoformat()}
        if self.center:
            query["center"] = self.center.code
        if self.department:
            query["department"] = self.department.code
        return query


def parse_filters(params):
    """Filters from query parameters ?at=YYYY-MM-DD&center=CODE&department=CODE; FeeQueryError if bad."""
    raw_at = (params.get("at") or "").strip()
    if raw_at:
        try:
            at = datetime.date.fromisoformat(raw_at)
        except ValueError:
            raise FeeQueryError(
                _("日期“%(value)s”格式不正确，请按 年-月-日 填写，例如 2026-01-31。") % {"value": raw_at[:40]}
            )
    else:
        at = timezone.localdate()
    filters = Filters(at=at)
    center_code = (params.get("center") or "").strip().lower()
    if center_code:
        filters.center = ServiceCenter.objects.filter(code=center_code).first()
        if filters.center is None:
            raise FeeQueryError(_("没有编码为“%(code)s”的中心。") % {"code": center_code[:40]})
    department_code = (params.get("department") or "").strip().lower()
    if department_code:
        departments = Department.objects.filter(code=department_code).select_related("center")
        if filters.center:
            departments = departments.filter(center=filters.center)
        filters.department = departments.first()
        if filters.department is None:
            raise FeeQueryError(_("没有编码为“%(code)s”的部门。") % {"code": department_code[:40]})
    return filters


def _money(amount):
    return None if amount is None else f"{amount:.2f}"


def _basis(fee):
    return [
        {"title": b.title, "document_number": b.document_number, "issuer": b.issuer, "url": b.url}
        for b in fee.basis.all()
    ]


def _version(fee):
    return {
        "effective_from": fee.effective_from.isoformat(),
        "effective_to": fee.effective_to.isoformat() if fee.effective_to else None,
        "amount": _money(fee.amount),
        "formula": fee.formula,
        "unit": fee.unit,
        "price": fee.price_text,
        "basis": _basis(fee),
    }


def schedule(filters):
    """Fees in force on filters.at (filtered), each with its versions and the items charging it.

    Four queries whatever the number of fees: versions in force, all versions of those codes
    (with basis documents), and the items linking to any version.
    """
    in_force = FeeItem.objects.in_force(filters.at).select_related("department__center")
    if filters.department:
        in_force = in_force.filter(department=filters.department)
    elif filters.center:
        in_force = in_force.filter(department__center=filters.center)
    in_force = list(in_force.order_by("department__center__sort_order", "department__code", "code"))
    if not in_force:
        return []
    departments = {fee.department_id for fee in in_force}
    codes = {fee.code for fee in in_force}
    versions = defaultdict(list)
    all_versions = (
        FeeItem.objects.filter(department_id__in=departments, code__in=codes)
        .prefetch_related(Prefetch("basis", queryset=FeeBasis.objects.order_by("sort_order")))
        .order_by("-effective_from")
    )
    version_ids = {}
    for version in all_versions:
        versions[(version.department_id, version.code)].append(version)
        version_ids[version.pk] = (version.department_id, version.code)
    items = defaultdict(dict)
    links = (
        GuideFee.objects.filter(fee_item_id__in=version_ids, page__live=True)
        .select_related("page__center")
        .order_by("page__title")
    )
    for link in links:
        page = link.page
        items[version_ids[link.fee_item_id]][page.pk] = {
            "center": page.center.code,
            "item_code": page.item_code,
            "name": page.title,
            "url": page.url or "",
        }
    rows = []
    for fee in in_force:
        key = (fee.department_id, fee.code)
        history = versions.get(key, [])
        current = next((v for v in history if v.pk == fee.pk), fee)
        rows.append(
            {
                "code": fee.code,
                "name": fee.name,
                "center": fee.department.center.code,
                "center_name": fee.department.center.name,
                "department": fee.department.code,
                "department_name": fee.department.name,
                **_version(current),
                "notes": fee.notes,
                "history": [_version(v) for v in history],
                "items": list(items[key].values()),
            }
        )
    return rows


def as_json(filters, rows):
    """The /api/fees/ document."""
    return {
        "at": filters.at.isoformat(),
        "center": filters.center.code if filters.center else None,
        "department": filters.department.code if filters.department else None,
        "total": len(rows),
        "fees": rows,
    }


CSV_COLUMNS = [
    ("center", "中心编码"),
    ("center_name", "中心"),
    ("department", "部门编码"),
    ("department_name", "部门"),
    ("code", "收费编码"),
    ("name", "收费项目"),
    ("amount", "金额（元）"),
    ("formula", "计费方式"),
    ("unit", "计费单位"),
    ("effective_from", "执行起始日"),
    ("effective_to", "执行截止日"),
    ("basis", "收费依据"),
    ("history", "历次标准"),
]


def _flat(row):
    basis = "；".join(
        " ".join(part for part in (b["title"], b["document_number"] and f"（{b['document_number']}）") if part)
        for b in row["basis"]
    )
    history = "；".join(
        f"{v['effective_from']}–{v['effective_to'] or _('至今')} {v['price']}" for v in reversed(row["history"])
    )
    values = dict(row, basis=basis, history=history)
    return [values.get(key) if values.get(key) is not None else "" for key, _label in CSV_COLUMNS]


def to_csv(rows):
    """UTF-8 with a byte-order mark so spreadsheet programs show the Chinese correctly."""
    buffer = io.StringIO()
    writer = safe_csv_writer(buffer, lineterminator="\r\n")
    writer.writerow([_(label) for _key, label in CSV_COLUMNS])
    for row in rows:
        writer.writerow(_flat(row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(filters, rows):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("收费目录")
    append_row(sheet, [_(label) for _key, label in CSV_COLUMNS], font=Font(bold=True))
    for row in rows:
        values = _flat(row)
        amount_index = [key for key, _label in CSV_COLUMNS].index("amount")
        if values[amount_index] != "":
            values[amount_index] = float(values[amount_index])
        append_row(sheet, values)
    notes = workbook.create_sheet(_("说明"))
    append_row(notes, [_("执行日期"), filters.at.isoformat()])
    if filters.center:
        append_row(notes, [_("中心"), filters.center.name])
    if filters.department:
        append_row(notes, [_("部门"), filters.department.name])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_json_bytes(filters, rows):
    return json.dumps(as_json(filters, rows), ensure_ascii=False, indent=2).encode("utf-8")
