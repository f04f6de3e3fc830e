"""办件查询 and 好差评: the two keys, what is shown (nothing personal), the limits against guessing,
the five levels mapped onto the bulletin's satisfaction, the 差评 follow-up, the item summary."""

import pytest
from django.core.cache import caches
from django.test import override_settings

from disclosures import statistics
from disclosures.casedesk.models import CaseRating
from disclosures.casedesk.service import rate
from disclosures.feedback.models import Feedback
from disclosures.imports import apply_rows
from disclosures.models import Case

from .helpers_cases import make_center, make_department, make_item

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_limits():
    """Rate-limit counts live in their own cache (core.ratelimit), pages in the default one."""
    for alias in ("default", "ratelimit"):
        caches[alias].clear()
    yield
    for alias in ("default", "ratelimit"):
        caches[alias].clear()


@pytest.fixture
def world(db):
    center = make_center("cdcenter", "办件查询测试中心")
    department = make_department(center, "wh", "文化部门")
    item = make_item(center, department, "CD-1", title="开办台球室", promised_days=5)
    return center, department, item


def import_case(center, item, case_no, **values):
    row = {
        "case_no": case_no,
        "center": center.code,
        "item_code": item.item_code,
        "channel": "window",
        "received_at": "2026-03-02T09:30:00",
        "completed_at": "",
        "status": "received",
        "applicant_phone": "139 1234 5678",
    }
    row.update(values)
    result = apply_rows([(2, row)])
    assert not result.problems, result.problems
    return Case.objects.get(case_no=case_no)


def test_import_keeps_only_the_last_four_digits(world):
    center, _department, item = world
    case = import_case(center, item, "CD-0001")
    assert case.phone_last4 == "5678"
    assert "13912345678" not in str(Case.objects.filter(pk=case.pk).values().get())
    result = apply_rows(
        [
            (
                7,
                {
                    "case_no": "CD-0002",
                    "center": center.code,
                    "item_code": item.item_code,
                    "channel": "window",
                    "received_at": "2026-03-02T09:30:00",
                    "status": "received",
                    "applicant_phone": "电话未知",
                },
            )
        ]
    )
    assert result.problems and "电话号码只能包含数字" in str(result.problems[0])


def test_lookup_shows_progress_and_nothing_personal(client, world):
    center, department, item = world
    case = import_case(center, item, "CD-0003")
    html = client.post("/cases/lookup/", {"case_no": "CD-0003", "last4": "5678"}).content.decode()
    assert "开办台球室" in html and department.name in html and "受理" in html
    assert case.due_date.isoformat() in html and "受理后 5 个工作日" in html
    assert "已超过承诺时限" in html  # received in March 2026, still open
    assert "5678" not in html and "1391234" not in html
    done = import_case(center, item, "CD-0004", status="completed", completed_at="2026-03-03T15:00:00")
    html = client.post("/cases/lookup/", {"case_no": "CD-0004", "last4": "5678"}).content.decode()
    assert "办结" in html and "2026-03-03 15:00" in html and "已超过承诺时限" not in html
    assert f"/cases/rate/?case_no={done.case_no}" in html


def test_lookup_errors_in_chinese(client, world):
    center, _department, item = world
    import_case(center, item, "CD-0005")
    wrong = client.post("/cases/lookup/", {"case_no": "CD-0005", "last4": "1111"})
    assert wrong.status_code == 400 and "没有找到对应的办件" in wrong.content.decode()
    short = client.post("/cases/lookup/", {"case_no": "CD-0005", "last4": "12"})
    assert "请填写电话号码的最后四位数字" in short.content.decode() and 'value="CD-0005"' in short.content.decode()
    missing = client.post("/cases/lookup/", {"case_no": "", "last4": ""}).content.decode()
    assert "请填写办件编号" in missing and "请填写申请时所留电话的后四位" in missing


def test_case_lookup_not_found_reads_as_a_search_and_is_the_same_for_number_and_digits(client, world):
    center, _department, item = world
    import_case(center, item, "CD-0006")

    def box(data):
        html = client.post("/cases/lookup/", data).content.decode()
        return html.split('id="form-errors"', 1)[1].split("</div>", 1)[0]

    wrong_digits = box({"case_no": "CD-0006", "last4": "1111"})
    assert "未能查询，请按提示核对后再查" in wrong_digits and "没有找到对应的办件" in wrong_digits
    assert "提交未成功" not in wrong_digits and "已保留" not in wrong_digits
    assert box({"case_no": "CD-9999", "last4": "5678"}) == wrong_digits


