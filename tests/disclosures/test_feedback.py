"""咨询与投诉: the public form and its abuse protection, the receipt, the lookup (and its limits),
the admin (per department, transfer, supervision), 常见问题 and the bulletin's complaint counts."""

import re

import pytest
from django.core.cache import caches
from django.test import override_settings
from django.utils import timezone, translation

from disclosures import statistics, workdays
from disclosures.feedback import challenge, service
from disclosures.feedback.models import Feedback, FeedbackEvent
from portal.models import Department, EditorialRole
from tests.guides.helpers import sign_in
from tests.portal.editorial_support import editorial_roles, item_in, make_editor  # noqa: F401

from .feedback_helpers import answer_of, form_data, question_in, token_in
from .helpers_cases import at, make_center, make_department, make_item

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
def item():
    return item_in("city", "scjg")


def url_for(item):
    return f"/feedback/new/?center={item.center.code.upper()}&item={item.item_code.lower()}"


def submit(client, item, **fields):
    return client.post(url_for(item), form_data(client, url_for(item), **fields))


# --- the challenge --------------------------------------------------------------------------


def test_challenge_is_text_signed_single_use():
    question, token = challenge.new()
    assert re.search(r"[一二三四五六七八九十]", question) and "等于几" in question
    assert challenge.check(token, "999") == "验证题答案不正确，请重新计算。"
    assert challenge.check(token, answer_of(question)) is None
    assert challenge.check(token, answer_of(question)) == "验证题已使用过，请回答新的验证题。"
    assert challenge.check(token + "x", "1") == "验证题无效，请回答新的验证题。"
    other_question, other = challenge.new()
    full_width = answer_of(other_question).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert challenge.check(other, full_width) is None


def test_challenge_token_does_not_reveal_the_answer():
    """The hidden token holds a nonce and a keyed hash only: no numbers, no operator, no answer,
    and the hash cannot be recomputed without the server's SECRET_KEY."""
    import base64
    import hashlib
    import json

    question, token = challenge.new()
    answer = answer_of(question)
    encoded = token.split(":")[0]
    payload = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    assert set(payload) == {"n", "h"}
    unkeyed = {hashlib.sha256(f"{payload['n']}:{guess}".encode()).hexdigest() for guess in range(-5, 30)}
    assert payload["h"] not in unkeyed
    with override_settings(SECRET_KEY="another-key-" + "x" * 50):
        assert challenge.check(token, answer) == "验证题无效，请回答新的验证题。"
    assert challenge.check(token, answer) is None


def test_challenge_in_english_uses_digits():
    with translation.override("en"):
        question, token = challenge.new()
    assert re.fullmatch(r"What is \d+ (plus|minus) \d+\? \(answer in digits\)", question), question
    assert challenge.check(token, answer_of(question)) is None


@override_settings(FEEDBACK_CHALLENGE_MAX_AGE=-1)
def test_challenge_expires():
    question, token = challenge.new()
    assert challenge.check(token, answer_of(question)) == "验证题已过期，请回答新的验证题。"


def test_english_form_is_english_and_asks_for_a_number_keypad(client, item):
    client.cookies["django_language"] = "en"
    html = client.get(url_for(item)).content.decode()
    assert re.search(r"What is \d+ (plus|minus) \d+\?", question_in(html))
    assert "Say when, where, what happened and what you ask for, 10–2000 characters." in html
    assert "请写明" not in html
    assert re.search(r'<input type="tel"[^>]*name="contact_phone"[^>]*inputmode="tel"', html)
    assert re.search(r'<input type="text"[^>]*name="challenge_answer"[^>]*inputmode="numeric"', html)
    client.cookies["django_language"] = "zh-hans"
    html = client.get(url_for(item)).content.decode()
    assert "请写明时间、地点、经过和您的诉求，10–2000 字。" in html
    assert re.search(r"[一二三四五六七八九十] (加|减) ", question_in(html))


# --- submitting -----------------------------------------------------------------------------


