"""Case records (办件), the holiday calendar, push-API tokens and the bulletin pages.

Cases are the raw material of the monthly statistics; everything a statistic needs per case
(on time? same day? due date?) is computed once at import, so the monthly figures are plain
conditional counts in the database even with tens of millions of rows.

The bulletin pages are here whole (fields, panels, templates); what their pages show is
computed by the bulletin code and handed over by the page views registered in
disclosures/bulletin_views.py (core.pageviews), so these models import none of it.
"""

import hashlib
import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from core import pageviews
from portal.forms import PortalPageForm
from portal.models import Department, ServiceCenter
from portal.richtext import clean_rich_text

from .bulletin_data import bulletin_title, city_name


class Holiday(models.Model):
    """One day of the official holiday calendar (法定节假日 and 调休).

    A row with is_workday=False is a day off (even on a weekday); is_workday=True marks a
    make-up working day (调休上班), usually a Saturday or Sunday. Days without a row follow the
    week: Monday–Friday work, Saturday and Sunday off. Editors maintain this as data.
    """

    date = models.DateField(_("日期"), unique=True)
    name = models.CharField(_("名称"), max_length=50, help_text=_("例如：春节、国庆节调休上班"))
    is_workday = models.BooleanField(
        _("调休上班日"), default=False, help_text=_("勾选表示这一天（通常是周末）需要上班；不勾选表示放假。")
    )

    panels = [FieldPanel("date"), FieldPanel("name"), FieldPanel("is_workday")]

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["date"]

    def __str__(self):
        kind = _("上班") if self.is_workday else _("放假")
        return f"{self.date:%Y-%m-%d} {self.name}（{kind}）"


register_snippet(Holiday)


class Case(models.Model):
    """One case (办件) as reported by an approval system or imported from a file.

    Sized for tens of millions of rows: narrow columns, derived flags stored at import
    (completed_on_time, completed_same_day, due_date) and indexes matching the statistics'
    filters (center or department plus a month range on received_at or completed_at).
    """

    CHANNEL_WINDOW = "window"
    CHANNEL_ONLINE = "online"
    CHANNEL_CHOICES = [(CHANNEL_WINDOW, _("窗口")), (CHANNEL_ONLINE, _("网上"))]

    STATUS_RECEIVED = "received"
    STATUS_COMPLETED = "completed"
    STATUS_RETURNED = "returned"
    STATUS_CHOICES = [(STATUS_RECEIVED, _("受理")), (STATUS_COMPLETED, _("办结")), (STATUS_RETURNED, _("退回"))]

    SATISFACTION_GOOD = "good"
    SATISFACTION_NEUTRAL = "neutral"
    SATISFACTION_BAD = "bad"
    SATISFACTION_CHOICES = [
        (SATISFACTION_GOOD, _("好评")),
        (SATISFACTION_NEUTRAL, _("中评")),
        (SATISFACTION_BAD, _("差评")),
    ]

    id = models.BigAutoField(primary_key=True)
    case_no = models.CharField(_("办件编号"), max_length=64, unique=True)
    center = models.ForeignKey(ServiceCenter, verbose_name=_("中心"), on_delete=models.PROTECT, related_name="cases")
    item = models.ForeignKey(
        "guides.GuidePage",
        verbose_name=_("事项"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        db_index=False,  # never filtered by item alone; the (item_code) text stays for history
    )
    item_code = models.CharField(_("事项编码"), max_length=64)
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    channel = models.CharField(_("办理渠道"), max_length=8, choices=CHANNEL_CHOICES, default=CHANNEL_WINDOW)
    received_at = models.DateTimeField(_("受理时间"))
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=STATUS_CHOICES, default=STATUS_RECEIVED)
    promised_days = models.PositiveSmallIntegerField(_("承诺时限（工作日）"), null=True, blank=True)
    due_date = models.DateField(
        _("承诺办结日"), null=True, blank=True, help_text=_("受理日加承诺工作日；无承诺时限时为空")
    )
    completed_on_time = models.BooleanField(_("按时办结"), null=True, blank=True)
    completed_same_day = models.BooleanField(_("当日办结"), null=True, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=8, choices=SATISFACTION_CHOICES, null=True, blank=True)
    complaint = models.BooleanField(_("投诉"), default=False)
    # Only the last four digits of the applicant's phone: the key of the public progress lookup
    # and 好差评 (with the case number). Never exported; empty means no public lookup.
    phone_last4 = models.CharField(_("申请人电话后四位"), max_length=4, blank=True, default="")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        indexes = [
            models.Index(fields=["center", "completed_at"], name="case_center_completed"),
            models.Index(fields=["center", "received_at"], name="case_center_received"),
            models.Index(fields=["department", "completed_at"], name="case_dept_completed"),
            models.Index(fields=["department", "received_at"], name="case_dept_received"),
            models.Index(fields=["completed_at"], name="case_completed"),
            models.Index(fields=["received_at"], name="case_received"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True) | Q(completed_at__gte=models.F("received_at")),
                name="case_completed_after_received",
            ),
        ]

    def __str__(self):
        return self.case_no

    @property
    def is_overdue(self):
        """Completed late, or still open past its due date (超期)."""
        if self.completed_at is not None:
            return self.completed_on_time is False
        if self.status == self.STATUS_RETURNED or self.due_date is None:
            return False
        return timezone.localdate() > self.due_date


