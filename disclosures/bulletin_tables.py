"""One table model of a bulletin's frozen data, shared by the page, the PDF and the data files.

Why: the web page, the PDF, the CSV and the XLSX must show the same numbers with the same counts
behind every rate, so they all read the rows built here from the frozen JSON (the DESIGN.md shape
of /api/bulletins/<center>/<YYYY-MM>/ plus overdue, complaints, satisfaction and trend).
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

POWER_LABELS = {
    "accept": "受理权",
    "review": "审核权",
    "coordinate": "协调处置权",
    "deliver": "办理结果送达权",
    "litigate": "应诉代理权",
    "certify": "制证权",
    "approve": "审批权",
}
POWER_CODES = list(POWER_LABELS)


def rate(numerator, denominator):
    """Percentage rounded half-up to two decimals, as disclosures.statistics does; None when the
    denominator is zero (DESIGN.md)."""
    if not denominator:
        return None
    value = (Decimal(numerator or 0) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return float(value)


def format_rate(value):
    """'76.77%' for a rate, '—' when it has no denominator."""
    if value is None:
        return "—"
    return f"{float(value):.2f}%"


def _number(value):
    if isinstance(value, dict):
        for key in ("count", "total", "n"):
            if key in value:
                return value[key] or 0
        return 0
    return value or 0


def definitions():
    """Every figure's definition, worded as in DESIGN.md."""
    return [
        (_("受理量"), _("统计月份内受理的办件数。")),
        (_("办结量"), _("统计月份内办结的办件数。")),
        (_("按时办结率"), _("在承诺办结时限（工作日）内办结的办件数 ÷ 办结量。")),
        (_("即办率"), _("受理当日办结的办件数 ÷ 办结量。")),
        (_("进驻率"), _("实进事项数 ÷ 应进事项数。")),
        (_("授权率"), _("窗口拥有该项权限（七项窗口权限之一）的实进事项数 ÷ 实进事项数。")),
        (_("中心排名"), _("按统计月份办结量从高到低排列各中心。")),
        (_("超期件"), _("办结时超过承诺办结时限，或至月末仍未办结且已超过承诺时限的办件。")),
        (pgettext("统计指标", "投诉"), _("统计月份内标记为投诉的办件数，加上通过本站“咨询投诉”受理的投诉件数。")),
        (_("满意度"), _("好评数 ÷ 有评价的办件数（好评、中评、差评之和）。")),
        (_("投诉办结率"), _("统计月份内受理的投诉件中，至月末已办结的件数 ÷ 投诉件数。")),
        (
            _("比率对比与排名"),
            _("各中心（及各中心内的部门）按每项比率从高到低排名；环比、同比为与上月、上年同月相比的百分点变化。"),
        ),
        (
            _("计算说明"),
            _("比率均由计数计算，以百分比表示并保留两位小数；分母为零时不计算比率（显示为“—”）。"),
        ),
    ]


def _row(key, label, value=None, numerator=None, denominator=None, is_rate=False):
    return {
        "key": key,
        "label": label,
        "value": value,
        "display": format_rate(value) if is_rate else str(_number(value)),
        "numerator": numerator,
        "denominator": denominator,
        "is_rate": is_rate,
    }


def summary_rows(data):
    """Key figures with the counts each was computed from."""
    counts = data.get("counts") or {}
    figures = data.get("figures") or {}
    completed = counts.get("completed") or 0
    entered = counts.get("entered") or 0
    rows = [
        _row("received", _("受理量"), counts.get("received") or 0),
        _row("completed", _("办结量"), completed),
        _row(
            "on_time_rate",
            _("按时办结率"),
            figures.get("on_time_rate"),
            counts.get("completed_on_time") or 0,
            completed,
            is_rate=True,
        ),
        _row(
            "same_day_rate",
            _("即办率"),
            figures.get("same_day_rate"),
            counts.get("completed_same_day") or 0,
            completed,
            is_rate=True,
        ),
        _row(
            "entry_rate",
            _("进驻率"),
            figures.get("entry_rate"),
            entered,
            counts.get("should_enter") or 0,
            is_rate=True,
        ),
    ]
    authorized = counts.get("authorized") or {}
    auth_rates = figures.get("authorization_rates") or {}
    for code in POWER_CODES:
        rows.append(
            _row(
                f"authorization_rate_{code}",
                _("授权率：%(power)s") % {"power": _(POWER_LABELS[code])},
                auth_rates.get(code),
                authorized.get(code) or 0,
                entered,
                is_rate=True,
            )
        )
    return rows


