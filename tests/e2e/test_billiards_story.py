"""The issue's "done when" story, end to end in Chromium (tests/e2e/test_feedback_journey.py has
the lookup and rating journeys):

a citizen searches for 开办台球室 and opens the item, sees the six rules, what to bring (blank
form, 示例样表, 填写说明, 容缺受理 / 告知承诺 / 免提交 markers) and the 办理结果 with its sample
certificate, on a 1366 px screen and on a 390 px phone; submits a complaint; the culture
department's editor answers it within the deadline; a second complaint is not answered in time,
so the center's supervisor sees it overdue and escalates it; the month's bulletin counts both
(one answered on time, one overdue).

Screenshots go to test-results/ (story-*.png).
"""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image as PILImage

from tests.e2e.conftest import assert_accessible, screenshot
from tests.e2e.test_feedback_journey import DESKTOP, PHONE, billiards, citizen, editor, solve  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def enrich(item):
    """What a culture department editor publishes: the result with a sample, forms and markers."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    from guides.models import GuidePage, Material

    Document, Image = get_document_model(), get_image_model()
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    blank = Document.objects.create(title="申请表", file=ContentFile(pdf, name="application-form.pdf"))
    filled = Document.objects.create(title="申请表示例", file=ContentFile(pdf, name="application-sample.pdf"))
    licence_pdf = Document.objects.create(title="娱乐经营许可证样本", file=ContentFile(pdf, name="licence.pdf"))
    buffer = io.BytesIO()
    PILImage.new("RGB", (600, 400), (190, 40, 40)).save(buffer, format="PNG")
    licence_image = Image.objects.create(title="娱乐经营许可证样本", file=ImageFile(buffer, name="licence.png"))
    page = GuidePage.objects.get(pk=item.pk)
    page.result_name = "娱乐经营许可证"
    page.result_type = "certificate"
    page.result_sample = licence_pdf
    page.result_sample_image = licence_image
    page.materials = [
        Material(
            name="娱乐场所经营许可申请表",
            blank_form=blank,
            sample=filled,
            instructions="用黑色签字笔填写；经营面积按平面图填写，单位为平方米。",
            sort_order=0,
        ),
        Material(name="消防安全检查合格证明", requirement="deferrable", notify_commit=True, sort_order=1),
        Material(name="营业执照", source="市场监管部门", originals=0, copies=1, e_license=True, sort_order=2),
    ]
    page.save_revision().publish()
    return GuidePage.objects.get(pk=item.pk)


def submit_complaint(page, live_server, item, story, phone):
    page.goto(live_server.url + item.url)
    with page.expect_navigation():
        page.click("text=咨询、投诉或建议")
    page.check("input[name=kind][value=complaint]")
    page.fill("#id_content", story)
    page.fill("#id_contact_phone", phone)
    page.fill("#id_challenge_answer", solve(page.locator("label[for=id_challenge_answer]").inner_text()))
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    return page.locator("#receipt-no").inner_text().strip()


def check_item_page(page, width):
    rules = page.locator("#handling-rules").inner_text()
    assert "直接办理制" in rules and "承诺超时默认制" in rules and "过期未答复视为同意" in rules
    materials = page.locator("#disclosure-4")
    text = materials.inner_text()
    assert "娱乐场所经营许可申请表" in text and "空白表格" in text and "示例样表" in text
    assert "容缺受理" in text and "告知承诺" in text and "免提交（可用电子证照）" in text
    page.locator("details.instructions summary").first.click()  # a native disclosure, no script
    assert page.locator("details.instructions").first.inner_text().count("黑色签字笔") == 1
    result = page.locator("#result")
    assert "娱乐经营许可证" in result.inner_text() and "证照" in result.inner_text()
    assert result.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    assert result.locator("a[download]").count() == 1
    assert "娱乐经营许可证" in page.locator(".summary-card").inner_text()
    if width <= 400:
        # Material cards keep their labels, the markers stay inside the card, nothing scrolls sideways.
        label = page.evaluate(
            "getComputedStyle(document.querySelectorAll('table.materials td[data-label]')[1], '::before').content"
        )
        assert "材料名称" in label
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        card = page.locator("table.materials tbody tr").nth(1).bounding_box()
        for marker in page.locator("table.materials tbody tr").nth(1).locator(".tag").all():
            box = marker.bounding_box()
            assert card["x"] <= box["x"] and box["x"] + box["width"] <= card["x"] + card["width"] + 1
        image = result.locator("img").bounding_box()
        assert image["width"] <= width
    assert_accessible(page)


def test_billiards_room_story_end_to_end(live_server, browser, billiards):  # noqa: F811 (the shared fixture)
    from disclosures import statistics
    from disclosures.feedback.models import Feedback

    item = enrich(billiards)

    # A citizen on a desktop searches for the item and opens it from the results.
    context, page = citizen(browser, DESKTOP)
    page.goto(live_server.url + "/")
    page.fill("#home-q", "开办台球室")
    with page.expect_navigation():
        page.locator("form.big-search button[type=submit]").click()
    with page.expect_navigation():
        page.locator(f"main a:has-text('{item.title}')").first.click()
    assert page.url.rstrip("/").endswith(item.url.rstrip("/"))
    check_item_page(page, DESKTOP["width"])
    screenshot(page, "story-item-1366")
    context.close()

    # The same page on a 390 px phone.
    context, page = citizen(browser, PHONE)
    page.goto(live_server.url + item.url)
    check_item_page(page, PHONE["width"])
    screenshot(page, "story-item-390")
    page.locator("table.materials").screenshot(path=str(screenshot_dir() / "story-materials-390.png"))
    page.locator("#result").screenshot(path=str(screenshot_dir() / "story-result-390.png"))

    # The complaint, from the phone.
    first = submit_complaint(
        page,
        live_server,
        item,
        "为开台球室在文化、卫生、消防之间跑了二十天，每个部门都说要先去另一个部门盖章。",
        "13912345678",
    )
    assert first.startswith("TS")
    screenshot(page, "story-receipt-390")
    context.close()
    complaint = Feedback.objects.get(receipt_no=first)
    assert complaint.department.code == "wgl" and complaint.due_date >= timezone.localdate()

    # The culture department's editor answers it within the deadline.
    context, page = editor(browser, live_server, "e2e_culture")
    page.goto(live_server.url + "/admin/feedback/")
    with page.expect_navigation():
        page.click(f"text={first}")
    page.fill("#id_answer", "已由文化窗口牵头，会同卫生、消防部门联合办理，许可证已于今日核发。")
    with page.expect_navigation():
        page.click("form:has(#id_answer) button[type=submit]")
    assert "已答复" in page.content()
    context.close()
    complaint.refresh_from_db()
    assert complaint.answered_at is not None and not complaint.is_overdue

    # A second complaint is left unanswered past its deadline (the clock moved on).
    context, page = citizen(browser, DESKTOP)
    second = submit_complaint(
        page, live_server, item, "消防窗口说台球室要另外办理卫生许可，已经等了十天。", "13700001111"
    )
    context.close()
    Feedback.objects.filter(receipt_no=second).update(due_date=timezone.localdate() - timezone.timedelta(days=1))

    # The center's supervisor sees the overdue one (not the answered one) and escalates it.
    context, page = editor(browser, live_server, "e2e_supervisor")
    page.goto(live_server.url + "/admin/feedback/?status=overdue")
    listing = page.content()
    assert second in listing and first not in listing and "超期" in listing
    screenshot(page, "story-supervisor-overdue-1366")
    with page.expect_navigation():
        page.click(f"text={second}")
    page.fill("#id_escalate_note", "超期未答复，请文化部门今日答复")
    with page.expect_navigation():
        page.click("form:has(#id_escalate_note) button[type=submit]")
    assert "已督办" in page.content()
    context.close()
    assert Feedback.objects.get(receipt_no=second).escalated_at is not None

    # The month's bulletin counts both: received 2, answered 1, overdue 1.
    data = statistics.compute("city", timezone.localdate().strftime("%Y-%m"))
    row = next(row for row in data["departments"] if row["code"] == "wgl")
    assert (row["complaints"], row["complaints_answered"], row["complaints_overdue"]) == (2, 1, 1)


def screenshot_dir():
    from tests.e2e.conftest import OUTPUT

    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT
