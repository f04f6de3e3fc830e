"""The bulletin metrics as data: code, name, formula, definition, source, and how to read each
metric's numerator and denominator from a subject's counts.

One registry shared by the comparison tables, the tidy open data, the time series, the data
dictionary page and the Table Schemas, so a metric means the same thing everywhere. A "subject"
is the flat counts dict of one center, one department or the whole city, with the keys of
disclosures.statistics.subject_counts(); `subject_from_bulletin()` builds it for a bulletin's own
total from the frozen summary fields (bulletins frozen before a key existed lack it: None).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .bulletin_tables import POWER_CODES, POWER_LABELS, rate

UNIT_PERCENT = "%"
UNIT_CASES = "件"
UNIT_ITEMS = "项"

SOURCE_CASES = _("办件记录（审批系统推送或导入的办件）")
SOURCE_ITEMS = _("政务服务事项目录（已发布事项的“应进/实进”和窗口权限）")
SOURCE_RATINGS = _("办件的好差评（办结后评价）")


@dataclass(frozen=True)
class Metric:
    code: str
    label: str
    kind: str  # "rate" or "count"
    numerator: str = ""  # subject key (authorized.<power> for a power)
    denominator: str = ""
    unit: str = UNIT_PERCENT
    definition: str = ""
    formula: str = ""
    source: str = ""
    compare: bool = False  # a column of the comparison tables

    @property
    def is_rate(self):
        return self.kind == "rate"


def _get(subject, key):
    if not key:
        return None
    if "." in key:
        outer, inner = key.split(".", 1)
        value = subject.get(outer)
        return value.get(inner) if isinstance(value, dict) else None
    return subject.get(key)


def _power_metric(code, compare):
    name = POWER_LABELS[code]
    short = name.removesuffix("权")
    return Metric(
        f"authorization_rate_{code}",
        _("窗口%(power)s授权率") % {"power": short},
        "rate",
        f"authorized.{code}",
        "entered",
        definition=_("实进事项中，窗口拥有%(power)s的事项所占比例。") % {"power": name},
        formula=_("窗口拥有%(power)s的实进事项数 ÷ 实进事项数 × 100%%") % {"power": name},
        source=SOURCE_ITEMS,
        compare=compare,
    )


RATE_METRICS = [
    Metric(
        "entry_rate",
        _("进驻率"),
        "rate",
        "entered",
        "should_enter",
        definition=_("应进驻中心办理的事项中，实际进驻的事项所占比例。"),
        formula=_("实进事项数 ÷ 应进事项数 × 100%"),
        source=SOURCE_ITEMS,
        compare=True,
    ),
    _power_metric("review", True),
    _power_metric("approve", True),
    Metric(
        "same_day_rate",
        _("即办率"),
        "rate",
        "completed_same_day",
        "completed",
        definition=_("统计月份内办结的办件中，受理当日即办结的办件所占比例（日结率）。"),
        formula=_("受理当日办结的办件数 ÷ 办结量 × 100%"),
        source=SOURCE_CASES,
        compare=True,
    ),
    Metric(
        "on_time_rate",
        _("按时办结率"),
        "rate",
        "completed_on_time",
        "completed",
        definition=_("统计月份内办结的办件中，在承诺办结时限（工作日）内办结的办件所占比例。"),
        formula=_("按时办结的办件数 ÷ 办结量 × 100%"),
        source=SOURCE_CASES,
        compare=True,
    ),
    Metric(
        "satisfaction_rate",
        _("满意度"),
        "rate",
        "satisfaction_good",
        "satisfaction_rated",
        definition=_("统计月份内办结且有评价的办件中，好评所占比例。"),
        formula=_("好评数 ÷（好评＋中评＋差评）× 100%"),
        source=SOURCE_RATINGS,
        compare=True,
    ),
    Metric(
        "complaint_resolution_rate",
        _("投诉办结率"),
        "rate",
        "complaints_completed",
        "complaints",
        definition=_("统计月份内受理并标记为投诉的办件中，至月末已办结的办件所占比例。"),
        formula=_("月末前办结的投诉件数 ÷ 投诉件数 × 100%"),
        source=SOURCE_CASES,
        compare=True,
    ),
    *(_power_metric(code, False) for code in POWER_CODES if code not in ("review", "approve")),
]

COUNT_METRICS = [
    Metric(
        "received",
        _("受理量"),
        "count",
        unit=UNIT_CASES,
        definition=_("统计月份内受理的办件数（含退回件）。"),
        formula=_("计数"),
        source=SOURCE_CASES,
    ),
    Metric(
        "completed",
        _("办结量"),
        "count",
        unit=UNIT_CASES,
        definition=_("统计月份内办结的办件数。"),
        formula=_("计数"),
        source=SOURCE_CASES,
    ),
    Metric(
        "overdue",
        _("超期件"),
        "count",
        unit=UNIT_CASES,
        definition=_("办结时超过承诺办结时限，或至月末仍未办结且已超过承诺时限的办件。"),
        formula=_("计数"),
        source=SOURCE_CASES,
    ),
    Metric(
        "complaints",
        _("投诉件"),
        "count",
        unit=UNIT_CASES,
        definition=_("统计月份内受理并标记为投诉的办件数。"),
        formula=_("计数"),
        source=SOURCE_CASES,
    ),
]

METRICS = RATE_METRICS + COUNT_METRICS
BY_CODE = {metric.code: metric for metric in METRICS}
COMPARE_METRICS = [metric for metric in RATE_METRICS if metric.compare]


def get(code):
    return BY_CODE.get(str(code or "").strip().lower())


def observe(metric, subject):
    """(numerator, denominator, value) of a metric for a subject; value recomputed from the
    counts so every file agrees with them. A rate whose counts are missing gives (None, None, None)."""
    if metric.kind == "count":
        value = subject.get(metric.code)
        return None, None, value
    numerator, denominator = _get(subject, metric.numerator), _get(subject, metric.denominator)
    if numerator is None or denominator is None:
        return numerator, denominator, None
    return numerator, denominator, rate(numerator, denominator)


def subject_from_bulletin(data):
    """The flat counts of a bulletin's own total (its center, or the whole city)."""
    counts = data.get("counts") or {}
    satisfaction = data.get("satisfaction") if isinstance(data.get("satisfaction"), dict) else {}
    rated = satisfaction.get("rated")
    if rated is None and satisfaction:
        rated = sum(satisfaction.get(key) or 0 for key in ("good", "neutral", "bad"))
    return {
        "received": counts.get("received"),
        "completed": counts.get("completed"),
        "completed_on_time": counts.get("completed_on_time"),
        "completed_same_day": counts.get("completed_same_day"),
        "should_enter": counts.get("should_enter"),
        "entered": counts.get("entered"),
        "authorized": counts.get("authorized") or {},
        "overdue": data.get("overdue"),
        "complaints": data.get("complaints"),
        "complaints_completed": data.get("complaints_completed"),
        "satisfaction_good": satisfaction.get("good"),
        "satisfaction_rated": rated,
    }
