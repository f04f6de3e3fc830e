"""Comparison of centers (and departments within a center) on every rate, from a bulletin's
frozen data: numerator, denominator and value side by side, the rank on each rate, and the
change from last month (环比) and from the same month last year (同比) where those bulletins
were published.

Why from frozen data: the comparison must agree with the bulletin it is part of, in the page,
the PDF and the files, and with the earlier bulletins it is compared to; nothing is recomputed
from cases here. Ranks: highest rate first, ties share a rank, subjects without a rate (zero
denominator) are not ranked. Changes are in percentage points.
"""

from django.utils.translation import gettext as _

from . import metrics

ALL = "all"
SORT_NAME = "name"


def subjects(data):
    """(center rows, department rows) of a bulletin, each {"key", "center", "center_name",
    "code", "name", "subject"}. The whole city's bulletin compares its centers; a center's
    bulletin has no center rows. Departments carry their center."""
    centers = []
    for row in data.get("centers") or []:
        centers.append(
            {"key": (row.get("code"), ""), "center": row.get("code"), "center_name": row.get("name"), **_names(row)}
        )
    own_center = data.get("center") if data.get("center") != ALL else ""
    own_name = data.get("center_name") if own_center else ""
    departments = []
    for row in data.get("departments") or []:
        center = row.get("center") or own_center
        departments.append(
            {
                "key": (center, row.get("code")),
                "center": center,
                "center_name": row.get("center_name") or own_name,
                **_names(row),
            }
        )
    return centers, departments


def _names(row):
    return {"code": row.get("code") or "", "name": row.get("name") or row.get("code") or "", "subject": row}


def _rank(values):
    """Competition ranks (1, 2, 2, 4) of the non-None values, highest first."""
    ordered = sorted((v for v in values if v is not None), reverse=True)
    first = {}
    for position, value in enumerate(ordered, start=1):
        first.setdefault(value, position)
    return [first.get(v) if v is not None else None for v in values]


def _change(value, before):
    if value is None or before is None:
        return None
    return round(value - before, 2)


def build(rows, previous=(), last_year=(), group_by_center=False, metric_list=None):
    """Observations of every comparison metric for each row, with ranks and changes.

    `previous` / `last_year`: the same kind of rows from last month's / last year's bulletin.
    group_by_center: rank departments within their own center."""
    previous_by_key = {row["key"]: row["subject"] for row in previous}
    last_year_by_key = {row["key"]: row["subject"] for row in last_year}
    out = [{**row, "cells": {}} for row in rows]
    groups = {}
    for row in out:
        groups.setdefault(row["center"] if group_by_center else "", []).append(row)
    for metric in metric_list or metrics.COMPARE_METRICS:
        for row in out:
            numerator, denominator, value = metrics.observe(metric, row["subject"])
            before = previous_by_key.get(row["key"])
            year_before = last_year_by_key.get(row["key"])
            row["cells"][metric.code] = {
                "numerator": numerator,
                "denominator": denominator,
                "value": value,
                "mom": _change(value, metrics.observe(metric, before)[2]) if before else None,
                "yoy": _change(value, metrics.observe(metric, year_before)[2]) if year_before else None,
            }
        for members in groups.values():
            ranks = _rank([row["cells"][metric.code]["value"] for row in members])
            for row, rank in zip(members, ranks, strict=True):
                row["cells"][metric.code]["rank"] = rank
    return out


def parse_sort(value, order=""):
    """(column, descending) from ?sort=<metric code or name>&order=asc|desc. Metrics sort highest
    first and names A→Z by default; anything unknown keeps the listed order."""
    code = str(value or "").strip().lower()
    order = str(order or "").strip().lower()
    if code == SORT_NAME:
        return SORT_NAME, order == "desc"
    metric = metrics.get(code)
    if metric and metric.compare:
        return code, order != "asc"
    return "", False


def sort_rows(rows, column, descending):
    if not column:
        return list(rows)
    if column == SORT_NAME:
        return sorted(rows, key=lambda r: (r["center_name"] or "", r["name"]), reverse=descending)
    present = [r for r in rows if r["cells"][column]["value"] is not None]
    missing = [r for r in rows if r["cells"][column]["value"] is None]
    present.sort(key=lambda r: r["cells"][column]["value"], reverse=descending)
    return present + missing  # no rate: always last


def sort_links(column, descending, anchor=""):
    """For each sortable column, the query its header links to (a second click reverses it)."""
    links = {}
    for code in [SORT_NAME, *(m.code for m in metrics.COMPARE_METRICS)]:
        default_desc = code != SORT_NAME
        desc = (not descending) if code == column else default_desc
        links[code] = f"?sort={code}&order={'desc' if desc else 'asc'}{anchor}"
    return links


def columns():
    return [(m.code, str(m.label)) for m in metrics.COMPARE_METRICS]


def tables(data, previous=None, last_year=None, sort="", order=""):
    """The comparison tables of a bulletin for the page and the PDF."""
    centers, departments = subjects(data)
    prev_centers, prev_departments = subjects(previous) if previous else ([], [])
    ly_centers, ly_departments = subjects(last_year) if last_year else ([], [])
    column, descending = parse_sort(sort, order)
    center_rows = sort_rows(build(centers, prev_centers, ly_centers), column, descending)
    department_rows = build(departments, prev_departments, ly_departments, group_by_center=True)
    department_rows = sort_rows(department_rows, column, descending)
    if column and centers:
        # Keep departments grouped under their center (in the centers' order), sorted within it.
        order = {row["center"]: index for index, row in enumerate(center_rows)}
        department_rows.sort(key=lambda r: order.get(r["center"], len(order)))
    links = sort_links(column, descending, "#comparison")
    codes = [code for code, _label in columns()]
    for row in center_rows + department_rows:
        row["cell_list"] = [{"code": code, **row["cells"][code]} for code in codes]
    return {
        "columns": columns(),
        "header": [{"code": code, "label": label, "link": links[code]} for code, label in columns()],
        "name_link": links[SORT_NAME],
        "centers": center_rows,
        "departments": department_rows,
        "sort": column,
        "descending": descending,
        "has_previous": bool(previous),
        "has_last_year": bool(last_year),
        "note": _("排名按比率从高到低，并列者名次相同；分母为零的不参与排名。环比、同比为百分点变化。"),
    }


def format_change(value):
    if value is None:
        return ""
    return f"{value:+.2f}"