def hash_token(token):
    """SHA-256 of a push token; only the hash is stored, so a database leak reveals no token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class CenterApiToken(models.Model):
    """A bearer token that lets one center's approval system push cases to /api/cases/."""

    center = models.ForeignKey(
        ServiceCenter, verbose_name=_("中心"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("用途"), max_length=100, blank=True, help_text=_("例如：审批系统推送"))
    token_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("令牌前缀"), max_length=8, editable=False, help_text=_("用于辨认令牌，不能用于认证"))
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("办件推送令牌")
        verbose_name_plural = _("办件推送令牌")
        ordering = ["center", "-created_at"]

    def __str__(self):
        return f"{self.center} {self.prefix}…"

    @classmethod
    def issue(cls, center, name=""):
        """Create a token for `center`; returns (token object, the plain token shown once)."""
        token = secrets.token_urlsafe(32)
        obj = cls.objects.create(center=center, name=name, token_hash=hash_token(token), prefix=token[:8])
        return obj, token

    @classmethod
    def authenticate(cls, token):
        """The active token object matching a plain token, or None."""
        if not token:
            return None
        return cls.objects.select_related("center").filter(token_hash=hash_token(token), active=True).first()


class BulletinIndexPage(Page):
    """The bulletin archive (/bulletins/): filters by center and year, pagination, feed link."""

    base_form_class = PortalPageForm

    intro = RichTextField(_("导语"), blank=True)

    template = "disclosures/bulletin_index_page.html"
    subpage_types = ["disclosures.BulletinPage"]
    content_panels = [*Page.content_panels, FieldPanel("intro")]
    max_count = 1

    class Meta:
        verbose_name = _("运行情况通报栏目")

    def save(self, *args, **kwargs):
        self.intro = clean_rich_text(self.intro)
        return super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(pageviews.view("disclosures.bulletin_archive")(self, request))
        return context


