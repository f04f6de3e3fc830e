"""A bulletin's data files (CSV, XLSX, JSON), made from its frozen figures.

Every rate row carries the numerator and denominator it was computed from, so a reader can
recompute each figure; the files are derived from the frozen data on request, so they always
match the published page.
"""

import io
import json

from django.utils.translation import gettext as _

from portal.spreadsheets import append_row, safe_csv_writer

from . import bulletin_tables as tables

CSV_HEADER = ["section", "subject_code", "subject", "indicator", "indicator_name", "value", "numerator", "denominator"]


def long_rows(data):
    """All figures as flat rows (CSV_HEADER order): summary, departments, ranking, trend."""
    center = data.get("center", "")
    name = data.get("center_name") or center
    out = []
    for row in tables.summary_rows(data) + tables.extra_rows(data):
        out.append(
            ["summary", center, name, row["key"], row["label"], row["value"], row["numerator"], row["denominator"]]
        )
    table = tables.department_table(data)
    for dept in table["rows"]:
        raw = dept["raw"]
        for key, label, kind in table["columns"]:
            spec = next(c for c in tables.DEPARTMENT_COLUMNS if c[0] == key)
            if kind == "rate":
                numerator, denominator = raw.get(spec[3]), raw.get(spec[4])
                value = raw.get(key)
                if value is None:
                    value = tables.rate(numerator, denominator)
                out.append(["department", dept["code"], dept["name"], key, label, value, numerator, denominator])
            else:
                out.append(["department", dept["code"], dept["name"], key, label, raw.get(key) or 0, None, None])
    for entry in data.get("ranking") or []:
        out.append(
            [
                "ranking",
                entry.get("center"),
                entry.get("name"),
                "completed",
                _("办结量"),
                entry.get("completed"),
                None,
                None,
            ]
        )
        out.append(
            ["ranking", entry.get("center"), entry.get("name"), "rank", _("排名"), entry.get("rank"), None, None]
        )
    for point in tables.trend_rows(data):
        period = point["period"]
        out.append(["trend", period, period, "received", _("受理量"), point["received"], None, None])
        out.append(["trend", period, period, "completed", _("办结量"), point["completed"], None, None])
        if point["completed_on_time"] is not None or point["on_time_rate"] is not None:
            out.append(
                [
                    "trend",
                    period,
                    period,
                    "on_time_rate",
                    _("按时办结率"),
                    point["on_time_rate"],
                    point["completed_on_time"],
                    point["completed"],
                ]
            )
    return out


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"  # rates: two decimals, as shown on the page
    return value


def to_csv(data):
    """UTF-8 CSV with a byte-order mark, so spreadsheet programs read the Chinese correctly."""
    buffer = io.StringIO()
    writer = safe_csv_writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in long_rows(data):
        writer.writerow([_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_json(data):
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")


def to_xlsx(data, title=""):
    """A workbook: 概况 (summary with counts), 部门, 排名, 趋势 and 说明 (definitions)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def sheet(name, header):
        ws = workbook.create_sheet(name)
        append_row(ws, header, font=bold)
        return ws

    summary = sheet(_("概况"), [_("指标"), _("指标名称"), _("数值"), _("分子"), _("分母"), _("单位")])
    for row in tables.summary_rows(data) + tables.extra_rows(data):
        append_row(
            summary,
            [
                row["key"],
                row["label"],
                row["value"],
                row["numerator"],
                row["denominator"],
                "%" if row["is_rate"] else _("件"),
            ],
        )

    table = tables.department_table(data)
    departments = sheet(_("部门"), [_("部门编码"), _("部门")] + [label for _key, label, _kind in table["columns"]])
    for dept in table["rows"]:
        raw = dept["raw"]
        values = []
        for key, _label, kind in table["columns"]:
            value = raw.get(key)
            if kind == "rate" and value is None:
                spec = next(c for c in tables.DEPARTMENT_COLUMNS if c[0] == key)
                value = tables.rate(raw.get(spec[3]), raw.get(spec[4]))
            values.append(value if kind == "rate" else (value or 0))
        append_row(departments, [dept["code"], dept["name"], *values])

    ranking = sheet(_("排名"), [_("排名"), _("中心编码"), _("中心"), _("办结量")])
    for entry in data.get("ranking") or []:
        append_row(ranking, [entry.get("rank"), entry.get("center"), entry.get("name"), entry.get("completed")])

    trend = sheet(_("趋势"), [_("月份"), _("受理量"), _("办结量"), _("按时办结数"), _("按时办结率")])
    for point in tables.trend_rows(data):
        append_row(
            trend,
            [point["period"], point["received"], point["completed"], point["completed_on_time"], point["on_time_rate"]],
        )

    notes = sheet(_("说明"), [_("指标"), _("定义")])
    if title:
        append_row(notes, [_("通报"), title])
    for label, text in tables.definitions():
        append_row(notes, [label, text])

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
