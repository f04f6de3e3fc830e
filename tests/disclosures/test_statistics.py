"""Monthly statistics against hand-computed figures, in an isolated center."""

import datetime

import pytest

from disclosures import statistics
from disclosures.models import Case
from portal.models import ServiceCenter

from .helpers_cases import at, make_center, make_department, make_item


def test_rate_rounding_and_zero_denominator():
    assert statistics.rate(499, 650) == 76.77
    assert statistics.rate(1, 3) == 33.33
    assert statistics.rate(2, 3) == 66.67
    assert statistics.rate(1, 8) == 12.5  # 12.50
    assert statistics.rate(0, 5) == 0.0
    assert statistics.rate(3, 0) is None
    assert statistics.rate(0, None) is None


def test_period_parsing():
    assert statistics.parse_period("2026-03") == datetime.date(2026, 3, 1)
    assert statistics.parse_period(datetime.date(2026, 3, 17)) == datetime.date(2026, 3, 1)
    with pytest.raises(statistics.StatisticsError):
        statistics.parse_period("2026/03")
    with pytest.raises(statistics.StatisticsError):
        statistics.parse_period("2026-13")


def case(n, center, item, **fields):
    values = {
        "case_no": f"S-{center.code}-{n}",
        "center": center,
        "item": item,
        "item_code": item.item_code,
        "department_id": item.department_id,
        "received_at": at("2026-03-10"),
        "status": Case.STATUS_RECEIVED,
        "promised_days": item.promised_days,
    }
    values.update(fields)
    return Case(**values)


@pytest.fixture
def world(db):
    """Two test centers; tcenter has two departments, three live items and one draft."""
    a = make_center("tcenter", "测试甲中心", sort_order=98)
    b = make_center("tcenter2", "测试乙中心", sort_order=99)
    d1, d2 = make_department(a, "d1", "一部门"), make_department(a, "d2", "二部门")
    db_ = make_department(b, "d1", "乙一部门")
    i1 = make_item(a, d1, "A-1", power_accept=True, power_approve=True)
    i2 = make_item(a, d1, "A-2", power_accept=True, entered=False)
    i3 = make_item(a, d2, "A-3", promised_days=0, handling="immediate", power_accept=True, power_certify=True)
    make_item(a, d2, "A-4", should_enter=False, entered=False)
    make_item(a, d2, "A-5", live=False, power_accept=True)  # draft: not counted
    j1 = make_item(b, db_, "B-1")
    return {"a": a, "b": b, "d1": d1, "d2": d2, "i1": i1, "i2": i2, "i3": i3, "j1": j1}


