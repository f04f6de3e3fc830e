"""The billiards-room story in Chromium: a citizen finds 开办台球室, sees the six rules, submits a
complaint (a wrong challenge answer first: nothing typed is lost), the center's supervisor sees
it overdue and escalates, the culture department answers, the citizen looks the answer up and
the month's bulletin counts it. Then an applicant looks up a case and rates it on a phone.

Screenshots at 1366 px and 390 px of the item page and the forms go to test-results/.
"""

import re

import pytest
from django.utils import timezone

from tests.e2e.conftest import assert_accessible, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "E2e-feedback-pw-5"
NUMERALS = {c: n for n, c in enumerate("零一二三四五六七八九十")}
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def spoken_number(text):
    if text in NUMERALS:
        return NUMERALS[text]
    if text.startswith("十"):
        return 10 + NUMERALS[text[1:]]
    return NUMERALS[text[0]] * 10 + NUMERALS.get(text[2:], 0) if "十" in text else int(text)


def solve(question):
    """Answer the text challenge as a person would, from the question on the page."""
    match = re.search(r"(\S+) (加|减) (\S+) 等于几", question)
    assert match, question
    a, b = spoken_number(match.group(1)), spoken_number(match.group(3))
    return str(a + b if match.group(2) == "加" else a - b)


@pytest.fixture
def billiards(demo_site):
    """A flushed database: the organisation, 开办台球室 of the culture department, roles, two editors."""
    from django.contrib.auth import get_user_model

    from guides.models import GuideFolderPage, GuideIndexPage, GuidePage, GuideStep, LegalBasis, Material
    from portal.models import Department, EditorialRole, ServiceCenter
    from portal.roles import role_group, setup_roles

    if not GuideIndexPage.objects.exists():
        demo_site.add_child(instance=GuideIndexPage(title="办事指南", slug="guides"))
    setup_roles(["city"])
    city = ServiceCenter.objects.get(code="city")
    culture = Department.objects.get(center=city, code="wgl")
    folder = GuideFolderPage.objects.get(center=city, department=culture)
    item = GuidePage(
        title="开办台球室（娱乐场所经营许可）",
        slug="wgl-billiards",
        item_code="WGL-E2E-01",
        center=city,
        department=culture,
        statutory_days=20,
        promised_days=10,
        power_accept=True,
        rule_direct=True,
        rule_deemed_consent=True,
        rule_first_contact=True,
        rule_clear_reply=True,
        place="市政务服务中心 2 楼文化窗口",
        hours="工作日 9:00–17:00",
        consult_phone="0571-81230001",
        complaint_phone="12345",
        acceptance_conditions="申请人符合《娱乐场所管理条例》规定的条件。",
    )
    item.steps = [GuideStep(name="受理", description="窗口受理", sort_order=0), GuideStep(name="审查", sort_order=1)]
    item.legal_basis = [LegalBasis(title="娱乐场所管理条例", sort_order=0)]
    item.materials = [
        Material(name="娱乐场所经营许可申请表", sort_order=0),
        Material(name="消防安全检查合格证明", sort_order=1),
    ]
    folder.add_child(instance=item)
    item.save_revision().publish()
    User = get_user_model()
    for username, role, department in (
        ("e2e_culture", EditorialRole.WINDOW, culture),
        ("e2e_supervisor", EditorialRole.CENTER_ADMIN, None),
    ):
        user = User.objects.create_user(username, f"{username}@example.org", PASSWORD)
        user.groups.add(role_group(role, city, department))
    return GuidePage.objects.get(pk=item.pk)


def citizen(browser, viewport=DESKTOP):
    context = browser.new_context(locale="zh-CN", viewport=viewport, bypass_csp=True)
    return context, context.new_page()


def editor(browser, live_server, username):
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    page = context.new_page()
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/admin/login/" not in url)
    return context, page


