"""Validate and store case records (办件) from files (import_cases) and the push API.

One code path for both: rows are checked one by one (every problem is reported with its row,
column and a Chinese reason), derived facts are computed once here (department and promised
days from the item, due date in working days, on time, same day), and rows are written in
batches with an upsert on case_no, inside one transaction: a file or a pushed batch is applied
completely or not at all, and importing the same cases again updates them instead of
duplicating them.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import timezones
from core.tabular import (
    Problems,
    TabularError,
    as_text,
    open_table,
    parse_bool,
    parse_datetime,
    text_problem,
)
from portal import codes

from . import workdays
from .models import Case

BATCH_SIZE = 5000

COLUMNS = {
    "case_no": ["办件编号", "办件号", "业务流水号", "case no"],
    "center": ["中心", "中心编码", "center code"],
    "item_code": ["事项编码", "item code"],
    "channel": ["办理渠道", "渠道"],
    "received_at": ["受理时间"],
    "completed_at": ["办结时间"],
    "status": ["状态", "办件状态"],
    "satisfaction": ["满意度", "评价"],
    "complaint": ["投诉", "是否投诉"],
    "applicant_phone": ["申请人电话", "联系电话", "手机号码", "applicant phone"],
    # What export_cases writes (the full number is never stored), so an export imports back.
    "phone_last4": ["申请人电话后四位", "电话后四位", "phone last4"],
}
REQUIRED = ["case_no", "center", "item_code", "channel", "received_at", "status"]

CHANNELS = {
    "window": Case.CHANNEL_WINDOW,
    "窗口": Case.CHANNEL_WINDOW,
    "线下": Case.CHANNEL_WINDOW,
    "online": Case.CHANNEL_ONLINE,
    "网上": Case.CHANNEL_ONLINE,
    "网办": Case.CHANNEL_ONLINE,
    "线上": Case.CHANNEL_ONLINE,
}
OVERDUE = "overdue"  # accepted on input; overdue is derived from the due date, not stored
STATUSES = {
    "received": Case.STATUS_RECEIVED,
    "受理": Case.STATUS_RECEIVED,
    "已受理": Case.STATUS_RECEIVED,
    "在办": Case.STATUS_RECEIVED,
    "completed": Case.STATUS_COMPLETED,
    "办结": Case.STATUS_COMPLETED,
    "已办结": Case.STATUS_COMPLETED,
    "returned": Case.STATUS_RETURNED,
    "退回": Case.STATUS_RETURNED,
    "overdue": OVERDUE,
    "超期": OVERDUE,
}
SATISFACTION = {
    "good": Case.SATISFACTION_GOOD,
    "好评": Case.SATISFACTION_GOOD,
    "满意": Case.SATISFACTION_GOOD,
    "非常满意": Case.SATISFACTION_GOOD,
    "5": Case.SATISFACTION_GOOD,
    "4": Case.SATISFACTION_GOOD,
    "neutral": Case.SATISFACTION_NEUTRAL,
    "中评": Case.SATISFACTION_NEUTRAL,
    "基本满意": Case.SATISFACTION_NEUTRAL,
    "3": Case.SATISFACTION_NEUTRAL,
    "bad": Case.SATISFACTION_BAD,
    "差评": Case.SATISFACTION_BAD,
    "不满意": Case.SATISFACTION_BAD,
    "非常不满意": Case.SATISFACTION_BAD,
    "2": Case.SATISFACTION_BAD,
    "1": Case.SATISFACTION_BAD,
}
UPDATE_FIELDS = [
    "center",
    "item",
    "item_code",
    "department",
    "channel",
    "received_at",
    "completed_at",
    "status",
    "promised_days",
    "due_date",
    "completed_on_time",
    "completed_same_day",
    "satisfaction",
    "complaint",
    "phone_last4",
    "updated_at",
]
MAX_CASE_NO = Case._meta.get_field("case_no").max_length
# A checked case as a row of these columns (the writer keeps tuples, not model instances).
ROW_COLUMNS = [
    "case_no",
    "center_id",
    "item_id",
    "item_code",
    "department_id",
    "channel",
    "received_at",
    "completed_at",
    "status",
    "promised_days",
    "due_date",
    "completed_on_time",
    "completed_same_day",
    "satisfaction",
    "complaint",
    "phone_last4",
]
# The allowed values, translated only when a value is wrong (not once per row).
CHANNELS_ALLOWED = gettext_lazy("窗口（window）、网上（online）")
STATUSES_ALLOWED = gettext_lazy("受理（received）、办结（completed）、退回（returned）")
SATISFACTION_ALLOWED = gettext_lazy("好评（good）、中评（neutral）、差评（bad）或 1–5 分")
STAGING_TABLE = "gongkai_case_import"


@dataclass
class CaseResult:
    """What an import did (or would do, in a dry run), or why it did nothing."""

    dry_run: bool = False
    created: int = 0
    updated: int = 0
    problems: list = field(default_factory=list)

    @property
    def total(self):
        return self.created + self.updated

    def summary(self):
        prefix = _("（试运行，未写入）") if self.dry_run else ""
        return prefix + _("新增 %(created)s 条，更新 %(updated)s 条") % {
            "created": self.created,
            "updated": self.updated,
        }


def _choice(value, mapping, allowed):
    text = as_text(value).strip()
    code = mapping.get(text.lower()) or mapping.get(text)
    if code is None:
        return None, _("“%(value)s”不是允许的值：%(allowed)s") % {"value": text, "allowed": allowed}
    return code, None


class _Items:
    """(center code, item code) -> item facts, loaded once per center."""

    def __init__(self):
        from portal.models import ServiceCenter

        self.centers = dict(ServiceCenter.objects.values_list("code", "id"))
        self._items = {}

    def item(self, center_code, item_code):
        center_id = self.centers[center_code]
        items = self._items.get(center_id)
        if items is None:
            from guides.choices import HANDLING_IMMEDIATE
            from guides.models import GuidePage

            items = {}
            rows = (
                GuidePage.objects.filter(center_id=center_id)
                .order_by("live", "pk")  # live pages last, so they win over drafts with the same code
                .values_list("pk", "item_code", "department_id", "promised_days", "statutory_days", "handling_type")
            )
            for pk, code, department_id, promised, statutory, handling in rows:
                if promised is None:
                    promised = statutory
                if promised is None and handling == HANDLING_IMMEDIATE:
                    promised = 0
                items[codes.item_key(code)] = (pk, department_id, promised)
            self._items[center_id] = items
        return items.get(codes.item_key(item_code))


def derive(calendar, received_at, completed_at, status, promised_days):
    """(due_date, completed_on_time, completed_same_day) of a case, in Asia/Shanghai working days.

    Due date: `promised_days` working days after the day of receipt (the same day for 0).
    The flags are None unless the case is completed; on time is None without a time limit.
    """
    received_day = timezones.local_date(received_at)
    due_date = calendar.add_working_days(received_day, promised_days) if promised_days is not None else None
    on_time = same_day = None
    if status == Case.STATUS_COMPLETED and completed_at is not None:
        completed_day = timezones.local_date(completed_at)
        same_day = completed_day == received_day
        on_time = completed_day <= due_date if due_date is not None else None
    return due_date, on_time, same_day


class CaseWriter:
    """Checks rows and writes them in batches; call add() for each row, then finish().

    `only_center` (a center code) refuses rows for any other center (the push API), and rows
    whose case number is already stored for another center: a center's token can neither
    move another center's case to itself nor overwrite it. Use inside transaction.atomic(); nothing is written once a problem has been found.
    """

    def __init__(self, *, dry_run=False, only_center=None, label=None, calendar=None, batch_size=BATCH_SIZE):
        self.result = CaseResult(dry_run=dry_run)
        self.problems = Problems()
        self.only_center = codes.org_code(only_center) if only_center else only_center
        self.label = label or (lambda name: name)
        self.calendar = calendar or workdays.get_calendar()
        self.batch_size = batch_size
        self.items = _Items()
        self.seen = {}
        self.batch = []
        self.latest = timezone.now() + datetime.timedelta(days=1)
        self.foreign = set()  # case numbers stored for another center than only_center

    def claim(self, case_numbers):
        """With `only_center`: note which of these case numbers belong to another center
        (one query per batch of case numbers; call before add())."""
        if not self.only_center:
            return
        numbers = [  # the rows' own checks report the unusable ones
            number
            for number in {as_text(n) for n in case_numbers}
            if number and len(number) <= MAX_CASE_NO and not text_problem(number)
        ]
        for start in range(0, len(numbers), 1000):
            self.foreign.update(
                Case.objects.filter(case_no__in=numbers[start : start + 1000])
                .exclude(center__code__iexact=self.only_center)
                .values_list("case_no", flat=True)
            )

    def _problem(self, row, column, reason):
        self.problems.add(row, self.label(column) if column else "", reason)

    def add(self, row, values):
        """Check one row ({column: value}); keep the case for writing when it is valid."""
        case = self._check(row, values)
        if case is not None and not self.problems:
            self.batch.append(case)
            if len(self.batch) >= self.batch_size:
                self.flush()

    def _check(self, row, values):
        for name, value in values.items():
            if reason := text_problem(value):
                self._problem(row, name, reason)
        case_no = as_text(values.get("case_no"))
        if not case_no:
            self._problem(row, "case_no", _("办件编号不能为空"))
        elif len(case_no) > MAX_CASE_NO:
            self._problem(row, "case_no", _("办件编号过长（最多 %(n)s 个字符）") % {"n": MAX_CASE_NO})
        elif case_no in self.seen:
            self._problem(
                row, "case_no", _("办件编号“%(no)s”与第 %(row)s 行重复") % {"no": case_no, "row": self.seen[case_no]}
            )
        elif case_no in self.foreign:
            self._problem(row, "case_no", _("办件编号“%(no)s”已属于其他中心，该令牌不能修改") % {"no": case_no})
        else:
            self.seen[case_no] = row

        center_code = codes.org_code(values.get("center"))  # C00 and c00: one center (portal/codes.py)
        item = None
        if not center_code:
            self._problem(row, "center", _("中心编码不能为空"))
        elif center_code not in self.items.centers:
            self._problem(row, "center", _("未知的中心“%(code)s”") % {"code": center_code})
        elif self.only_center and center_code != self.only_center:
            self._problem(
                row,
                "center",
                _("该令牌只能推送“%(own)s”的办件，不能推送“%(code)s”的办件")
                % {"own": self.only_center, "code": center_code},
            )
        else:
            item_code = codes.clean(values.get("item_code"))
            if not item_code:
                self._problem(row, "item_code", _("事项编码不能为空"))
            else:
                item = self.items.item(center_code, item_code)
                if item is None:
                    self._problem(
                        row,
                        "item_code",
                        _("中心“%(center)s”没有编码为“%(code)s”的事项") % {"center": center_code, "code": item_code},
                    )

        channel = None
        if as_text(values.get("channel")):
            channel, error = _choice(values.get("channel"), CHANNELS, CHANNELS_ALLOWED)
            if error:
                self._problem(row, "channel", error)
        else:
            self._problem(row, "channel", _("办理渠道不能为空（窗口/window 或 网上/online）"))

        status = None
        if as_text(values.get("status")):
            status, error = _choice(values.get("status"), STATUSES, STATUSES_ALLOWED)
            if error:
                self._problem(row, "status", error)
        else:
            self._problem(row, "status", _("状态不能为空"))

        received_at, error = parse_datetime(values.get("received_at"))
        if error:
            self._problem(row, "received_at", error)
        elif received_at is None:
            self._problem(row, "received_at", _("受理时间不能为空"))
        elif received_at > self.latest:
            self._problem(row, "received_at", _("受理时间晚于当前时间"))
        completed_at, completed_error = parse_datetime(values.get("completed_at"))
        if completed_error:
            self._problem(row, "completed_at", completed_error)
            completed_at = None
        elif completed_at is not None:
            if received_at is not None and completed_at < received_at:
                self._problem(row, "completed_at", _("办结时间早于受理时间"))
            elif completed_at > self.latest:
                self._problem(row, "completed_at", _("办结时间晚于当前时间"))

        if status == OVERDUE:
            status = Case.STATUS_COMPLETED if completed_at else Case.STATUS_RECEIVED
        if status == Case.STATUS_COMPLETED and completed_at is None and not completed_error:
            self._problem(row, "completed_at", _("状态为办结时必须填写办结时间"))
        if status == Case.STATUS_RECEIVED and completed_at is not None:
            self._problem(row, "completed_at", _("状态为受理（未办结）时办结时间应为空"))

        satisfaction = None
        if as_text(values.get("satisfaction")):
            satisfaction, error = _choice(values.get("satisfaction"), SATISFACTION, SATISFACTION_ALLOWED)
            if error:
                self._problem(row, "satisfaction", error)
        complaint, error = parse_bool(values.get("complaint"))
        if error:
            self._problem(row, "complaint", error)
        phone = re.sub(r"[\s()+-]", "", as_text(values.get("applicant_phone")))
        if phone and not (phone.isdigit() and 7 <= len(phone) <= 15):
            self._problem(row, "applicant_phone", _("电话号码只能包含数字（7–15 位）"))
        last4 = re.sub(r"\s", "", as_text(values.get("phone_last4")))
        if last4 and not (last4.isdigit() and len(last4) == 4):
            self._problem(row, "phone_last4", _("电话后四位应为 4 位数字"))
        elif last4 and phone and phone[-4:] != last4:
            self._problem(row, "phone_last4", _("与申请人电话的后四位（%(digits)s）不一致") % {"digits": phone[-4:]})

        if self.problems:
            return None
        item_id, department_id, promised = item
        due_date, on_time, same_day = derive(self.calendar, received_at, completed_at, status, promised)
        return (  # in ROW_COLUMNS order
            case_no,
            self.items.centers[center_code],
            item_id,
            as_text(values.get("item_code")),
            department_id,
            channel,
            received_at,
            completed_at,
            status,
            promised,
            due_date,
            on_time,
            same_day,
            satisfaction,
            bool(complaint),
            phone[-4:] if phone else last4,  # only the last four digits are kept
        )

    def flush(self):
        if not self.batch:
            return
        if self.result.dry_run:
            created = len(self.batch) - Case.objects.filter(case_no__in=[row[0] for row in self.batch]).count()
        elif connection.vendor == "postgresql" and connection.in_atomic_block:
            created = _copy_upsert(self.batch)
        else:
            created = _bulk_upsert(self.batch)
        self.result.created += created
        self.result.updated += len(self.batch) - created
        self.batch = []

    def finish(self):
        """Write what is left; returns the result (problems listed, counts zero when any)."""
        if not self.problems:
            self.flush()
        if self.problems:
            self.result.problems = list(self.problems)
            self.result.created = self.result.updated = 0
        return self.result


def _bulk_upsert(rows):
    """Insert or update by case_no through the ORM; returns how many were new."""
    existing = Case.objects.filter(case_no__in=[row[0] for row in rows]).count()
    cases = [Case(**dict(zip(ROW_COLUMNS, row, strict=True))) for row in rows]
    Case.objects.bulk_create(cases, update_conflicts=True, unique_fields=["case_no"], update_fields=UPDATE_FIELDS)
    return len(rows) - existing


def _copy_upsert(rows):
    """PostgreSQL: COPY the rows into a temporary table (dropped at commit), then one
    INSERT … ON CONFLICT (case_no) DO UPDATE from it; returns how many were new.

    The same upsert as _bulk_upsert, without building a model instance and a parameter list
    per case: 100,000 cases take seconds instead of minutes.
    """
    table = Case._meta.db_table
    quote = connection.ops.quote_name
    columns = [Case._meta.get_field(name.removesuffix("_id")).column for name in ROW_COLUMNS]
    names = ", ".join(quote(column) for column in columns)
    updates = ", ".join(
        f"{quote(column)} = EXCLUDED.{quote(column)}"
        for column in (Case._meta.get_field(name).column for name in UPDATE_FIELDS)
        if column != "updated_at"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGING_TABLE} ON COMMIT DROP AS "  # noqa: S608 - fixed names
            f"SELECT {names} FROM {quote(table)} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {STAGING_TABLE}")
        with cursor.cursor.copy(f"COPY {STAGING_TABLE} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"WITH written AS (INSERT INTO {quote(table)} ({names}, updated_at) "  # noqa: S608 - fixed names
            f"SELECT {names}, %s FROM {STAGING_TABLE} "
            f"ON CONFLICT (case_no) DO UPDATE SET {updates}, updated_at = EXCLUDED.updated_at "
            "RETURNING (xmax = 0) AS created) SELECT count(*) FILTER (WHERE created) FROM written",
            [timezone.now()],
        )
        return cursor.fetchone()[0]


def apply_rows(rows, *, dry_run=False, only_center=None, label=None):
    """Check and store [(row number, {column: value})] all-or-nothing; returns a CaseResult."""
    with transaction.atomic():
        writer = CaseWriter(dry_run=dry_run, only_center=only_center, label=label)
        if only_center:
            rows = list(rows)
            writer.claim(values.get("case_no") for _number, values in rows)
        for number, values in rows:
            writer.add(number, values)
        result = writer.finish()
        if result.problems or dry_run:
            transaction.set_rollback(True)
    return result


def import_cases(source, *, filename, dry_run=False, max_bytes=None):
    """Read a CSV/XLSX file of cases and apply it all-or-nothing; returns a CaseResult.

    Rows are streamed from the file (core.tabular.open_table) and written in batches as
    they are checked, so memory does not grow with the file; the single transaction is rolled
    back when any row (or the file itself) turns out to be wrong.
    """
    try:
        table = open_table(source, filename=filename, aliases=COLUMNS, required=REQUIRED, max_bytes=max_bytes)
    except TabularError as exc:
        return CaseResult(dry_run=dry_run, problems=exc.problems)
    try:
        return apply_rows(table.rows, dry_run=dry_run, label=table.label)
    except TabularError as exc:  # found while reading rows: the transaction was rolled back
        return CaseResult(dry_run=dry_run, problems=exc.problems)