def test_form_is_linked_from_the_item_page_and_names_the_item(client, item):
    page = client.get(item.url).content.decode()
    assert f"/feedback/new/?center={item.center.code}&amp;item={item.item_code}" in page
    html = client.get(url_for(item)).content.decode()
    assert item.title in html and "验证题" not in html or "等于几" in html
    assert 'name="website"' in html and 'class="form-field hp"' in html
    assert "<script" not in html.split("<body", 1)[1].replace('<script src="/static/js/site.js" defer></script>', "")


def test_complaint_gets_a_receipt_department_and_deadline_in_working_days(client, item):
    response = submit(client, item)
    assert response.status_code == 302 and response["Location"].startswith("/feedback/receipt/?r=")
    feedback = Feedback.objects.get()
    assert feedback.kind == Feedback.COMPLAINT and feedback.department == item.department and feedback.item == item
    assert re.fullmatch(r"TS\d{8}[2-9A-HJ-NP-Z]{8}", feedback.receipt_no)
    assert feedback.phone_last4 == "5678" and feedback.contact_phone == "13912345678"
    assert feedback.due_date == workdays.add_working_days(timezone.localdate(), 10)
    receipt = client.get(response["Location"]).content.decode()
    assert feedback.receipt_no in receipt and "13912345678" not in receipt
    assert list(feedback.events.values_list("action", flat=True)) == [FeedbackEvent.RECEIVED]