def test_figures_for_a_center(world):
    a, b, i1, i3, j1 = world["a"], world["b"], world["i1"], world["i3"], world["j1"]
    cases = []
    # 650 completed in March 2026 in d1: 499 on time, 120 same day, ratings 300 good 20 neutral 10 bad.
    for n in range(650):
        cases.append(
            case(
                n,
                a,
                i1,
                status=Case.STATUS_COMPLETED,
                completed_at=at("2026-03-20"),
                completed_on_time=n < 499,
                completed_same_day=n < 120,
                satisfaction="good" if n < 300 else "neutral" if n < 320 else "bad" if n < 330 else None,
                complaint=n < 3,
                due_date=datetime.date(2026, 3, 15),
            )
        )
    # d2: 10 received in March, 4 completed same day on time; 1 returned; 5 still open, 2 of them past due.
    for n in range(4):
        cases.append(
            case(
                1000 + n,
                a,
                i3,
                status=Case.STATUS_COMPLETED,
                completed_at=at("2026-03-10", 11),
                completed_on_time=True,
                completed_same_day=True,
                due_date=datetime.date(2026, 3, 10),
            )
        )
    cases.append(case(1004, a, i3, status=Case.STATUS_RETURNED, completed_at=at("2026-03-11")))
    for n in range(5):
        due = datetime.date(2026, 3, 20) if n < 2 else datetime.date(2026, 4, 8)
        cases.append(case(1005 + n, a, i3, due_date=due))
    # Received in February, completed in April, past due in March: overdue at the end of March.
    cases.append(
        case(
            1010,
            a,
            i1,
            received_at=at("2026-02-25"),
            status=Case.STATUS_COMPLETED,
            completed_at=at("2026-04-02"),
            completed_on_time=False,
            due_date=datetime.date(2026, 3, 4),
        )
    )
    # Other months and the other center must not leak in.
    cases.append(case(2000, a, i1, received_at=at("2026-04-01", 0, 5)))
    cases.append(case(2001, a, i1, received_at=at("2026-02-28", 23, 59)))
    for n in range(700):
        cases.append(
            case(
                3000 + n,
                b,
                j1,
                status=Case.STATUS_COMPLETED,
                completed_at=at("2026-03-12"),
                completed_on_time=True,
                completed_same_day=False,
            )
        )
    Case.objects.bulk_create(cases)

    data = statistics.compute("tcenter", "2026-03")
    counts, figures = data["counts"], data["figures"]
    assert data["center"] == "tcenter" and data["period"] == "2026-03"
    # Received in March: 650 + 4 + 1 + 5 (the February and April ones excluded).
    assert counts["received"] == 660
    assert counts["completed"] == 654
    assert counts["completed_on_time"] == 503
    assert counts["completed_same_day"] == 124
    assert figures["on_time_rate"] == 76.91  # 503 / 654
    assert figures["same_day_rate"] == 18.96  # 124 / 654
    # Items: should enter (A-4 not, A-5 is a draft); A-2 has not entered.
    assert counts["should_enter"] == 3 and counts["entered"] == 2
    assert figures["entry_rate"] == 66.67
    assert counts["authorized"]["accept"] == 2 and figures["authorization_rates"]["accept"] == 100.0
    assert counts["authorized"]["approve"] == 1 and figures["authorization_rates"]["approve"] == 50.0
    assert counts["authorized"]["certify"] == 1 and counts["authorized"]["litigate"] == 0
    assert figures["authorization_rates"]["litigate"] == 0.0
    # Overdue: 151 completed late in March + 2 open past due + 1 completed in April past due.
    assert data["overdue"] == 154
    assert data["overdue_detail"] == {"completed_late": 151, "open_past_due": 3}
    assert data["complaints"] == 3
    assert data["satisfaction"] == {"good": 300, "neutral": 20, "bad": 10, "rated": 330, "rate": 90.91}
    departments = {row["code"]: row for row in data["departments"]}
    assert set(departments) == {"d1", "d2"}
    assert departments["d1"]["completed"] == 650 and departments["d1"]["on_time_rate"] == 76.77
    assert departments["d1"]["overdue"] == 152 and departments["d1"]["received"] == 650
    assert departments["d2"]["received"] == 10 and departments["d2"]["completed"] == 4
    assert departments["d2"]["same_day_rate"] == 100.0 and departments["d2"]["overdue"] == 2
    assert departments["d2"]["should_enter"] == 1 and departments["d2"]["entry_rate"] == 100.0
    ranking = {row["center"]: row for row in data["ranking"]}
    assert ranking["tcenter2"]["completed"] == 700 and ranking["tcenter"]["completed"] == 654
    assert ranking["tcenter2"]["rank"] < ranking["tcenter"]["rank"]
    assert len(data["ranking"]) == ServiceCenter.objects.count()
    trend = {point["period"]: point for point in data["trend"]}
    assert len(data["trend"]) == 12 and data["trend"][0]["period"] == "2025-04"
    assert trend["2026-03"]["completed"] == 654 and trend["2026-03"]["on_time_rate"] == 76.91
    assert trend["2026-02"]["received"] == 2 and trend["2026-02"]["completed"] == 0
    assert trend["2026-02"]["on_time_rate"] is None


def test_month_without_cases_gives_none_rates(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        data = statistics.compute("tcenter", "2019-07")
    assert data["counts"]["received"] == 0 and data["counts"]["completed"] == 0
    assert data["figures"]["on_time_rate"] is None and data["figures"]["same_day_rate"] is None
    assert data["satisfaction"]["rate"] is None
    assert data["figures"]["entry_rate"] == 66.67  # the catalog is still there
    assert data["has_cases"] is False
    assert all(row["on_time_rate"] is None for row in data["departments"])


def test_city_as_a_whole_adds_up_centers(world):
    per_center = [statistics.compute(c.code, "2026-01") for c in ServiceCenter.objects.all()]
    city = statistics.compute("all", "2026-01")
    assert city["center"] == "all"
    for key in ("received", "completed", "completed_on_time", "should_enter", "entered"):
        assert city["counts"][key] == sum(d["counts"][key] for d in per_center)
    assert [r["completed"] for r in city["ranking"]] == sorted((r["completed"] for r in city["ranking"]), reverse=True)
    assert city["ranking"] == per_center[0]["ranking"]
    assert statistics.compute(None, "2026-01")["counts"] == city["counts"]


def test_ties_share_a_rank(world):
    data = statistics.compute("all", "2019-07")
    assert {row["rank"] for row in data["ranking"]} == {1}


@pytest.mark.django_db
def test_unknown_center():
    with pytest.raises(statistics.StatisticsError):
        statistics.compute("atlantis", "2026-03")
