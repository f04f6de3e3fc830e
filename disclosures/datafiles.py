"""A bulletin's data files (CSV, XLSX, JSON), made from its frozen figures.

Every rate row carries the numerator and denominator it was computed from, so a reader can
recompute each figure; the files are derived from the frozen data on request, so they always
match the published page. The CSV is tidy (one observation per row, disclosures.opendata); the
XLSX has the tidy sheet first and the wide sheets after it.

All CSV and XLSX output of the bulletins and the series goes through `write_csv()` and
`write_xlsx()` here (one place to make spreadsheet-safe).
"""

import io
import json

from django.utils.translation import gettext as _

from core.spreadsheets import append_row, safe_csv_writer

from . import bulletin_tables as tables
from . import comparison, metrics, opendata


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"  # rates: two decimals, as shown on the page
    return value


def write_csv(header, rows):
    """UTF-8 CSV with a byte-order mark, so spreadsheet programs read the Chinese correctly."""
    buffer = io.StringIO()
    writer = safe_csv_writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(sheets):
    """A workbook from [(sheet name, header, rows)], headers in bold."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for name, header, rows in sheets:
        ws = workbook.create_sheet(name)
        append_row(ws, header, font=bold)
        for row in rows:
            append_row(ws, list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_csv(data, previous=None, last_year=None, level="", metric=""):
    """The tidy CSV of a bulletin (opendata.TIDY_FIELDS), optionally one level or metrics."""
    rows = opendata.filter_rows(opendata.tidy_rows(data, previous, last_year), level=level, metric=metric)
    return write_csv(opendata.TIDY_FIELDS, ([row[f] for f in opendata.TIDY_FIELDS] for row in rows))


def to_json(data):
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")


def _comparison_sheet(rows, with_department):
    header = [_("中心编码"), _("中心")] + ([_("部门编码"), _("部门")] if with_department else [])
    for _code, label in comparison.columns():
        header += [label, _("%(m)s分子") % {"m": label}, _("%(m)s分母") % {"m": label}, _("%(m)s排名") % {"m": label}]
    out = []
    for row in rows:
        values = [row["center"], row["center_name"]] + ([row["code"], row["name"]] if with_department else [])
        for code, _label in comparison.columns():
            cell = row["cells"][code]
            values += [cell["value"], cell["numerator"], cell["denominator"], cell["rank"]]
        out.append(values)
    return header, out


def to_xlsx(data, title="", previous=None, last_year=None):
    """整洁数据 (tidy, one observation per row) first; then the wide sheets: 概况 (summary with
    counts), 中心对比（宽表） (the whole city only), 部门（宽表）, 排名, 趋势 and 说明 (definitions)."""
    tidy = opendata.tidy_rows(data, previous, last_year)
    sheets = [(_("整洁数据"), opendata.TIDY_FIELDS, ([row[f] for f in opendata.TIDY_FIELDS] for row in tidy))]
    summary_rows = [
        [
            row["key"],
            row["label"],
            row["value"],
            row["numerator"],
            row["denominator"],
            "%" if row["is_rate"] else _("件"),
        ]
        for row in tables.summary_rows(data) + tables.extra_rows(data)
    ]
    sheets.append((_("概况"), [_("指标"), _("指标名称"), _("数值"), _("分子"), _("分母"), _("单位")], summary_rows))
    compared = comparison.tables(data, previous, last_year)
    if compared["centers"]:
        header, rows = _comparison_sheet(compared["centers"], with_department=False)
        sheets.append((_("中心对比（宽表）"), header, rows))
    header, rows = _comparison_sheet(compared["departments"], with_department=True)
    table = tables.department_table(data)
    by_key = {(d["raw"].get("center") or data.get("center"), d["code"]): d for d in table["rows"]}
    header += [label for _key, label, _kind in table["columns"]]
    for values, row in zip(rows, compared["departments"], strict=True):
        raw = (by_key.get(row["key"]) or {"raw": {}})["raw"]
        for key, _label, kind in table["columns"]:
            value = raw.get(key)
            if kind == "rate" and value is None:
                spec = next(c for c in tables.DEPARTMENT_COLUMNS if c[0] == key)
                value = tables.rate(raw.get(spec[3]), raw.get(spec[4]))
            values.append(value if kind == "rate" else (value or 0))
    sheets.append((_("部门（宽表）"), header, rows))
    ranking = [
        [entry.get("rank"), entry.get("center"), entry.get("name"), entry.get("completed")]
        for entry in data.get("ranking") or []
    ]
    sheets.append((_("排名"), [_("排名"), _("中心编码"), _("中心"), _("办结量")], ranking))
    trend = [
        [
            data.get("center"),
            data.get("center_name"),
            p["period"],
            p["received"],
            p["completed"],
            p["completed_on_time"],
            p["on_time_rate"],
        ]
        for p in tables.trend_rows(data)
    ]
    sheets.append(
        (
            _("趋势"),
            [_("中心编码"), _("中心"), _("月份"), _("受理量"), _("办结量"), _("按时办结数"), _("按时办结率")],
            trend,
        )
    )
    notes = [[_("通报"), title, "", ""]] if title else []
    notes += [[str(m.label), str(m.definition), str(m.formula), str(m.source)] for m in metrics.METRICS]
    notes += [[label, text, "", ""] for label, text in tables.definitions()]
    sheets.append((_("说明"), [_("指标"), _("定义"), _("公式"), _("来源")], notes))
    return write_xlsx(sheets)
