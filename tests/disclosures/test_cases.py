"""Derived case facts (due date, on time, same day) and the row checks shared by file and push."""

import datetime

import pytest

from disclosures.imports import CaseWriter, apply_rows, derive
from disclosures.models import Case
from disclosures.workdays import Calendar

from .helpers_cases import at, make_center, make_department, make_item

D = datetime.date.fromisoformat


def test_derive_on_time_and_same_day():
    calendar = Calendar(holidays={D("2026-10-01"): False})
    received = at("2026-09-30", 16)
    # With 1 Oct off, working days after Wed 30 Sep are Fri 2 Oct, then Mon 5 Oct.
    due, on_time, same_day = derive(calendar, received, at("2026-10-02", 17), Case.STATUS_COMPLETED, 1)
    assert (due, on_time, same_day) == (D("2026-10-02"), True, False)
    due, on_time, _same = derive(calendar, received, at("2026-10-05", 9), Case.STATUS_COMPLETED, 1)
    assert on_time is False
    due, on_time, _same = derive(calendar, received, at("2026-10-05", 9), Case.STATUS_COMPLETED, 2)
    assert (due, on_time) == (D("2026-10-05"), True)
    due, on_time, same_day = derive(calendar, received, at("2026-09-30", 17), Case.STATUS_COMPLETED, 0)
    assert (due, on_time, same_day) == (D("2026-09-30"), True, True)
    # Open cases have a due date but no flags; no time limit means on-time is unknown.
    assert derive(calendar, received, None, Case.STATUS_RECEIVED, 2) == (D("2026-10-05"), None, None)
    assert derive(calendar, received, at("2026-10-02"), Case.STATUS_COMPLETED, None) == (None, None, False)


def test_same_day_is_judged_in_shanghai_time():
    calendar = Calendar(holidays={})
    utc = datetime.UTC
    received = datetime.datetime(2026, 3, 9, 1, 0, tzinfo=utc)  # 09:00 Shanghai
    completed = datetime.datetime(2026, 3, 9, 15, 30, tzinfo=utc)  # 23:30 Shanghai, same day
    assert derive(calendar, received, completed, Case.STATUS_COMPLETED, 0)[2] is True
    completed = datetime.datetime(2026, 3, 9, 16, 30, tzinfo=utc)  # 00:30 next day in Shanghai
    assert derive(calendar, received, completed, Case.STATUS_COMPLETED, 0)[2] is False


@pytest.fixture
def item(db):
    center = make_center()
    department = make_department(center)
    return make_item(center, department, "T-001", promised_days=3)


def row(**values):
    base = {
        "case_no": "C1",
        "center": "tcenter",
        "item_code": "T-001",
        "channel": "window",
        "received_at": "2026-03-09T09:00:00",
        "completed_at": "2026-03-11T10:00:00",
        "status": "completed",
    }
    base.update(values)
    return base


def test_apply_rows_copies_item_facts(item):
    result = apply_rows([(1, row(satisfaction="4", complaint="是"))])
    assert not result.problems and result.created == 1
    case = Case.objects.get(case_no="C1")
    assert case.department_id == item.department_id
    assert case.item_id == item.pk and case.promised_days == 3
    assert case.due_date == D("2026-03-12")
    assert case.completed_on_time is True and case.completed_same_day is False
    assert case.satisfaction == "good" and case.complaint is True
    assert case.received_at.hour == 1  # 09:00 Shanghai is 01:00 UTC


def test_chinese_values_and_score_mapping(item):
    result = apply_rows(
        [(1, row(channel="网上", status="办结", satisfaction="2")), (2, row(case_no="C2", satisfaction="中评"))]
    )
    assert not result.problems
    assert Case.objects.get(case_no="C1").channel == "online"
    assert Case.objects.get(case_no="C1").satisfaction == "bad"
    assert Case.objects.get(case_no="C2").satisfaction == "neutral"


def test_status_must_agree_with_completion_time(item):
    result = apply_rows(
        [
            (1, row(status="completed", completed_at="")),
            (2, row(case_no="C2", status="received")),
            (3, row(case_no="C3", status="returned", completed_at="")),
        ]
    )
    reasons = {(p.row, p.column): p.reason for p in result.problems}
    assert "必须填写办结时间" in reasons[(1, "completed_at")]
    assert "应为空" in reasons[(2, "completed_at")]
    assert (3, "completed_at") not in reasons
    assert not Case.objects.filter(case_no__in=["C1", "C2", "C3"]).exists()


def test_overdue_status_is_accepted_and_derived(item):
    result = apply_rows([(1, row(status="超期", completed_at="2026-03-20T10:00:00"))])
    assert not result.problems
    case = Case.objects.get(case_no="C1")
    assert case.status == "completed" and case.completed_on_time is False and case.is_overdue


def test_writer_batches_and_counts(item):
    writer = CaseWriter(batch_size=2)
    for n in range(5):
        writer.add(n + 1, row(case_no=f"B{n}"))
    result = writer.finish()
    assert (result.created, result.updated) == (5, 0)
    assert Case.objects.filter(case_no__startswith="B").count() == 5
