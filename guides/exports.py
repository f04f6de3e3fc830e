"""Export the catalog as CSV, XLSX or JSON in the format the importer reads (lossless round trip).

CSV and XLSX use the Chinese headers and labels editors know, nested parts in the "|" line
syntax (or a JSON array when a value would not survive it); JSON uses the English keys and
codes, nested parts as arrays, and carries the fee items (with their basis) the items link to.
"""

import io
import json

from django.db.models import Prefetch

from core.spreadsheets import append_row, safe_csv_writer

from .catalog_format import CHINESE, COLUMNS, NESTED, page_record
from .models import FeeItem, GuideFee, GuidePage

FORMATS = ("csv", "xlsx", "json")
CHOICE_LABELS = {}


def _labels():
    if not CHOICE_LABELS:
        from .catalog_format import CHOICE_FIELDS

        for name, choices in CHOICE_FIELDS.items():
            CHOICE_LABELS[name] = {code: str(label) for code, label in choices}
        for part, fields in NESTED.items():
            for key, _chinese, kind, _default in fields:
                if isinstance(kind, list):
                    CHOICE_LABELS[f"{part}.{key}"] = {code: str(label) for code, label in kind}
    return CHOICE_LABELS


def catalog_pages(center=None):
    """Every item (latest published content) with its parts, in a fixed number of queries."""
    queryset = GuidePage.objects.all()
    if center is not None:
        queryset = queryset.filter(center=center)
    return (
        queryset.select_related("center", "department")
        .prefetch_related(
            "steps",
            "legal_basis",
            "materials",
            "themes",
            Prefetch("fees", queryset=GuideFee.objects.select_related("fee_item")),
        )
        .order_by("center__sort_order", "center__code", "item_code")
    )


def catalog_records(center=None, chunk_size=1000):
    pages = catalog_pages(center)
    for page in pages.iterator(chunk_size=chunk_size):
        yield page, page_record(page)


def fee_records(center=None):
    """Every version of every fee item of the center(s), with its basis, for the JSON format."""
    fees = FeeItem.objects.select_related("department__center").prefetch_related("basis")
    if center is not None:
        fees = fees.filter(department__center=center)
    for fee in fees.order_by("department__center__code", "code", "effective_from"):
        yield {
            "center": fee.department.center.code,
            "department": fee.department.code,
            "code": fee.code,
            "name": fee.name,
            "amount": None if fee.amount is None else f"{fee.amount:f}",
            "formula": fee.formula,
            "unit": fee.unit,
            "effective_from": fee.effective_from.isoformat(),
            "effective_to": fee.effective_to.isoformat() if fee.effective_to else None,
            "notes": fee.notes,
            "basis": [
                {"title": b.title, "document_number": b.document_number, "issuer": b.issuer, "url": b.url}
                for b in sorted(fee.basis.all(), key=lambda b: b.sort_order or 0)
            ],
        }


def fee_basis_text(page):
    """Disclosure 7 as text for CSV/XLSX readers (informational; the importer ignores it)."""
    parts = []
    for link in page.fees.all():
        fee = link.fee_item
        titles = "；".join(str(basis) for basis in fee.basis.all())
        parts.append(f"{fee.code}：{titles}" if titles else fee.code)
    return "\n".join(parts)


# --- cells for CSV/XLSX ---


def _line_safe(value):
    text = "" if value is None else str(value)
    return "|" not in text and "\n" not in text and "\r" not in text


def nested_cell(part, entries):
    """Entries as "|" lines, or as a JSON array when a value contains "|" or a line break."""
    if not entries:
        return ""
    fields = NESTED[part]
    labels = _labels()
    lines = []
    for entry in entries:
        values = []
        for key, _chinese, kind, _default in fields:
            value = entry.get(key)
            if isinstance(kind, list):
                value = labels[f"{part}.{key}"].get(value, value)
            values.append("" if value is None else str(value))
        while values and values[-1] == "":
            values.pop()
        line = "|".join(values)
        if not line or not all(_line_safe(v) for v in values) or line.lstrip().startswith("["):
            return json.dumps(entries, ensure_ascii=False)
        lines.append(line)
    return "\n".join(lines)


def record_cells(record, page=None):
    """A record as {canonical: cell text} for CSV/XLSX."""
    labels = _labels()
    cells = {}
    for name, _chinese, _others in COLUMNS:
        if name == "fee_basis":
            cells[name] = fee_basis_text(page) if page is not None else ""
            continue
        value = record.get(name)
        if name in NESTED:
            cells[name] = nested_cell(name, value or [])
        elif name in ("themes", "fees", "window_authority", "handling_rules"):
            cells[name] = ",".join(value or [])
        elif name in labels:
            cells[name] = labels[name].get(value, value or "")
        elif isinstance(value, bool):
            cells[name] = "是" if value else "否"
        elif value is None:
            cells[name] = ""
        elif hasattr(value, "isoformat"):
            cells[name] = value.isoformat()
        else:
            cells[name] = str(value)
    return cells


def json_record(record):
    result = {}
    for name, _chinese, _others in COLUMNS:
        if name == "fee_basis":
            continue
        value = record.get(name)
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        result[name] = value
    return result


def export_catalog(fmt, *, center=None, output=None):
    """Write the catalog (optionally one center's) in `fmt`; returns the bytes when no output given."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt}")
    buffer = output if output is not None else io.BytesIO()
    headers = [CHINESE[name] for name, _c, _o in COLUMNS]
    if fmt == "csv":
        text = io.TextIOWrapper(buffer, encoding="utf-8-sig", newline="", write_through=True)
        writer = safe_csv_writer(text)
        writer.writerow(headers)
        for page, record in catalog_records(center):
            cells = record_cells(record, page)
            writer.writerow([cells[name] for name, _c, _o in COLUMNS])
        text.flush()
        text.detach()
    elif fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("事项")
        append_row(sheet, headers)
        for page, record in catalog_records(center):
            cells = record_cells(record, page)
            # every cell is text, so codes like "0012" and dates keep their spelling
            append_row(sheet, ["" if cells[name] is None else str(cells[name]) for name, _c, _o in COLUMNS])
        workbook.save(buffer)
    else:
        document = {
            "format": "gongkai-catalog",
            "version": 1,
            "fee_items": list(fee_records(center)),
            "items": [json_record(record) for _page, record in catalog_records(center)],
        }
        buffer.write(json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8"))
    if output is None:
        return buffer.getvalue()
    return None