class BulletinPage(Page):
    """One monthly operation bulletin (运行情况通报) for a center, or the whole city (center empty).

    counts/figures/ranking/departments/trend freeze the output of
    `disclosures.statistics.compute()` at build time; `extra` keeps its other keys
    (overdue, complaints, satisfaction, ...), so the page and files never change after the fact.
    """

    base_form_class = PortalPageForm

    center = models.ForeignKey(
        ServiceCenter,
        verbose_name=_("中心"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bulletins",
        help_text=_("留空表示全市"),
    )
    period = models.DateField(_("统计月份"), help_text=_("该月第一天"))
    narrative = RichTextField(_("情况说明"), blank=True)
    counts = models.JSONField(_("计数"), default=dict, blank=True)
    figures = models.JSONField(_("指标"), default=dict, blank=True)
    ranking = models.JSONField(_("中心排名"), default=list, blank=True)
    departments = models.JSONField(_("部门情况"), default=list, blank=True)
    trend = models.JSONField(_("近12个月趋势"), default=list, blank=True)
    extra = models.JSONField(_("其他数据"), default=dict, blank=True)
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    pdf = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("PDF"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("运行情况通报")
        constraints = [
            models.UniqueConstraint(fields=["center", "period"], name="bulletin_center_period_unique"),
            models.UniqueConstraint(
                fields=["period"], condition=Q(center__isnull=True), name="bulletin_city_period_unique"
            ),
        ]
        indexes = [models.Index(fields=["period", "center"], name="bulletin_period_center")]

    template = "disclosures/bulletin_page.html"
    parent_page_types = ["disclosures.BulletinIndexPage"]
    subpage_types = []
    content_panels = [
        *Page.content_panels,
        FieldPanel("center", read_only=True),
        FieldPanel("period", read_only=True),
        FieldPanel("narrative"),
        HelpPanel(
            content=_(
                "计数和指标在生成通报时冻结，不能在此修改；如需更正数据，请修正办件后重新运行"
                "“build_bulletin”，系统会为本页生成新的修订版本。"
            )
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("narrative"),
        index.RelatedFields("center", [index.SearchField("name")]),
        index.FilterField("period"),
        index.FilterField("center"),
    ]

    def save(self, *args, **kwargs):
        self.narrative = clean_rich_text(self.narrative)
        return super().save(*args, **kwargs)

    @property
    def center_code(self):
        return self.center.code if self.center_id else "all"

    def interface_title(self):
        """The title in the interface language: the stored title is the Chinese one the build
        wrote; an English page says “临江市政务服务中心 operation bulletin, November 2026”
        (the center's name is content and stays Chinese)."""
        if (translation.get_language() or "zh-hans").startswith("zh"):
            return self.title
        return bulletin_title(self.center.name if self.center_id else city_name(), self.period)

    def get_context(self, request, *args, **kwargs):
        """The frozen figures, charts, tables, definitions, downloads and citation."""
        context = super().get_context(request, *args, **kwargs)
        context.update(pageviews.view("disclosures.bulletin")(self, request))
        return context


@register_setting(icon="date")
class BulletinSettings(BaseSiteSetting):
    """When the monthly bulletins are built, and whether they go out without review."""

    build_day = models.PositiveSmallIntegerField(
        _("每月生成日"), default=3, help_text=_("每月几号生成上月通报（1–28）")
    )
    build_hour = models.PositiveSmallIntegerField(_("生成时刻（时）"), default=6, help_text=_("0–23 点"))
    publish_directly = models.BooleanField(_("直接发布"), default=False, help_text=_("不勾选时生成草稿，经审核后发布"))

    panels = [FieldPanel("build_day"), FieldPanel("build_hour"), FieldPanel("publish_directly")]

    class Meta:
        verbose_name = _("通报设置")
        constraints = [
            models.CheckConstraint(condition=Q(build_day__gte=1, build_day__lte=28), name="bulletin_build_day_range"),
            models.CheckConstraint(
                condition=Q(build_hour__gte=0, build_hour__lte=23), name="bulletin_build_hour_range"
            ),
        ]


class BulletinBuildFailure(models.Model):
    """A scheduled bulletin build that failed, kept for editors until someone resolves it."""

    period = models.DateField(_("统计月份"))
    center = models.ForeignKey(
        ServiceCenter,
        verbose_name=_("中心"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("留空表示全市"),
    )
    error = models.TextField(_("错误"))
    traceback = models.TextField(_("详细信息"), blank=True)
    created_at = models.DateTimeField(_("发生时间"), auto_now_add=True)
    resolved = models.BooleanField(_("已处理"), default=False)

    panels = [FieldPanel("period"), FieldPanel("center"), FieldPanel("error"), FieldPanel("resolved")]

    class Meta:
        verbose_name = _("通报生成失败")
        verbose_name_plural = _("通报生成失败")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.period:%Y-%m} {self.center or _('全市')}: {self.error[:60]}"


from .casedesk.models import CaseRating  # noqa: E402, F401  (好差评)
from .feedback.models import Feedback, FeedbackEvent  # noqa: E402, F401  (the feedback app part)