def test_complaint_is_answered_supervised_and_counted(live_server, browser, billiards):
    from disclosures import statistics
    from disclosures.feedback.models import Feedback

    item = billiards
    # The citizen finds the item and sees the six rules.
    context, page = citizen(browser)
    page.goto(live_server.url + item.url)
    rules = page.locator("#handling-rules").inner_text()
    assert "承诺超时默认制" in rules and "过期未答复视为同意" in rules and "联合办理首办责任制" in rules
    screenshot(page, "item-1366")
    with page.expect_navigation():
        page.click("text=咨询、投诉或建议")
    assert "/feedback/new/" in page.url and item.title in page.content()
    assert_accessible(page)

    # A wrong challenge answer: the message is in Chinese and nothing typed is lost.
    page.check("input[name=kind][value=complaint]")
    story = "为开台球室在文化、卫生、消防之间跑了二十天，每个部门都说要先去另一个部门盖章。"
    page.fill("#id_content", story)
    page.fill("#id_contact_phone", "13912345678")
    page.fill("#id_challenge_answer", "999")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "验证题答案不正确" in page.content()
    assert page.input_value("#id_content") == story and page.input_value("#id_contact_phone") == "13912345678"
    assert_accessible(page)
    screenshot(page, "feedback-error-1366")
    question = page.locator("label[for=id_challenge_answer]").inner_text()
    page.fill("#id_challenge_answer", solve(question))
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    receipt_no = page.locator("#receipt-no").inner_text().strip()
    assert receipt_no.startswith("TS")
    assert_accessible(page)
    context.close()
    feedback = Feedback.objects.get(receipt_no=receipt_no)
    assert feedback.department.code == "wgl"

    # Not answered in time: the center's supervisor sees it overdue and escalates.
    Feedback.objects.filter(pk=feedback.pk).update(due_date=timezone.localdate() - timezone.timedelta(days=1))
    context, page = editor(browser, live_server, "e2e_supervisor")
    page.goto(live_server.url + "/admin/feedback/?status=overdue")
    assert receipt_no in page.content() and "超期" in page.content()
    with page.expect_navigation():
        page.click(f"text={receipt_no}")
    page.fill("#id_escalate_note", "请文化部门牵头，今日答复")
    with page.expect_navigation():
        page.click("form:has(#id_escalate_note) button[type=submit]")
    assert "已督办" in page.content()
    context.close()

    # The culture department answers.
    context, page = editor(browser, live_server, "e2e_culture")
    page.goto(live_server.url + "/admin/feedback/")
    assert receipt_no in page.content() and "督办" in page.content()
    with page.expect_navigation():
        page.click(f"text={receipt_no}")
    page.fill("#id_answer", "已由文化窗口牵头，会同卫生、消防部门联合办理，许可证已于今日核发。")
    with page.expect_navigation():
        page.click("form:has(#id_answer) button[type=submit]")
    assert "已答复" in page.content()
    context.close()

    # The citizen looks up the answer, on a phone.
    context, page = citizen(browser, PHONE)
    page.goto(live_server.url + "/feedback/lookup/")
    screenshot(page, "feedback-lookup-390")
    page.fill("#id_receipt_no", receipt_no)
    page.fill("#id_last4", "5678")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    result = page.locator(".lookup-result").inner_text()
    assert "已答复" in result and "许可证已于今日核发" in result and "督办" in result
    assert "13912345678" not in page.content()
    assert_accessible(page)
    screenshot(page, "feedback-answer-390")
    page.goto(live_server.url + item.url)
    card = page.locator(".summary-card").bounding_box()
    assert card["y"] + card["height"] <= PHONE["height"], card  # the first answers on the first screen
    assert "承诺 10 个工作日" in page.locator(".summary-card").inner_text()
    label = page.evaluate(
        "getComputedStyle(document.querySelectorAll('table.materials td[data-label]')[1], '::before').content"
    )
    assert "材料名称" in label  # material cards keep their labels on a phone
    screenshot(page, "item-390")
    page.goto(live_server.url + f"/feedback/new/?center=city&item={item.item_code}")
    screenshot(page, "feedback-form-390")
    context.close()

    # The month's bulletin counts it, answered late.
    data = statistics.compute("city", timezone.localdate().strftime("%Y-%m"))
    row = next(row for row in data["departments"] if row["code"] == "wgl")
    assert (row["complaints"], row["complaints_answered"], row["complaints_overdue"]) == (1, 1, 1)


def test_case_lookup_and_rating_on_a_phone(live_server, browser, billiards):
    from disclosures.feedback.models import Feedback
    from disclosures.imports import apply_rows

    def case(case_no, **values):
        row = {
            "case_no": case_no,
            "center": "city",
            "item_code": billiards.item_code,
            "channel": "window",
            "received_at": timezone.localtime().strftime("%Y-%m-%dT08:30:00"),
            "status": "received",
            "applicant_phone": "13812340007",
        }
        row.update(values)
        assert not apply_rows([(2, row)]).problems

    case("E2E-CASE-1")
    case("E2E-CASE-2", status="completed", completed_at=timezone.localtime().strftime("%Y-%m-%dT16:00:00"))
    context, page = citizen(browser, PHONE)
    page.goto(live_server.url + "/cases/lookup/")
    page.fill("#id_case_no", "E2E-CASE-1")
    page.fill("#id_last4", "0007")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    result = page.locator(".lookup-result").inner_text()
    assert "受理" in result and "在承诺时限内" in result and "承诺办结日" in result
    assert_accessible(page)
    screenshot(page, "case-lookup-390")

    page.goto(live_server.url + "/cases/lookup/")
    page.fill("#id_case_no", "E2E-CASE-2")
    page.fill("#id_last4", "0007")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    with page.expect_navigation():
        page.click("text=评价本次办理（好差评）")
    assert page.input_value("#id_case_no") == "E2E-CASE-2"
    page.fill("#id_last4", "0007")
    page.check("input[name=level][value='2']")
    page.fill("#id_comment", "材料清单和窗口说法不一致")
    screenshot(page, "case-rate-390")
    assert_accessible(page)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    follow_up_no = page.locator("#receipt-no").inner_text().strip()
    assert "感谢您的评价" in page.content()
    follow_up = Feedback.objects.get(receipt_no=follow_up_no)
    assert follow_up.source == Feedback.SOURCE_RATING and follow_up.department.code == "wgl"
    context.close()
