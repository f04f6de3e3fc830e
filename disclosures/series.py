"""Time series of a bulletin metric for the whole city, a center or a department of a center,
read from the published bulletins (never recomputed from cases, so a series agrees with the
bulletins it cites).

For each month, a center's figures come from its own published bulletin when there is one, else
from its row in the whole city's bulletin of that month; a department's from the same bulletins'
department rows. Months without a published bulletin are listed as missing, not invented.
Changes: 环比 against the previous month and 同比 against the same month a year earlier (percentage
points for rates, cases for counts), where those months are published. Two queries.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from . import metrics
from .statistics import StatisticsError, add_months, parse_period

ALL = "all"
MAX_MONTHS = 120
DEFAULT_MONTHS = 12


class SeriesError(ValueError):
    """A bad query; the message is fit for the public (Chinese)."""


@dataclass
class Query:
    center: object  # ServiceCenter or None (the whole city)
    department: object  # Department or None
    metric: metrics.Metric
    start: object  # date, first of month
    end: object

    @property
    def center_code(self):
        return self.center.code if self.center else ALL

    def as_params(self):
        params = {"center": self.center_code, "metric": self.metric.code}
        if self.department:
            params["department"] = self.department.code
        params["from"], params["to"] = f"{self.start:%Y-%m}", f"{self.end:%Y-%m}"
        return params


CODE_RE = re.compile(r"^[a-z0-9_-]{1,32}$")


def _month(value, name):
    try:
        month = parse_period(value)
    except (StatisticsError, ValueError):
        month = None
    if month is None or not (2000 <= month.year <= 2100):
        raise SeriesError(_("参数 %(name)s 应为 YYYY-MM 格式的月份（2000—2100 年）。") % {"name": name})
    return month


def _code(params, name, default=""):
    code = str(params.get(name) or default).strip().lower()
    if code and not CODE_RE.match(code):
        raise SeriesError(_("参数 %(name)s 不是有效的编码。") % {"name": name})
    return code


def latest_period():
    from .models import BulletinPage

    return BulletinPage.objects.live().order_by("-period").values_list("period", flat=True).first()


def parse_query(params):
    """A Query from request parameters; SeriesError with a Chinese message for bad input."""
    from portal.models import Department, ServiceCenter

    center_code = _code(params, "center", ALL)
    center = None
    if center_code != ALL:
        center = ServiceCenter.objects.filter(code=center_code).first()
        if center is None:
            raise SeriesError(_("找不到编码为“%(code)s”的服务中心。") % {"code": center_code[:40]})
    department = None
    department_code = _code(params, "department")
    if department_code:
        if center is None:
            raise SeriesError(_("按部门查询时请同时指定中心（center）。"))
        department = Department.objects.filter(center=center, code=department_code).first()
        if department is None:
            raise SeriesError(
                _("%(center)s没有编码为“%(code)s”的部门。") % {"center": center.name, "code": department_code[:40]}
            )
    metric = metrics.get(params.get("metric") or "on_time_rate")
    if metric is None:
        raise SeriesError(
            _("未知的指标“%(code)s”，可用指标：%(codes)s。")
            % {"code": str(params.get("metric"))[:40], "codes": "、".join(m.code for m in metrics.METRICS)}
        )
    end = _month(params["to"], "to") if params.get("to") else latest_period()
    if end is None:
        raise SeriesError(_("尚无已发布的通报。"))
    start = _month(params["from"], "from") if params.get("from") else add_months(end, 1 - DEFAULT_MONTHS)
    if start > end:
        raise SeriesError(_("起始月份（from）不能晚于结束月份（to）。"))
    if (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
        raise SeriesError(_("一次最多查询 %(n)s 个月。") % {"n": MAX_MONTHS})
    return Query(center, department, metric, start, end)


def _subject(query, own, city):
    """(subject counts, source page) for one month, or (None, None)."""
    from . import bulletins

    code = query.center_code
    for page in (own, city):
        if page is None:
            continue
        data = bulletins.page_data(page)
        if query.department is not None:
            for row in data.get("departments") or []:
                if row.get("code") == query.department.code and (row.get("center") or data["center"]) == code:
                    return row, page
        elif page.center_id is None and code != ALL:
            for row in data.get("centers") or []:
                if row.get("code") == code:
                    return row, page
        else:
            return metrics.subject_from_bulletin(data), page
    return None, None


def compute(query):
    """{"points": [...], "missing": ["YYYY-MM"]}: one point per published month, oldest first,
    each with the tidy columns plus the source bulletin's URL and revision."""
    from django.db.models import Q

    from .models import BulletinPage

    first = add_months(query.start, -12)  # a year back, for 同比
    scope = Q(center__isnull=True) | (Q(center=query.center) if query.center else Q())
    pages = BulletinPage.objects.live().filter(scope, period__gte=first, period__lte=query.end).select_related("center")
    own, city = {}, {}
    for page in pages:
        (city if page.center_id is None else own)[page.period] = page
    if query.center is None:
        own = {}
    values, points, missing = {}, [], []
    month = first
    while month <= query.end:
        subject, page = _subject(query, own.get(month), city.get(month))
        if subject is not None:
            numerator, denominator, value = metrics.observe(query.metric, subject)
            values[month] = value
            if month >= query.start:
                points.append(_point(query, month, numerator, denominator, value, page, values))
        elif month >= query.start:
            missing.append(f"{month:%Y-%m}")
        month = add_months(month, 1)
    return {"points": points, "missing": missing}


def _point(query, month, numerator, denominator, value, page, values):
    def change(before):
        return round(value - before, 2) if value is not None and before is not None else None

    return {
        "period": f"{month:%Y-%m}",
        "center_code": query.center_code,
        "center_name": query.center.name if query.center else str(_("全市")),
        "department_code": query.department.code if query.department else "",
        "department_name": query.department.name if query.department else "",
        "level": "department" if query.department else ("center" if query.center else "city"),
        "metric": query.metric.code,
        "metric_name": str(query.metric.label),
        "numerator": numerator,
        "denominator": denominator,
        "value": value,
        "unit": query.metric.unit,
        "rank": None,
        "change_from_previous_month": change(values.get(add_months(month, -1))),
        "change_from_same_month_last_year": change(values.get(add_months(month, -12))),
        "source": page.url or "",
        "revision": page.live_revision_id,
    }


def title(query):
    subject = query.center.name if query.center else _("全市")
    if query.department:
        subject = f"{subject} · {query.department.name}"
    return _("%(subject)s %(metric)s（%(start)s—%(end)s）") % {
        "subject": subject,
        "metric": query.metric.label,
        "start": f"{query.start:%Y-%m}",
        "end": f"{query.end:%Y-%m}",
    }