def test_failed_submit_keeps_everything_and_explains_in_chinese(client, item):
    data = form_data(client, url_for(item), content="太慢了", contact_name="张三", contact_phone="139-1234-5678")
    response = client.post(url_for(item), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "内容太短，请至少写 10 个字" in html and "已填写的内容都已保留" in html
    assert "太慢了" in html and 'value="张三"' in html and 'value="139-1234-5678"' in html
    assert token_in(html) != data["challenge_token"]  # a new question for the next try
    assert not Feedback.objects.exists()
    bad_phone = client.post(url_for(item), form_data(client, url_for(item), contact_phone="12345"))
    assert "电话号码格式不正确" in bad_phone.content.decode()
    wrong = client.post(url_for(item), form_data(client, url_for(item), challenge_answer="1000"))
    assert "验证题答案不正确" in wrong.content.decode() and not Feedback.objects.exists()


def test_size_limit_and_honeypot(client, item):
    long = client.post(url_for(item), form_data(client, url_for(item), content="长" * 2001))
    assert long.status_code == 400 and "内容不能超过 2000 字" in long.content.decode()
    bot = client.post(url_for(item), form_data(client, url_for(item), website="http://spam.example"))
    assert bot.status_code == 400 and "提交未通过检查" in bot.content.decode()
    assert not Feedback.objects.exists()


def test_duplicate_is_refused(client, item):
    assert submit(client, item).status_code == 302
    again = submit(client, item, content="我在窗口排了两个小时，被告知还要去消防部门盖章，  但指南里没有写明。")
    assert again.status_code == 400 and "请勿重复提交" in again.content.decode()
    assert Feedback.objects.count() == 1


@override_settings(PUBLIC_FORM_LIMITS={"feedback-submit": (3, 600)})
def test_submissions_are_rate_limited(client, item):
    codes = [submit(client, item, content=f"第 {n} 条不同的留言内容，用于测试频率限制。").status_code for n in range(4)]
    assert codes == [302, 302, 302, 429]


@override_settings(PUBLIC_FORM_LIMITS={"feedback-submit": (2, 600), "feedback-attempt": (6, 600)})
def test_mistakes_do_not_use_up_the_submissions_and_a_limited_form_keeps_the_text(client, item):
    """Four mistaken tries, then two accepted; the next post comes back 429 with the typed text."""
    mistakes = [submit(client, item, content="太短").status_code for _ in range(4)]
    assert mistakes == [400] * 4
    accepted = [submit(client, item, content=f"第 {n} 条不同的留言内容，排队太久。").status_code for n in range(2)]
    assert accepted == [302, 302]
    limited = submit(client, item, content="第三条留言：窗口说材料不全但没有一次性告知。")
    html = limited.content.decode()
    assert limited.status_code == 429 and limited["Retry-After"]
    assert "提交过于频繁" in html and "您填写的内容已保留" in html
    assert "第三条留言：窗口说材料不全但没有一次性告知。" in html
    assert Feedback.objects.count() == 2


def test_a_wrong_answer_is_reported_beside_other_errors(client, item):
    data = form_data(client, url_for(item), content="太短", challenge_answer="1000")
    html = client.post(url_for(item), data).content.decode()
    assert "内容太短" in html and "验证题答案不正确" in html


def test_help_text_is_linked_to_its_field(client, item):
    html = client.get(url_for(item)).content.decode()
    assert 'aria-describedby="id_content_helptext"' in html and 'id="id_content_helptext"' in html


def test_unknown_target_and_center_and_life_event_targets(client, centers):
    assert client.get("/feedback/new/?center=city&item=NO-SUCH").status_code == 404
    assert client.get("/feedback/new/").status_code == 404
    assert "找不到要咨询或投诉的事项" in client.get("/feedback/new/?center=nowhere").content.decode()
    html = client.get("/feedback/new/?center=CITY").content.decode()
    assert centers["city"].name in html
    response = client.post(
        "/feedback/new/?center=city", form_data(client, "/feedback/new/?center=city", kind="suggestion")
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.department is None and feedback.center == centers["city"] and feedback.receipt_no.startswith("JY")


# --- lookup ---------------------------------------------------------------------------------


def test_lookup_shows_status_and_answer_without_contact(client, item):
    submit(client, item, contact_name="李四")
    feedback = Feedback.objects.get()
    html = client.post("/feedback/lookup/", {"receipt_no": feedback.receipt_no.lower(), "last4": "5678"}).content
    html = html.decode()
    assert "办理中" in html and item.department.name in html and feedback.due_date.isoformat() in html
    assert "13912345678" not in html and "李四" not in html
    wrong = client.post("/feedback/lookup/", {"receipt_no": feedback.receipt_no, "last4": "0000"})
    assert wrong.status_code == 400 and "没有找到对应的记录" in wrong.content.decode()
    letters = client.post("/feedback/lookup/", {"receipt_no": feedback.receipt_no, "last4": "12a4"})
    assert "请填写电话号码的最后四位数字" in letters.content.decode()


def _error_box(html):
    return html.split('id="form-errors"', 1)[1].split("</div>", 1)[0]


def test_lookup_not_found_reads_as_a_search_and_does_not_tell_which_part_is_wrong(client, item):
    submit(client, item)
    receipt_no = Feedback.objects.get().receipt_no
    wrong_digits = client.post("/feedback/lookup/", {"receipt_no": receipt_no, "last4": "0000"}).content.decode()
    wrong_number = client.post("/feedback/lookup/", {"receipt_no": "TS20260101XXXXXXXX", "last4": "5678"})
    box = _error_box(wrong_digits)
    assert "未能查询，请按提示核对后再查" in box and "没有找到对应的记录" in box
    assert "提交未成功" not in box and "已保留" not in box
    assert _error_box(wrong_number.content.decode()) == box


def test_lookup_without_phone_needs_empty_digits(client, item):
    submit(client, item, contact_phone="")
    feedback = Feedback.objects.get()
    assert client.post("/feedback/lookup/", {"receipt_no": feedback.receipt_no, "last4": ""}).status_code == 200
    assert client.post("/feedback/lookup/", {"receipt_no": feedback.receipt_no, "last4": "1234"}).status_code == 400


def test_guessing_the_digits_is_stopped(client, item):
    """An attacker with a receipt number tries the digits: after five misses even the right ones fail."""
    submit(client, item)
    receipt_no = Feedback.objects.get().receipt_no
    codes = [
        client.post("/feedback/lookup/", {"receipt_no": receipt_no, "last4": f"{n:04d}"}).status_code for n in range(5)
    ]
    assert codes == [400] * 5
    blocked = client.post("/feedback/lookup/", {"receipt_no": receipt_no, "last4": "5678"})
    assert blocked.status_code == 429 and "Retry-After" in blocked
    # From another address too: the limit is on the receipt number.
    other = client.post("/feedback/lookup/", {"receipt_no": receipt_no, "last4": "5678"}, REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 429


@override_settings(PUBLIC_FORM_LIMITS={"lookup": (10, 600)})
def test_enumerating_receipt_numbers_is_rate_limited(client):
    codes = [
        client.post("/feedback/lookup/", {"receipt_no": f"TS20260101AAAA{n:04d}", "last4": "1234"}).status_code
        for n in range(11)
    ]
    assert codes[:10] == [400] * 10 and codes[10] == 429


# --- the admin: departments, transfer, supervision, 常见问题 ---------------------------------------


@pytest.fixture
def people(editorial_roles):  # noqa: F811
    return {
        "scjg": make_editor("fb_scjg", EditorialRole.WINDOW, "city", "scjg"),
        "gaj": make_editor("fb_gaj", EditorialRole.REVIEWER, "city", "gaj"),
        "supervisor": make_editor("fb_admin", EditorialRole.CENTER_ADMIN, "city"),
        "county": make_editor("fb_county", EditorialRole.CENTER_ADMIN, "dongcheng"),
    }


def test_department_editor_answers_and_citizen_reads_it(client, item, people):
    submit(client, item)
    feedback = Feedback.objects.get()
    sign_in(client, people["scjg"])
    listing = client.get("/admin/feedback/").content.decode()
    assert feedback.receipt_no in listing
    detail = client.get(f"/admin/feedback/{feedback.pk}/").content.decode()
    assert "13912345678" in detail  # editors may call back
    # The header names the page, with the list one step up in the breadcrumbs (not "首页").
    assert re.search(r"<h1[^>]*>\s*(?:<[^>]+>\s*)*咨询投诉 " + feedback.receipt_no, detail), detail[:3000]
    response = client.post(
        f"/admin/feedback/{feedback.pk}/", {"action": "answer", "answer": "已核实，消防手续可在中心窗口一并办理。"}
    )
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == Feedback.ANSWERED and feedback.answered_by == people["scjg"] and not feedback.is_overdue
    client.logout()
    html = client.post("/feedback/lookup/", {"receipt_no": feedback.receipt_no, "last4": "5678"}).content.decode()
    assert "已答复" in html and "消防手续可在中心窗口一并办理" in html


def test_other_departments_and_centers_do_not_see_it(client, item, people):
    submit(client, item)
    feedback = Feedback.objects.get()
    for name in ("gaj", "county"):
        sign_in(client, people[name])
        assert feedback.receipt_no not in client.get("/admin/feedback/?status=all").content.decode()
        assert client.get(f"/admin/feedback/{feedback.pk}/").status_code == 404
        assert client.post(f"/admin/feedback/{feedback.pk}/", {"action": "answer", "answer": "x"}).status_code == 404
    feedback.refresh_from_db()
    assert feedback.status == Feedback.PENDING


def test_transfer_moves_it_to_the_other_department(client, item, people):
    submit(client, item)
    feedback = Feedback.objects.get()
    gaj = Department.objects.get(center__code="city", code="gaj")
    sign_in(client, people["scjg"])
    response = client.post(
        f"/admin/feedback/{feedback.pk}/", {"action": "transfer", "department": gaj.pk, "note": "属公安职责"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/feedback/"
    feedback.refresh_from_db()
    assert feedback.department == gaj
    assert client.get(f"/admin/feedback/{feedback.pk}/").status_code == 404
    sign_in(client, people["gaj"])
    assert feedback.receipt_no in client.get("/admin/feedback/").content.decode()
    other_center = Department.objects.filter(center__code="dongcheng").first()
    with pytest.raises(service.FeedbackError, match="只能转给本中心的部门"):
        service.transfer(feedback, people["gaj"], other_center)
    html = client.post("/feedback/lookup/", {"receipt_no": feedback.receipt_no, "last4": "5678"}).content.decode()
    assert "转办" in html and gaj.name in html and "属公安职责" not in html


def test_supervisor_sees_overdue_and_escalates(client, item, people):
    submit(client, item)
    feedback = Feedback.objects.get()
    Feedback.objects.filter(pk=feedback.pk).update(due_date=timezone.localdate() - timezone.timedelta(days=1))
    sign_in(client, people["scjg"])
    refused = client.post(f"/admin/feedback/{feedback.pk}/", {"action": "escalate"}, follow=True)
    assert "只有中心督办人员可以督办" in refused.content.decode()
    sign_in(client, people["supervisor"])
    overdue = client.get("/admin/feedback/?status=overdue").content.decode()
    assert feedback.receipt_no in overdue and "超期" in overdue
    client.post(f"/admin/feedback/{feedback.pk}/", {"action": "escalate", "note": "请三日内答复"})
    feedback.refresh_from_db()
    assert feedback.escalated
    sign_in(client, people["scjg"])
    assert feedback.receipt_no in client.get("/admin/feedback/?status=escalated").content.decode()
    assert FeedbackEvent.objects.filter(feedback=feedback, action=FeedbackEvent.ESCALATED, note="请三日内答复").exists()


def test_answered_consultation_published_as_anonymised_faq(client, item, people):
    submit(client, item, kind="consult", content="我的电话13811112222，身份证110101199001011234，开办需要哪些材料？")
    feedback = Feedback.objects.get()
    with pytest.raises(service.FeedbackError, match="请先答复"):
        service.publish_faq(feedback, people["scjg"], "问题")
    service.answer(feedback, people["scjg"], "需要营业执照和消防验收意见。")
    sign_in(client, people["scjg"])
    detail = client.get(f"/admin/feedback/{feedback.pk}/").content.decode()
    assert "［电话已隐去］" in detail and "［身份证号已隐去］" in detail
    client.post(
        f"/admin/feedback/{feedback.pk}/",
        {"action": "publish", "faq_question": "我的电话13811112222，开办需要哪些材料？"},
    )
    client.logout()
    page = client.get(item.url).content.decode()
    assert "常见问题" in page and "需要营业执照和消防验收意见" in page
    assert "13811112222" not in page and "［电话已隐去］，开办需要哪些材料" in page


# --- the bulletin ---------------------------------------------------------------------------


def test_bulletin_complaints_come_from_the_portal(db):
    center = make_center("fbcenter", "投诉测试中心")
    culture, health = make_department(center, "wh", "文化部门"), make_department(center, "ws", "卫生部门")
    billiards = make_item(center, culture, "FB-1", title="开办台球室")
    clinic = make_item(center, health, "FB-2")

    def complaint(item, received, answered=None, kind=Feedback.COMPLAINT):
        feedback = service.submit(
            kind=kind,
            center=center,
            department=item.department,
            item=item,
            subject=item.title,
            content=f"{item.pk}{received}{answered}",
            now=received,
        )
        if answered:
            Feedback.objects.filter(pk=feedback.pk).update(answered_at=answered, status=Feedback.ANSWERED)
            feedback.refresh_from_db()
        return feedback

    on_time = complaint(billiards, at("2026-03-02"), at("2026-03-05"))
    late = complaint(billiards, at("2026-03-02"), at("2026-03-27"))
    open_late = complaint(clinic, at("2026-03-03"))
    complaint(clinic, at("2026-03-30"))  # due in April: not overdue in March
    complaint(billiards, at("2026-03-04"), kind=Feedback.CONSULT)  # not a complaint
    complaint(billiards, at("2026-04-02"))  # next month
    assert on_time.due_date == workdays.add_working_days(at("2026-03-02").date(), 10)
    assert late.is_overdue and not on_time.is_overdue and open_late.due_date < at("2026-03-31").date()

    data = statistics.compute("fbcenter", "2026-03")
    assert data["complaints"] == 4
    assert data["complaints_detail"] == {"cases": 0, "received": 4, "answered": 2, "overdue": 2}
    rows = {row["code"]: row for row in data["departments"]}
    assert (rows["wh"]["complaints"], rows["wh"]["complaints_answered"], rows["wh"]["complaints_overdue"]) == (2, 2, 1)
    assert (rows["ws"]["complaints"], rows["ws"]["complaints_answered"], rows["ws"]["complaints_overdue"]) == (2, 0, 1)
    assert sum(row["complaints"] for row in rows.values()) == data["complaints"]