def test_case_without_phone_cannot_be_looked_up(client, world):
    center, _department, item = world
    import_case(center, item, "CD-0006", applicant_phone="")
    assert client.post("/cases/lookup/", {"case_no": "CD-0006", "last4": "0000"}).status_code == 400


def test_guessing_phone_digits_is_stopped(client, world):
    center, _department, item = world
    import_case(center, item, "CD-0007")
    codes = [client.post("/cases/lookup/", {"case_no": "CD-0007", "last4": f"{n:04d}"}).status_code for n in range(5)]
    assert codes == [400] * 5
    assert client.post("/cases/lookup/", {"case_no": "CD-0007", "last4": "5678"}).status_code == 429
    # Rating uses the same keys and the same limit.
    assert client.post("/cases/rate/", {"case_no": "CD-0007", "last4": "5678", "level": "5"}).status_code == 429


@override_settings(PUBLIC_FORM_LIMITS={"lookup": (10, 600)})
def test_enumerating_case_numbers_is_rate_limited(client, world):
    codes = [client.post("/cases/lookup/", {"case_no": f"CD-9{n:03d}", "last4": "5678"}).status_code for n in range(11)]
    assert codes[:10] == [400] * 10 and codes[10] == 429


def test_rating_maps_onto_satisfaction_and_bad_opens_a_follow_up(client, world):
    center, department, item = world
    good = import_case(center, item, "CD-0010", status="completed", completed_at="2026-03-03T15:00:00")
    bad = import_case(center, item, "CD-0011", status="completed", completed_at="2026-03-04T15:00:00")
    basic = import_case(center, item, "CD-0012", status="completed", completed_at="2026-03-04T16:00:00")
    open_case = import_case(center, item, "CD-0013")
    assert client.post("/cases/rate/", {"case_no": good.case_no, "last4": "5678", "level": "4"}).status_code == 200
    assert client.post("/cases/rate/", {"case_no": basic.case_no, "last4": "5678", "level": "3"}).status_code == 200
    response = client.post(
        "/cases/rate/", {"case_no": bad.case_no, "last4": "5678", "level": "1", "comment": "窗口让我跑了三次"}
    )
    html = response.content.decode()
    follow_up = Feedback.objects.get(source=Feedback.SOURCE_RATING)
    assert follow_up.receipt_no in html and follow_up.department == department and follow_up.kind == Feedback.COMPLAINT
    assert "窗口让我跑了三次" in follow_up.content and follow_up.phone_last4 == "5678"
    assert CaseRating.objects.get(case=bad).follow_up == follow_up
    again = client.post("/cases/rate/", {"case_no": good.case_no, "last4": "5678", "level": "5"})
    assert again.status_code == 400 and "每件只能评价一次" in again.content.decode()
    early = client.post("/cases/rate/", {"case_no": open_case.case_no, "last4": "5678", "level": "5"})
    assert "办件办结后才能评价" in early.content.decode()
    no_level = client.post("/cases/rate/", {"case_no": good.case_no, "last4": "5678", "comment": "保留的意见"})
    assert "请选择评价等级" in no_level.content.decode() and "保留的意见" in no_level.content.decode()

    data = statistics.compute(center.code, "2026-03")
    assert data["satisfaction"] == {"good": 1, "neutral": 1, "bad": 1, "rated": 3, "rate": 33.33}
    assert data["complaints_detail"]["received"] == 0  # the follow-up is dated today, not March 2026


def test_item_summary_appears_from_ten_ratings(client, world):
    center, _department, item = world
    for n in range(10):
        case = import_case(center, item, f"CD-1{n:03d}", status="completed", completed_at="2026-03-03T15:00:00")
        rate(case, 5 if n < 8 else 2)  # bumps the cached summary
        if n == 8:
            assert 'id="ratings"' not in client.get(item.url).content.decode()
    html = client.get(item.url).content.decode()
    assert 'id="ratings"' in html and "共 10 条评价，满意率 80.00%" in html