def extra_rows(data):
    """Overdue cases, complaints and satisfaction, whatever detail the statistics gave."""
    rows = []
    overdue = data.get("overdue")
    if overdue is not None:
        rows.append(_row("overdue", _("超期件"), _number(overdue)))
        detail = data.get("overdue_detail") or {}
        if "completed_late" in detail:
            rows.append(_row("overdue_completed_late", _("超期件：超时办结"), detail["completed_late"]))
        if "open_past_due" in detail:
            rows.append(_row("overdue_open_past_due", _("超期件：月末未办结且已超期"), detail["open_past_due"]))
    complaints = data.get("complaints")
    if complaints is not None:
        rows.append(_row("complaints", pgettext("统计指标", "投诉"), _number(complaints)))
        detail = data.get("complaints_detail") or {}
        for key, label in (
            ("received", _("投诉：网上受理")),
            ("cases", _("投诉：办件系统登记")),
            ("answered", _("投诉：本月答复")),
            ("overdue", _("投诉：超期未答复或超期答复")),
        ):
            if key in detail:
                rows.append(_row(f"complaints_{key}", label, detail[key]))
    satisfaction = data.get("satisfaction")
    if isinstance(satisfaction, dict):
        good = satisfaction.get("good") or 0
        neutral = satisfaction.get("neutral") or 0
        bad = satisfaction.get("bad") or 0
        rated = satisfaction.get("rated")
        if rated is None:
            rated = good + neutral + bad
        value = satisfaction.get("rate", rate(good, rated))
        rows.append(_row("satisfaction_good", _("好评"), good))
        rows.append(_row("satisfaction_neutral", _("中评"), neutral))
        rows.append(_row("satisfaction_bad", _("差评"), bad))
        rows.append(_row("satisfaction_rate", _("满意度"), value, good, rated, is_rate=True))
    return rows


DEPARTMENT_COLUMNS = [
    # key, label, kind (count | rate), numerator key, denominator key
    ("received", "受理量", "count", None, None),
    ("completed", "办结量", "count", None, None),
    ("completed_on_time", "按时办结数", "count", None, None),
    ("on_time_rate", "按时办结率", "rate", "completed_on_time", "completed"),
    ("completed_same_day", "当日办结数", "count", None, None),
    ("same_day_rate", "即办率", "rate", "completed_same_day", "completed"),
    ("overdue", "超期件", "count", None, None),
    ("complaints", "投诉", "count", None, None),
    ("complaints_answered", "投诉答复", "count", None, None),
    ("complaints_overdue", "投诉超期", "count", None, None),
    ("should_enter", "应进事项", "count", None, None),
    ("entered", "实进事项", "count", None, None),
    ("entry_rate", "进驻率", "rate", "entered", "should_enter"),
]


def department_table(data):
    """Per-department rows; columns present in the data only, rates recomputable from counts."""
    departments = list(data.get("departments") or [])
    columns = [c for c in DEPARTMENT_COLUMNS if any(c[0] in d for d in departments)]
    # A rate can always be shown when its counts are there.
    for column in DEPARTMENT_COLUMNS:
        if column[2] == "rate" and column not in columns and all(column[3] in d for d in departments) and departments:
            columns.append(column)
    columns.sort(key=DEPARTMENT_COLUMNS.index)
    rows = []
    for department in departments:
        cells = []
        for key, _label, kind, numerator, denominator in columns:
            if kind == "rate":
                value = department.get(key)
                if value is None and numerator:
                    value = rate(department.get(numerator), department.get(denominator))
                cells.append(format_rate(value))
            else:
                cells.append(str(_number(department.get(key))))
        rows.append(
            {
                "code": department.get("code") or department.get("department") or "",
                "name": department.get("name") or department.get("code") or "",
                "center": department.get("center_name") or department.get("center") or "",
                "cells": cells,
                "raw": department,
            }
        )
    return {"columns": [(key, _(label), kind) for key, label, kind, _n, _d in columns], "rows": rows}


def trend_rows(data):
    """The 12-month trend as {"period", "received", "completed", "on_time_rate"} rows, oldest first."""
    rows = []
    for point in data.get("trend") or []:
        completed = point.get("completed") or 0
        on_time = point.get("completed_on_time")
        value = point.get("on_time_rate")
        if value is None and on_time is not None:
            value = rate(on_time, completed)
        rows.append(
            {
                "period": point.get("period", ""),
                "received": point.get("received") or 0,
                "completed": completed,
                "completed_on_time": on_time,
                "on_time_rate": value,
                "on_time_display": format_rate(value),
            }
        )
    return rows


def is_empty(data):
    """True when the month had no cases at all (the bulletin says so instead of showing 0/0)."""
    if "has_cases" in data:
        return not data["has_cases"]
    counts = data.get("counts") or {}
    return not (counts.get("received") or counts.get("completed"))
