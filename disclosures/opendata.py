"""Tidy open data of the bulletins: one observation per row, every row naming its center, and the
Frictionless Data Package (datapackage.json with a Table Schema) that describes the files.

An observation is one metric (disclosures.metrics) of one subject in one month: the whole city
(level "city", center_code "all"), a center (level "center") or a department within a center
(level "department"). Rows are ordered so that each metric's comparison reads top to bottom:
the bulletin's own total first, then the centers by rate (highest first), then each center's
departments by rate. `rank` is the rank among the centers, or among the departments of the same
center; the two changes are in percentage points for rates and in cases for counts.
"""

from django.utils.translation import gettext as _

from . import bulletin_data, comparison, metrics
from .models import BulletinPage
from .statistics import add_months

ALL = "all"
TIDY_FIELDS = [
    "period",
    "center_code",
    "center_name",
    "department_code",
    "department_name",
    "level",
    "metric",
    "metric_name",
    "numerator",
    "denominator",
    "value",
    "unit",
    "rank",
    "change_from_previous_month",
    "change_from_same_month_last_year",
]
LEVELS = ("city", "center", "department")


def _total_row(data):
    code = data.get("center") or ALL
    return {
        "key": (code, ""),
        "center": code,
        "center_name": data.get("center_name") or "",
        "code": "",
        "name": "",
        "subject": metrics.subject_from_bulletin(data),
    }


def _observations(rows, previous_rows, last_year_rows, level, period, group_by_center):
    built = comparison.build(
        rows, previous_rows, last_year_rows, group_by_center=group_by_center, metric_list=metrics.METRICS
    )
    center_order = {}
    for row in rows:  # the bulletin's order of centers (sort order), not alphabetical
        center_order.setdefault(row["center"], len(center_order))
    out = []
    for metric in metrics.METRICS:
        ordered = sorted(
            built,
            key=lambda r: (
                center_order[r["center"]] if group_by_center else 0,
                r["cells"][metric.code]["value"] is None,
                -(r["cells"][metric.code]["value"] or 0),
                r["name"],
            ),
        )
        for row in ordered:
            cell = row["cells"][metric.code]
            out.append(
                {
                    "period": period,
                    "center_code": row["center"],
                    "center_name": row["center_name"],
                    "department_code": row["code"] if level == "department" else "",
                    "department_name": row["name"] if level == "department" else "",
                    "level": level,
                    "metric": metric.code,
                    "metric_name": str(metric.label),
                    "numerator": cell["numerator"],
                    "denominator": cell["denominator"],
                    "value": cell["value"],
                    "unit": metric.unit,
                    "rank": cell["rank"] if level != "city" else None,
                    "change_from_previous_month": cell["mom"],
                    "change_from_same_month_last_year": cell["yoy"],
                }
            )
    if level == "department":  # per center, then per metric (the order above is per metric)
        order = {m.code: i for i, m in enumerate(metrics.METRICS)}
        out.sort(key=lambda r: (center_order[r["center_code"]], order[r["metric"]]))
    return out


def tidy_rows(data, previous=None, last_year=None):
    """Every observation of a bulletin as dicts with TIDY_FIELDS (see the module docstring)."""
    period = data.get("period") or ""
    total = _total_row(data)
    level = "city" if total["center"] == ALL else "center"
    rows = _observations(
        [total],
        [_total_row(previous)] if previous else [],
        [_total_row(last_year)] if last_year else [],
        level,
        period,
        False,
    )
    centers, departments = comparison.subjects(data)
    prev_centers, prev_departments = comparison.subjects(previous) if previous else ([], [])
    ly_centers, ly_departments = comparison.subjects(last_year) if last_year else ([], [])
    if centers:
        rows += _observations(centers, prev_centers, ly_centers, "center", period, False)
    rows += _observations(departments, prev_departments, ly_departments, "department", period, True)
    return rows


def filter_rows(rows, level="", metric=""):
    """Rows of one level and/or some metrics (comma-separated codes); unknown values match nothing."""
    wanted = {code.strip().lower() for code in str(metric or "").split(",") if code.strip()}
    level = str(level or "").strip().lower()
    return [r for r in rows if (not level or r["level"] == level) and (not wanted or r["metric"] in wanted)]


def neighbours(center_code, period):
    """The frozen data of the same center's published bulletins last month and a year earlier
    (None where there is none): what 环比 and 同比 compare with. One query."""
    wanted = {add_months(period, -1): "previous", add_months(period, -12): "last_year"}
    pages = BulletinPage.objects.live().filter(period__in=list(wanted)).select_related("center")
    pages = pages.filter(center__isnull=True) if center_code == ALL else pages.filter(center__code=center_code)
    found = {"previous": None, "last_year": None}
    for page in pages:
        found[wanted[page.period]] = bulletin_data.page_data(page)
    return found["previous"], found["last_year"]


# --- Table Schema and Data Package --------------------------------------------------------------


def _field(name, kind, title, description, **constraints):
    field = {"name": name, "type": kind, "title": title, "description": description}
    if constraints:
        field["constraints"] = constraints
    return field


def tidy_schema():
    """The Table Schema of the tidy CSV (bulletins and series share it)."""
    metric_codes = [m.code for m in metrics.METRICS]
    return {
        "fields": [
            _field("period", "yearmonth", _("统计月份"), _("YYYY-MM"), required=True),
            _field("center_code", "string", _("中心编码"), _("中心编码；all 表示全市"), required=True),
            _field("center_name", "string", _("中心名称"), _("中心名称；全市合计为“全市”"), required=True),
            _field("department_code", "string", _("部门编码"), _("部门编码；中心或全市合计为空")),
            _field("department_name", "string", _("部门名称"), _("部门名称；中心或全市合计为空")),
            _field("level", "string", _("层级"), _("city 全市、center 中心、department 部门"), enum=list(LEVELS)),
            _field("metric", "string", _("指标编码"), _("见数据字典"), required=True, enum=metric_codes),
            _field("metric_name", "string", _("指标名称"), _("指标的中文名称")),
            _field("numerator", "integer", _("分子"), _("比率的分子（计数指标为空）"), minimum=0),
            _field("denominator", "integer", _("分母"), _("比率的分母（计数指标为空）"), minimum=0),
            _field(
                "value",
                "number",
                _("数值"),
                _("比率为百分比（两位小数），计数为件数；分母为零时为空"),
                minimum=0,
            ),
            _field("unit", "string", _("单位"), _("% 或 件"), enum=sorted({m.unit for m in metrics.METRICS})),
            _field("rank", "integer", _("排名"), _("在各中心中（部门：在本中心各部门中）的名次，从高到低"), minimum=1),
            _field("change_from_previous_month", "number", _("环比变化"), _("与上月相比：比率为百分点，计数为件")),
            _field(
                "change_from_same_month_last_year", "number", _("同比变化"), _("与上年同月相比：比率为百分点，计数为件")
            ),
        ],
        "missingValues": [""],
    }


def resource(name, title, url, description=""):
    return {
        "name": name,
        "title": title,
        "description": description,
        "path": url,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8-sig",
        "profile": "tabular-data-resource",
        "schema": tidy_schema(),
    }


def package(name, title, resources, homepage="", version="", description=""):
    """A Frictionless Data Package descriptor (datapackage.json)."""
    descriptor = {
        "profile": "tabular-data-package",
        "name": name,
        "title": title,
        "description": description,
        "resources": resources,
    }
    if homepage:
        descriptor["homepage"] = homepage
    if version:
        descriptor["version"] = version
    return descriptor
