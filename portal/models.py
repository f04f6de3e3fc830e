"""Site-wide pages, site settings, and the organisation: service centers and departments."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, PageChooserPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from core import pageviews, panels

from .choices import NOTICE_CATEGORIES
from .forms import NoticePageForm, PortalPageForm
from .richtext import clean_rich_text


class ServiceCenter(index.Indexed, models.Model):
    """A service center: the city center (市本级) or a county/district center under it."""

    LEVEL_CITY = "city"
    LEVEL_COUNTY = "county"
    LEVEL_DISTRICT = "district"
    LEVEL_CHOICES = [(LEVEL_CITY, _("市级")), (LEVEL_COUNTY, _("县级")), (LEVEL_DISTRICT, _("区级"))]

    code = models.SlugField(_("中心编码"), max_length=32, unique=True, allow_unicode=False)
    name = models.CharField(_("中心名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=LEVEL_CHOICES, default=LEVEL_COUNTY)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级中心"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    hours = models.CharField(_("办公时间"), max_length=200, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=50, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    require_handling_rules = models.BooleanField(
        _("要求公开六制"),
        default=False,
        help_text=_("勾选后，本中心事项未标明适用的六制时，完整度报告计为缺失"),
    )

    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("level"),
        FieldPanel("parent"),
        FieldPanel("address"),
        FieldPanel("hours"),
        FieldPanel("phone"),
        FieldPanel("sort_order"),
        FieldPanel("require_handling_rules"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name"), index.FilterField("code")]

    class Meta:
        verbose_name = _("服务中心")
        verbose_name_plural = _("服务中心")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name


class Department(index.Indexed, models.Model):
    """A department (实施主体) with windows in one center."""

    code = models.SlugField(_("部门编码"), max_length=32)
    name = models.CharField(_("部门名称"), max_length=100)
    center = models.ForeignKey(
        ServiceCenter, verbose_name=_("所属中心"), on_delete=models.PROTECT, related_name="departments"
    )

    panels = [FieldPanel("code"), FieldPanel("name"), FieldPanel("center")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name"), index.FilterField("center")]

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["center__sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["center", "code"], name="department_code_unique_per_center")]

    def __str__(self):
        return f"{self.name}（{self.center.name}）" if self.center_id else self.name


register_snippet(ServiceCenter)
register_snippet(Department)


@register_setting(icon="site")
class PortalSettings(BaseSiteSetting):
    center_name = models.CharField(_("中心名称"), max_length=100, default="政务服务中心")
    address = models.CharField(_("地址"), max_length=200, blank=True)
    opening_hours = models.CharField(_("办公时间"), max_length=200, blank=True)
    hotline = models.CharField(_("咨询电话"), max_length=50, blank=True)
    complaint_phone = models.CharField(_("投诉电话"), max_length=50, blank=True)
    filing_number = models.CharField(_("备案号"), max_length=100, blank=True)

    panels = [
        FieldPanel("center_name"),
        FieldPanel("address"),
        FieldPanel("opening_hours"),
        FieldPanel("hotline"),
        FieldPanel("complaint_phone"),
        FieldPanel("filing_number"),
    ]

    class Meta:
        verbose_name = _("站点设置")


class HomePage(Page):
    """The front door: search, audience entry points and what is new.

    Panels below the fold (popular items, latest bulletin) come from other apps through
    `core.panels`, so the portal does not depend on them.
    """

    base_form_class = PortalPageForm

    intro = models.CharField(_("导语"), max_length=250, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("首页")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["home_panels"] = panels.home_panels(request)
        return context


class StandardPage(Page):
    """A plain content page (about the center, guidance, policies)."""

    base_form_class = PortalPageForm

    intro = models.CharField(_("导语"), max_length=250, blank=True)
    body = RichTextField(_("正文"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        verbose_name = _("普通页面")

    def save(self, *args, **kwargs):
        self.body = clean_rich_text(self.body)
        return super().save(*args, **kwargs)


class EditorialRole(models.Model):
    """What a group stands for: a role, scoped to a center or a department (see portal/roles.py).

    Groups are created by `manage.py setup_roles`; this record lets dashboards, digests and the
    fee-item checks find a user's center and departments without parsing group names.
    """

    WINDOW = "window"
    REVIEWER = "reviewer"
    CENTER_ADMIN = "center_admin"
    SYSADMIN = "sysadmin"
    ROLE_CHOICES = [
        (WINDOW, _("窗口人员")),
        (REVIEWER, _("部门审核")),
        (CENTER_ADMIN, _("中心管理员")),
        (SYSADMIN, _("系统管理员")),
    ]

    group = models.OneToOneField(
        "auth.Group", verbose_name=_("用户组"), on_delete=models.CASCADE, related_name="editorial_role"
    )
    role = models.CharField(_("角色"), max_length=20, choices=ROLE_CHOICES)
    center = models.ForeignKey(
        ServiceCenter, verbose_name=_("中心"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("编辑角色")
        verbose_name_plural = _("编辑角色")
        constraints = [
            models.UniqueConstraint(fields=["role", "center", "department"], name="editorial_role_unique"),
        ]

    def __str__(self):
        return self.group.name


class NoticeIndexPage(Page):
    """通知公告: /notices/ lists every center's notices; /notices/<center>/ holds one center's.

    Each center's notices live under their own index page so that Wagtail's page permissions
    (per subtree) let a center admin publish only their center's notices.
    """

    base_form_class = PortalPageForm

    intro = models.CharField(_("导语"), max_length=250, blank=True)
    center = models.ForeignKey(
        ServiceCenter,
        verbose_name=_("中心"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("留空表示全部中心的通知公告目录"),
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("center")]
    parent_page_types = ["portal.HomePage", "portal.NoticeIndexPage"]
    subpage_types = ["portal.NoticeIndexPage", "portal.NoticePage"]

    class Meta:
        verbose_name = _("通知公告目录")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(pageviews.view("portal.notice_listing")(self, request))  # portal/notices.py
        return context


class NoticePage(Page):
    """One notice (通知、公告、公示、政策解读) with attachments and related service items."""

    category = models.CharField(_("类别"), max_length=20, choices=NOTICE_CATEGORIES, default="notice")
    date = models.DateField(_("发布日期"), default=timezone.localdate)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    body = RichTextField(_("正文"), blank=True)
    pinned = models.BooleanField(_("置顶"), default=False)
    center = models.ForeignKey(
        ServiceCenter, verbose_name=_("中心"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    content_panels = [
        FieldPanel("title", heading=_("标题")),
        FieldRowPanel([FieldPanel("category"), FieldPanel("date")]),
        FieldPanel("pinned"),
        FieldPanel("summary"),
        FieldPanel("body"),
        InlinePanel("attachments", label=_("附件")),
        InlinePanel("related_items", label=_("相关事项")),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("category"),
        index.FilterField("center"),
    ]
    parent_page_types = ["portal.NoticeIndexPage"]
    subpage_types = []
    base_form_class = NoticePageForm

    class Meta:
        verbose_name = _("通知公告")
        verbose_name_plural = _("通知公告")
        indexes = [models.Index(fields=["pinned", "date"])]

    def save(self, *args, **kwargs):
        self.body = clean_rich_text(self.body)
        # The center follows the index page the notice lives under, so listings can filter by it.
        parent = self.get_parent() if self.pk or self.path else None
        if parent is not None:
            owner = NoticeIndexPage.objects.filter(pk=parent.pk).values_list("center_id", flat=True).first()
            if owner:
                self.center_id = owner
        return super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["attachments"] = [a for a in self.attachments.select_related("document") if a.document_id]
        context["related_pages"] = [
            link.item.specific for link in self.related_items.select_related("item") if link.item.live
        ]
        return context


class NoticeAttachment(Orderable):
    page = ParentalKey(NoticePage, related_name="attachments", on_delete=models.CASCADE)
    document = models.ForeignKey(
        "wagtaildocs.Document", verbose_name=_("文件"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("附件名称"), max_length=200, blank=True, help_text=_("留空则使用文件标题"))

    panels = [FieldPanel("document"), FieldPanel("title")]

    @property
    def label(self):
        return self.title or self.document.title


class NoticeRelatedItem(Orderable):
    page = ParentalKey(NoticePage, related_name="related_items", on_delete=models.CASCADE)
    # A page link (chooser limited to service items) keeps the portal free of imports from guides.
    item = models.ForeignKey("wagtailcore.Page", verbose_name=_("事项"), on_delete=models.CASCADE, related_name="+")

    panels = [PageChooserPanel("item", page_type="guides.GuidePage")]


class SchedulerHeartbeat(models.Model):
    """The task cluster's last sign of life, one row per cluster name.

    Written every minute by the `scheduler-heartbeat` schedule (portal.scheduler_state), so a
    recent row proves the scheduler, the queue and a worker all run.
    """

    name = models.CharField(_("集群"), max_length=100, unique=True)
    seen_at = models.DateTimeField(_("最近心跳"))
    host = models.CharField(_("主机"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("进程"), null=True, blank=True)

    class Meta:
        verbose_name = _("任务队列心跳")
        verbose_name_plural = _("任务队列心跳")

    def __str__(self):
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


# --- Saved report filters (保存的筛选): logic in portal/saved_filters.py ----------------------


class SavedReportFilter(models.Model):
    """A filter set an editor saved on an admin report: the report's key and its query string.

    Generic on purpose (any report, any filter parameters), and per user. It stores only the
    query string: the report applies its own department limits whenever the filter is opened.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_report_filters", verbose_name=_("用户")
    )
    report = models.CharField(_("报告"), max_length=64)
    name = models.CharField(_("名称"), max_length=60)
    querystring = models.CharField(_("筛选条件"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("保存时间"), default=timezone.now)

    class Meta:
        verbose_name = _("保存的筛选")
        verbose_name_plural = _("保存的筛选")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "report", "name"], name="portal_saved_filter_unique_name")
        ]

    def __str__(self):
        return f"{self.report}: {self.name}"
