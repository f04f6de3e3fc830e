"""What happens to a consultation or complaint: submit, answer, transfer, escalate, publish, look up.

Deadlines are counted in working days from the day of receipt (disclosures.workdays, which
follows the holiday calendar): FEEDBACK_ANSWER_DAYS gives the days per kind.
"""

import datetime
import hashlib
import re
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import timezones
from portal.roles import scope_for

from .. import workdays
from .models import Feedback, FeedbackEvent

DEFAULT_ANSWER_DAYS = {Feedback.CONSULT: 5, Feedback.COMPLAINT: 10, Feedback.SUGGESTION: 15}
RECEIPT_PREFIX = {Feedback.CONSULT: "ZX", Feedback.COMPLAINT: "TS", Feedback.SUGGESTION: "JY"}
RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out over the phone
DUPLICATE_HOURS = 24

_PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)|(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


class FeedbackError(ValueError):
    """A request the rules do not allow; the message is fit for the user."""


def answer_days(kind):
    days = dict(DEFAULT_ANSWER_DAYS)
    days.update(getattr(settings, "FEEDBACK_ANSWER_DAYS", {}) or {})
    return days[kind]


def due_date_for(kind, received):
    return workdays.add_working_days(timezones.local_date(received), answer_days(kind))


def normalise_phone(text):
    """Digits of a phone number ('' when none given)."""
    return re.sub(r"\D", "", str(text or ""))


def content_hash(item_id, subject, content):
    text = re.sub(r"\s+", "", str(content or ""))
    return hashlib.sha256(f"{item_id or ''}|{subject}|{text}".encode()).hexdigest()


def new_receipt_no(kind, day):
    code = "".join(secrets.choice(RECEIPT_ALPHABET) for _i in range(8))
    return f"{RECEIPT_PREFIX[kind]}{day:%Y%m%d}{code}"


def find_duplicate(digest, now=None):
    now = now or timezone.now()
    since = now - datetime.timedelta(hours=DUPLICATE_HOURS)
    return Feedback.objects.filter(content_hash=digest, created_at__gte=since).first()


@transaction.atomic
def submit(
    *,
    kind,
    center,
    content,
    department=None,
    item=None,
    subject="",
    contact_name="",
    contact_phone="",
    source=Feedback.SOURCE_FORM,
    now=None,
):
    """Record a submission; returns the Feedback. Raises FeedbackError for a duplicate."""
    now = now or timezone.now()
    digest = content_hash(item.pk if item else None, subject, content)
    if source == Feedback.SOURCE_FORM and find_duplicate(digest, now) is not None:
        raise FeedbackError(_("相同内容已在 24 小时内提交过，请勿重复提交。如需了解办理情况，请用受理编号查询。"))
    phone = normalise_phone(contact_phone)
    feedback = Feedback(
        kind=kind,
        source=source,
        center=center,
        department=department,
        item=item,
        subject=subject[:200],
        content=content,
        content_hash=digest,
        contact_name=contact_name,
        contact_phone=phone,
        phone_last4=phone[-4:],
        created_at=now,
        due_date=due_date_for(kind, now),
    )
    for _attempt in range(5):
        feedback.receipt_no = new_receipt_no(kind, timezones.local_date(now))
        if not Feedback.objects.filter(receipt_no=feedback.receipt_no).exists():
            break
    feedback.save()
    FeedbackEvent.objects.create(feedback=feedback, action=FeedbackEvent.RECEIVED, at=now, department=department)
    return feedback


def lookup(receipt_no, last4):
    """The feedback matching a receipt number and the phone's last four digits, or None.

    A submission without a phone is found with an empty `last4` only.
    """
    receipt_no = str(receipt_no or "").strip().upper()
    last4 = normalise_phone(last4)
    if not receipt_no or len(receipt_no) > 24:
        return None
    feedback = Feedback.objects.select_related("department", "center", "item").filter(receipt_no=receipt_no).first()
    if feedback is None or not secrets.compare_digest(feedback.phone_last4, last4):
        return None
    return feedback


# --- Editors and supervisors ---------------------------------------------------------------


def visible_to(user):
    """Feedback a user may see: their departments' ones, and every one of a center they administer."""
    scope = scope_for(user)
    queryset = Feedback.objects.select_related("center", "department", "item")
    if scope.everything:
        return queryset
    if scope.empty:
        return queryset.none()
    return queryset.filter(Q(department_id__in=scope.department_ids) | Q(center_id__in=scope.center_ids))


def can_supervise(user, feedback):
    """Center administrators (and system administrators) act as the center's supervisors (督办)."""
    scope = scope_for(user)
    return scope.everything or feedback.center_id in scope.center_ids


def can_handle(user, feedback):
    scope = scope_for(user)
    return can_supervise(user, feedback) or (
        feedback.department_id is not None and feedback.department_id in scope.department_ids
    )


def _require(allowed, message):
    if not allowed:
        raise FeedbackError(message)


@transaction.atomic
def answer(feedback, user, text, now=None):
    _require(can_handle(user, feedback), _("您无权答复这条咨询投诉。"))
    text = (text or "").strip()
    _require(bool(text), _("请填写答复内容。"))
    now = now or timezone.now()
    feedback.answer = text
    feedback.answered_at = now
    feedback.answered_by = user
    feedback.status = Feedback.ANSWERED
    feedback.save(update_fields=["answer", "answered_at", "answered_by", "status"])
    FeedbackEvent.objects.create(
        feedback=feedback, action=FeedbackEvent.ANSWERED, at=now, user=user, department=feedback.department
    )


@transaction.atomic
def transfer(feedback, user, department, note=""):
    _require(can_handle(user, feedback), _("您无权转办这条咨询投诉。"))
    _require(feedback.status == Feedback.PENDING, _("已答复的咨询投诉不能转办。"))
    _require(department is not None and department.center_id == feedback.center_id, _("只能转给本中心的部门。"))
    _require(department.pk != feedback.department_id, _("已由该部门承办，无需转办。"))
    feedback.department = department
    feedback.save(update_fields=["department"])
    FeedbackEvent.objects.create(
        feedback=feedback, action=FeedbackEvent.TRANSFERRED, user=user, department=department, note=note.strip()
    )


@transaction.atomic
def escalate(feedback, user, note=""):
    _require(can_supervise(user, feedback), _("只有中心督办人员可以督办。"))
    _require(feedback.status == Feedback.PENDING, _("已答复的咨询投诉无需督办。"))
    feedback.escalated_at = timezone.now()
    feedback.save(update_fields=["escalated_at"])
    FeedbackEvent.objects.create(
        feedback=feedback, action=FeedbackEvent.ESCALATED, user=user, department=feedback.department, note=note.strip()
    )


def anonymise(text):
    """The text with phone numbers, ID card numbers and e-mail addresses masked."""
    text = _ID_CARD.sub("［身份证号已隐去］", str(text or ""))
    text = _PHONE.sub("［电话已隐去］", text)
    return _EMAIL.sub("［邮箱已隐去］", text)


@transaction.atomic
def publish_faq(feedback, user, question, publish=True):
    """Publish (or withdraw) an answered consultation as the item's 常见问题."""
    _require(can_handle(user, feedback), _("您无权公开这条咨询。"))
    if publish:
        _require(feedback.kind == Feedback.CONSULT, _("只有咨询可以公开为常见问题。"))
        _require(feedback.status == Feedback.ANSWERED, _("请先答复，再公开为常见问题。"))
        _require(feedback.item_id is not None, _("没有关联事项的咨询不能公开为常见问题。"))
        question = anonymise((question or "").strip())
        _require(bool(question), _("请填写公开的问题。"))
        feedback.faq_question = question
    feedback.faq_published = publish
    feedback.save(update_fields=["faq_question", "faq_published"])
    FeedbackEvent.objects.create(
        feedback=feedback, action=FeedbackEvent.PUBLISHED, user=user, note="" if publish else _("撤回公开")
    )
    from guides.pagecache import bump_version

    bump_version()


def item_faqs(item):
    """Published 常见问题 of an item, newest first (question and answer only)."""
    return list(
        Feedback.objects.filter(item=item, faq_published=True)
        .order_by("-answered_at")
        .values("faq_question", "answer", "answered_at")[:20]
    )


def overdue_q(today=None):
    today = today or timezone.localdate()
    return Q(status=Feedback.PENDING, due_date__lt=today)
