"""A bulletin's periods, names and public data: what the builder (bulletins.py), its
corrections (corrections.py) and open data (opendata.py) share, importing none of them."""

import calendar
import datetime
import re

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

ALL = "all"
PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")


class BulletinError(Exception):
    """Bad input for a bulletin build (period, center): a message fit to show the editor."""


def parse_period(value):
    """'2026-10' -> date(2026, 10, 1); a clear error for anything else."""
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    match = PERIOD_RE.match(str(value or "").strip())
    if not match:
        raise BulletinError(_("统计月份“%(value)s”格式不正确，应为 YYYY-MM，例如 2026-10。") % {"value": value})
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12) or year < 2000:
        raise BulletinError(_("统计月份“%(value)s”不存在。") % {"value": value})
    return datetime.date(year, month, 1)


def format_period(period):
    return f"{period.year:04d}-{period.month:02d}"


def period_label(period):
    """“2026年11月”; in English “November 2026” (the language's YEAR_MONTH_FORMAT)."""
    return date_format(period, "YEAR_MONTH_FORMAT")


def period_end(period):
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def previous_period(today=None):
    """The month before `today` (local date): what a scheduled build covers."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    return (first - datetime.timedelta(days=1)).replace(day=1)


def city_name():
    return _("全市")


def bulletin_title(center_name, period):
    return _("%(center)s%(period)s运行情况通报") % {"center": center_name, "period": period_label(period)}


def bulletin_slug(center_code, period):
    return f"{center_code}-{format_period(period)}"


def page_data(page):
    """The DESIGN.md JSON of a bulletin page from its frozen fields (plus overdue etc.)."""
    data = {
        "center": page.center.code if page.center_id else ALL,
        "center_name": page.center.name if page.center_id else city_name(),
        "period": format_period(page.period),
        "title": page.title,
        "counts": page.counts or {},
        "figures": page.figures or {},
        "ranking": page.ranking or [],
        "departments": page.departments or [],
    }
    for key, value in (page.extra or {}).items():
        data.setdefault(key, value)
    data["trend"] = page.trend or []
    data["has_cases"] = bool(data["counts"].get("received") or data["counts"].get("completed") or data.get("overdue"))
    return data


def data_urls(center_code, period, version=None):
    """Stable public URLs of a bulletin's data: JSON, PDF, CSV, XLSX, datapackage.json; with
    `version`, the URLs of that earlier version (kept after a correction)."""
    base = f"/api/bulletins/{center_code}/{format_period(period)}"
    if version:
        base = f"{base}/v{version}"
        return {fmt: f"{base}.{fmt}" for fmt in ("json", "pdf", "csv", "xlsx")} | {
            "datapackage": f"{base}/datapackage.json"
        }
    return {
        "json": f"{base}/",
        "pdf": f"{base}.pdf",
        "csv": f"{base}.csv",
        "xlsx": f"{base}.xlsx",
        "datapackage": f"{base}/datapackage.json",
    }


# --- Building ----------------------------------------------------------------------------------
