"""Site-wide pages, site settings, and the organisation: service centers and departments."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from . import panels


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

    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("level"),
        FieldPanel("parent"),
        FieldPanel("address"),
        FieldPanel("hours"),
        FieldPanel("phone"),
        FieldPanel("sort_order"),
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
    `portal.panels`, so the portal does not depend on them.
    """

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

    intro = models.CharField(_("导语"), max_length=250, blank=True)
    body = RichTextField(_("正文"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        verbose_name = _("普通页面")
