"""Export the organisation (centers and departments) in the format `import_org` reads.

Columns: kind, code, name, parent, level and the optional center columns address, hours,
phone, sort_order, so that importing the file into an empty database gives the same centers
(with their order, which the bulletins' rankings use) and departments back.
"""

import io
import json

from core.spreadsheets import append_row, safe_csv_writer

from .models import Department, ServiceCenter

FORMATS = ("csv", "xlsx", "json")
COLUMNS = ["kind", "code", "name", "parent", "level", "sort_order", "address", "hours", "phone"]


def _ordered_centers():
    """Every center, each after its parent (import_org accepts any order; this reads better)."""
    centers = list(ServiceCenter.objects.select_related("parent").order_by("sort_order", "code"))
    placed, ordered = set(), []
    while len(ordered) < len(centers):
        progress = False
        for center in centers:
            if center.pk not in placed and (center.parent_id is None or center.parent_id in placed):
                ordered.append(center)
                placed.add(center.pk)
                progress = True
        if not progress:  # a cycle (the importer refuses those): keep the rest as they are
            ordered.extend(center for center in centers if center.pk not in placed)
            break
    return ordered


def org_records():
    """Yield one dict per center, then per department (codes, not labels)."""
    for center in _ordered_centers():
        yield {
            "kind": "center",
            "code": center.code,
            "name": center.name,
            "parent": center.parent.code if center.parent else "",
            "level": center.level,
            "sort_order": center.sort_order,
            "address": center.address,
            "hours": center.hours,
            "phone": center.phone,
        }
    departments = Department.objects.select_related("center").order_by("center__sort_order", "center__code", "code")
    for department in departments:
        yield {"kind": "department", "code": department.code, "name": department.name, "parent": department.center.code}


def export_org(fmt):
    """The organisation as bytes in `fmt` (csv, xlsx or json)."""
    records = list(org_records())
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")
    rows = [[record.get(column, "") for column in COLUMNS] for record in records]
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("组织机构")
        append_row(sheet, COLUMNS)
        for row in rows:
            append_row(sheet, row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    text = io.StringIO(newline="")
    writer = safe_csv_writer(text)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8-sig")
