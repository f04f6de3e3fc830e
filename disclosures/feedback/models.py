"""Feedback (咨询/投诉/建议) from the public, and what editors and supervisors did with it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.timezones import local_date
from portal.models import Department, ServiceCenter


class Feedback(models.Model):
    """One consultation, complaint or suggestion, sent from the public form without an account.

    The contact phone is kept for the department to call back and is never shown on a public
    page or written to open data; the public lookup needs the receipt number and the phone's
    last four digits (`phone_last4`).
    """

    CONSULT = "consult"
    COMPLAINT = "complaint"
    SUGGESTION = "suggestion"
    KIND_CHOICES = [(CONSULT, _("咨询")), (COMPLAINT, _("投诉")), (SUGGESTION, _("建议"))]

    PENDING = "pending"
    ANSWERED = "answered"
    STATUS_CHOICES = [(PENDING, _("办理中")), (ANSWERED, _("已答复"))]

    SOURCE_FORM = "form"
    SOURCE_RATING = "rating"
    SOURCE_CHOICES = [(SOURCE_FORM, _("网上留言")), (SOURCE_RATING, _("差评回访"))]

    receipt_no = models.CharField(_("受理编号"), max_length=24, unique=True, editable=False)
    kind = models.CharField(_("类型"), max_length=12, choices=KIND_CHOICES)
    source = models.CharField(_("来源"), max_length=8, choices=SOURCE_CHOICES, default=SOURCE_FORM)
    center = models.ForeignKey(ServiceCenter, verbose_name=_("中心"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department,
        verbose_name=_("承办部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("为空时由中心分派"),
    )
    item = models.ForeignKey(
        "guides.GuidePage", verbose_name=_("事项"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(_("涉及事项"), max_length=200, blank=True, help_text=_("提交时的事项或一件事名称"))
    content = models.TextField(_("内容"))
    content_hash = models.CharField(max_length=64, db_index=True, editable=False)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    phone_last4 = models.CharField(_("电话后四位"), max_length=4, blank=True, editable=False)
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now, db_index=True)
    due_date = models.DateField(_("答复期限"))
    status = models.CharField(_("状态"), max_length=10, choices=STATUS_CHOICES, default=PENDING)
    answer = models.TextField(_("答复内容"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    escalated_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    faq_published = models.BooleanField(_("作为常见问题公开"), default=False)
    faq_question = models.TextField(_("公开的问题（已去除个人信息）"), blank=True)

    class Meta:
        verbose_name = _("咨询投诉")
        verbose_name_plural = _("咨询投诉")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["center", "created_at"], name="feedback_center_created"),
            models.Index(fields=["department", "status"], name="feedback_dept_status"),
            models.Index(fields=["item", "faq_published"], name="feedback_item_faq"),
        ]

    def __str__(self):
        return f"{self.receipt_no} {self.get_kind_display()}"

    @property
    def is_overdue(self):
        """Answered after the deadline, or still unanswered past it (超期)."""
        if self.answered_at is not None:
            return local_date(self.answered_at) > self.due_date
        return timezone.localdate() > self.due_date

    @property
    def escalated(self):
        return self.escalated_at is not None


class FeedbackEvent(models.Model):
    """One step in a feedback's life: received, transferred, escalated, answered, published."""

    RECEIVED = "received"
    TRANSFERRED = "transferred"
    ESCALATED = "escalated"
    ANSWERED = "answered"
    PUBLISHED = "published"
    ACTION_CHOICES = [
        (RECEIVED, _("受理")),
        (TRANSFERRED, _("转办")),
        (ESCALATED, _("督办")),
        (ANSWERED, _("答复")),
        (PUBLISHED, _("公开为常见问题")),
    ]

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=12, choices=ACTION_CHOICES)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("咨询投诉处理记录")
        verbose_name_plural = _("咨询投诉处理记录")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.feedback.receipt_no} {self.get_action_display()}"
