"""Service items (政务服务事项) and their eight disclosures; themes; fee items; life-event bundles.

Each item is a GuidePage; repeating parts (steps, legal basis, materials, fees) are inline
orderables so that Wagtail revisions capture them and the public change history can be derived.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    Panel,
    TabbedInterface,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from core import pageviews
from portal.forms import PortalPageForm
from portal.models import Department, ServiceCenter

from .bundles import bundle_summary
from .choices import (
    AUDIENCE_CHOICES,
    AUDIENCE_PERSON,
    FORMAT_CHOICES,
    HANDLING_CHOICES,
    HANDLING_PROMISED,
    ITEM_TYPE_CHOICES,
    POWER_CODES,
    REQUIREMENT_CHOICES,
    RESULT_TYPE_CHOICES,
    power_field,
)
from .completeness import completeness
from .fees import FeeApprovalTask, FeeBasis, FeeItem, FeeItemQuerySet, PublishedFeeItemManager  # noqa: F401 (models of this app)
from .forms import GuidePageForm
from .handling_rules import RULE_CODES, HandlingRulesMixin, rule_field
from .pinyin import pinyin_keys
from .validation import scalar_errors


class Theme(models.Model):
    """A theme (主题) for browsing, per audience: 户籍办理, 设立变更, 社会保障 …"""

    name = models.CharField(_("主题名称"), max_length=50)
    slug = models.SlugField(_("标识"), max_length=50, unique=True)
    audience = models.CharField(_("服务对象"), max_length=10, choices=AUDIENCE_CHOICES, default=AUDIENCE_PERSON)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("audience"), FieldPanel("sort_order")]

    class Meta:
        verbose_name = _("主题")
        verbose_name_plural = _("主题")
        ordering = ["audience", "sort_order", "name"]

    def __str__(self):
        return f"{self.name}（{self.get_audience_display()}）"


register_snippet(Theme)


class GuideIndexPage(RoutablePageMixin, Page):
    """The catalog: browse items by audience, theme, department and center, and A–Z."""

    base_form_class = PortalPageForm

    intro = models.CharField(_("导语"), max_length=250, blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["guides.GuideFolderPage"]
    max_count = 1

    class Meta:
        verbose_name = _("办事指南目录")

    @path("")
    def browse_view(self, request):
        return pageviews.view("guides.browse")(request, self)

    @path("themes/<str:audience>/")
    def themes_view(self, request, audience):
        return pageviews.view("guides.themes")(request, self, audience)


class CompletenessPanel(Panel):
    """Read-only panel on the item edit view: which of the eight disclosures are present.

    It always shows the latest *saved* version (the newest revision, draft or published) and says
    so with its time; edits on the form that were not saved (say, refused by validation) do not
    count, and the panel says that too.
    """

    class BoundPanel(Panel.BoundPanel):
        template_name = "guides/admin/completeness_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            result, saved_at = None, None
            pk = getattr(self.instance, "pk", None)
            revision = Page.objects.get(pk=pk).get_latest_revision() if pk else None
            if revision is not None:
                try:
                    result = completeness(revision.as_object())
                    saved_at = revision.created_at
                except (ValueError, AttributeError):  # a damaged revision: show nothing rather than fail
                    result = None
            context["completeness"] = result
            context["saved_at"] = saved_at
            context["unsaved_edits"] = bool(self.form is not None and self.form.is_bound)
            return context


class GuideFolderPage(Page):
    """A center's or a department's part of the catalog tree: /guides/<center>/<department>/<item>/.

    The tree follows the organisation so that Wagtail's own page permissions (per subtree) give
    each center and department its editing boundary. Visitors opening a folder see the catalog
    filtered to it.
    """

    base_form_class = PortalPageForm

    center = models.ForeignKey(ServiceCenter, verbose_name=_("中心"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    content_panels = Page.content_panels + [FieldPanel("center"), FieldPanel("department")]
    parent_page_types = ["guides.GuideIndexPage", "guides.GuideFolderPage"]
    subpage_types = ["guides.GuideFolderPage", "guides.GuidePage"]

    class Meta:
        verbose_name = _("指南分组（中心/部门）")
        constraints = [
            models.UniqueConstraint(fields=["center", "department"], name="guide_folder_unique"),
        ]

    def serve(self, request, *args, **kwargs):
        from django.shortcuts import redirect
        from django.utils.http import urlencode

        index = GuideIndexPage.objects.ancestor_of(self).first()
        query = {"center": self.center.code}
        if self.department_id:
            query["department"] = self.department.code
        return redirect(f"{index.url}?{urlencode(query)}" if index else "/")


class GuidePage(RoutablePageMixin, HandlingRulesMixin, Page):
    """One service item with every element of the national guide and the eight disclosures."""

    # 1 项目名称 — the page title is the item name (事项名称).
    item_code = models.CharField(_("事项编码"), max_length=64, db_index=True)
    item_type = models.CharField(_("事项类型"), max_length=20, choices=ITEM_TYPE_CHOICES, default="licensing")
    center = models.ForeignKey(
        ServiceCenter, verbose_name=_("所属中心"), on_delete=models.PROTECT, related_name="items"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("实施主体"), on_delete=models.PROTECT, related_name="items"
    )
    audience = models.CharField(_("服务对象"), max_length=10, choices=AUDIENCE_CHOICES, default=AUDIENCE_PERSON)
    themes = ParentalManyToManyField(Theme, verbose_name=_("主题"), blank=True, related_name="items")
    # 2 办理程序
    acceptance_conditions = models.TextField(_("受理条件"), blank=True)
    handling_type = models.CharField(_("办件类型"), max_length=10, choices=HANDLING_CHOICES, default=HANDLING_PROMISED)
    visits_required = models.PositiveSmallIntegerField(_("到现场次数"), default=1)
    # Real online-service URLs carry long query strings (500+ characters are common);
    # 2,000 stays under the 2,048 that Django's URL validator accepts.
    online_url = models.URLField(_("网上办理地址"), max_length=2000, blank=True)
    # 5 承诺时限 (working days)
    statutory_days = models.PositiveIntegerField(_("法定办结时限（工作日）"), null=True, blank=True)
    promised_days = models.PositiveIntegerField(_("承诺办结时限（工作日）"), null=True, blank=True)
    # 6 收费标准
    charges = models.BooleanField(_("是否收费"), default=False)
    # 8 窗口权限
    power_accept = models.BooleanField(_("受理权"), default=False)
    power_review = models.BooleanField(_("审核权"), default=False)
    power_coordinate = models.BooleanField(_("协调处置权"), default=False)
    power_deliver = models.BooleanField(_("办理结果送达权"), default=False)
    power_litigate = models.BooleanField(_("应诉代理权"), default=False)
    power_certify = models.BooleanField(_("制证权"), default=False)
    power_approve = models.BooleanField(_("审批权"), default=False)
    # Other elements
    should_enter = models.BooleanField(_("应进驻中心"), default=True)
    entered = models.BooleanField(_("已进驻中心"), default=True)
    place = models.CharField(_("办理地点"), max_length=300, blank=True)
    hours = models.CharField(_("办理时间"), max_length=200, blank=True)
    consult_phone = models.CharField(_("咨询电话"), max_length=100, blank=True)
    complaint_phone = models.CharField(_("投诉电话"), max_length=100, blank=True)
    notes = RichTextField(_("其他说明"), blank=True)
    # 办理结果 (result of the service) and a sample of it: a PDF (document) and/or an image.
    result_name = models.CharField(
        _("办理结果名称"), max_length=200, blank=True, help_text=_("例如：娱乐经营许可证、准予许可决定书")
    )
    result_type = models.CharField(_("办理结果类型"), max_length=20, choices=RESULT_TYPE_CHOICES, blank=True)
    result_sample = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("结果样本（PDF 等文件）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    result_sample_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("结果样本（图片）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_reviewed = models.DateField(_("最近审核日期"), null=True, blank=True)
    # Browsing aids (filled on save from the title; see guides/pinyin.py).
    featured = models.BooleanField(_("常办事项"), default=False, help_text=_("勾选后在首页“常办事项”中展示"))
    pinyin_initial = models.CharField(_("拼音首字母"), max_length=1, blank=True, db_index=True, editable=False)
    pinyin = models.CharField(_("拼音"), max_length=255, blank=True, editable=False)
    # How citizens name the item (provincial catalogs carry both); searched with the name.
    short_name = models.CharField(
        _("事项简称"), max_length=100, blank=True, help_text=_("群众常用的简短名称，例如：营业执照办理")
    )
    everyday_terms = models.CharField(
        _("日常用语"),
        max_length=500,
        blank=True,
        help_text=_("群众口头怎么说，用逗号或空格分隔，例如：开公司 办执照 注册公司"),
    )

    content_panels = [
        CompletenessPanel(heading=_("八公开完整度")),
        MultiFieldPanel(
            [
                FieldPanel("title", heading=_("事项名称")),
                FieldRowPanel([FieldPanel("item_code"), FieldPanel("item_type")]),
                FieldRowPanel([FieldPanel("short_name"), FieldPanel("everyday_terms")]),
                FieldRowPanel([FieldPanel("center"), FieldPanel("department")]),
                FieldPanel("audience"),
                FieldPanel("themes"),
            ],
            heading=_("一、项目名称"),
        ),
        MultiFieldPanel(
            [
                InlinePanel("steps", label=_("办理步骤")),
                FieldPanel("acceptance_conditions"),
                FieldRowPanel([FieldPanel("handling_type"), FieldPanel("visits_required")]),
                FieldPanel("online_url"),
            ],
            heading=_("二、办理程序"),
        ),
        InlinePanel("legal_basis", label=_("三、设立依据")),
        InlinePanel("materials", label=_("四、申报材料")),
        FieldRowPanel([FieldPanel("statutory_days"), FieldPanel("promised_days")], heading=_("五、承诺时限")),
        MultiFieldPanel(
            [FieldPanel("charges"), InlinePanel("fees", label=_("收费项目"))], heading=_("六、七、收费标准与依据")
        ),
        MultiFieldPanel([FieldPanel(power_field(code)) for code in POWER_CODES], heading=_("八、窗口权限")),
        MultiFieldPanel([FieldPanel(rule_field(code)) for code in RULE_CODES], heading=_("六制（适用的办理制度）")),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("result_name"), FieldPanel("result_type")]),
                FieldRowPanel([FieldPanel("result_sample"), FieldPanel("result_sample_image")]),
            ],
            heading=_("办理结果"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("should_enter"), FieldPanel("entered")]),
                FieldPanel("place"),
                FieldPanel("hours"),
                FieldRowPanel([FieldPanel("consult_phone"), FieldPanel("complaint_phone")]),
                FieldPanel("notes"),
                FieldPanel("last_reviewed"),
            ],
            heading=_("其他要素"),
        ),
    ]
    promote_panels = Page.promote_panels + [FieldPanel("featured")]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("事项内容")),
            ObjectList(promote_panels, heading=_("推广")),
            ObjectList(Page.settings_panels, heading=_("设置")),
        ]
    )

    search_fields = Page.search_fields + [
        index.SearchField("acceptance_conditions"),
        index.FilterField("center"),
        index.FilterField("department"),
        index.FilterField("audience"),
        index.FilterField("item_code"),
    ]
    parent_page_types = ["guides.GuideFolderPage"]
    subpage_types = []
    base_form_class = GuidePageForm

    class Meta:
        verbose_name = _("办事指南")
        verbose_name_plural = _("办事指南")
        indexes = [models.Index(fields=["center", "item_code"])]

    def __str__(self):
        return self.title

    def prepare_for_save(self):
        """Every write (also guides/bulk.py): pinyin keys; 其他说明 whitelisted (portal/richtext.py)."""
        from portal.richtext import clean_rich_text

        self.pinyin_initial, self.pinyin = pinyin_keys(self.title)
        self.notes = clean_rich_text(self.notes)

    def save(self, *args, **kwargs):
        from .ownership import apply_folder_owner, unique_item_code

        apply_folder_owner(self)  # guides/ownership.py: center/department from the tree,
        self.item_code = unique_item_code(self)  # and a copy's code gets "-副本"
        self.prepare_for_save()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "title" in update_fields:
            kwargs["update_fields"] = list({*update_fields, "pinyin_initial", "pinyin"})
        return super().save(*args, **kwargs)

    @path("")
    def item_view(self, request):
        return pageviews.view("guides.item")(request, self)

    @path("checklist/")
    def checklist_view(self, request):
        return pageviews.view("guides.checklist")(request, self)

    @property
    def name(self):
        return self.title

    @property
    def window_authority(self):
        return {code: getattr(self, power_field(code)) for code in POWER_CODES}

    def fee_versions(self, on=None):
        """The version in force on `on` of each linked fee item (disclosures 6 and 7)."""
        on = on or timezone.localdate()
        result = []
        for link in self.fees.all():
            current = link.fee_item.version_on(on)
            if current is not None:
                result.append(current)
        return result

    @cached_property
    def completeness(self):
        return completeness(self)

    def clean(self):
        # Field-level rules only: inline children are checked by the admin form and the importer,
        # which see the children being saved (see guides/validation.py).
        super().clean()
        errors = scalar_errors(
            center_id=self.center_id,
            item_code=self.item_code,
            statutory_days=self.statutory_days,
            promised_days=self.promised_days,
            exclude_pk=self.pk,
            items=GuidePage.objects,
        )
        if errors:
            raise ValidationError(errors)

    def full_clean(self, *args, **kwargs):
        # The slug follows the item's identity so that its URL is stable.
        if not self.slug and self.item_code:
            self.slug = slugify(self.item_code)
        super().full_clean(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        """The site's frame around what the item shows, stored at publish time
        (guides/stored_presentation.py; rendered afresh when stale, for previews and drafts)."""
        context = super().get_context(request, *args, **kwargs)
        shown = stored_presentation.for_page(self, request)
        context.update({"item": self, "presentation": shown, "breadcrumbs": shown.breadcrumbs})
        return context


class GuideStep(Orderable):
    page = ParentalKey(GuidePage, related_name="steps", on_delete=models.CASCADE)
    name = models.CharField(_("环节名称"), max_length=100)
    description = models.TextField(_("办理内容"), blank=True)
    who = models.CharField(_("办理人员"), max_length=100, blank=True)
    time_limit = models.CharField(_("时限"), max_length=50, blank=True)

    def __str__(self):
        return self.name


class LegalBasis(Orderable):
    page = ParentalKey(GuidePage, related_name="legal_basis", on_delete=models.CASCADE)
    title = models.CharField(_("法律法规名称"), max_length=300)
    issuer = models.CharField(_("制定机关"), max_length=100, blank=True)
    article = models.CharField(_("条款"), max_length=300, blank=True)
    url = models.URLField(_("链接"), max_length=2000, blank=True)

    def __str__(self):
        return f"《{self.title}》{self.article}"


class Material(Orderable):
    page = ParentalKey(GuidePage, related_name="materials", on_delete=models.CASCADE)
    name = models.CharField(_("材料名称"), max_length=200, blank=True)
    source = models.CharField(_("来源渠道"), max_length=100, blank=True, default="申请人自备")
    originals = models.PositiveSmallIntegerField(_("原件份数"), default=1)
    copies = models.PositiveSmallIntegerField(_("复印件份数"), default=0)
    format = models.CharField(_("材料形式"), max_length=12, choices=FORMAT_CHOICES, default="paper")
    requirement = models.CharField(_("必要性"), max_length=12, choices=REQUIREMENT_CHOICES, default="required")
    notes = models.CharField(_("备注"), max_length=500, blank=True)
    blank_form = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("空白表格"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sample = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("示例样表"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    instructions = models.TextField(_("填写说明"), blank=True, help_text=_("告诉申请人怎样填写、常见错误"))
    notify_commit = models.BooleanField(
        _("告知承诺"), default=False, help_text=_("申请人书面承诺后可不提交该材料，由部门事后核查")
    )
    e_license = models.BooleanField(
        _("免提交（可用电子证照）"), default=False, help_text=_("部门可调用电子证照，申请人不必提交纸质材料")
    )

    def __str__(self):
        return self.name

    @property
    def deferrable(self):
        """容缺受理: the application is accepted while this material is still missing."""
        return self.requirement == "deferrable"


class GuideFee(Orderable):
    page = ParentalKey(GuidePage, related_name="fees", on_delete=models.CASCADE)
    fee_item = models.ForeignKey(
        FeeItem,
        verbose_name=_("收费项目"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"live": True},  # published fee items only
    )

    def __str__(self):
        return str(self.fee_item)


class LifeEventIndexPage(Page):
    base_form_class = PortalPageForm
    intro = models.CharField(_("导语"), max_length=250, blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["guides.LifeEventPage"]
    max_count = 1

    class Meta:
        verbose_name = _("一件事目录")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["events"] = LifeEventPage.objects.child_of(self).live().order_by("title")
        return context


class LifeEventPage(Page):
    """一件事一次办: items from several departments that a person needs together."""

    base_form_class = PortalPageForm

    intro = models.TextField(_("简介"), blank=True)
    parallel = models.BooleanField(
        _("并联办理"), default=True, help_text=_("并联办理时合计时限取各事项最长者，否则为各事项之和")
    )
    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("parallel"),
        InlinePanel("bundle_items", label=_("包含事项"), min_num=1),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["guides.LifeEventIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("一件事")

    def items(self):
        ids = [link.item_id for link in self.bundle_items.all()]
        pages = {
            page.pk: page
            for page in GuidePage.objects.filter(pk__in=ids)
            .live()
            .select_related("department", "center")
            .prefetch_related("materials")
        }
        return [pages[pk] for pk in ids if pk in pages]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["bundle"] = bundle_summary(self.items(), parallel=self.parallel)
        return context


class LifeEventItem(Orderable):
    page = ParentalKey(LifeEventPage, related_name="bundle_items", on_delete=models.CASCADE)
    item = models.ForeignKey(GuidePage, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("item")]


from . import stored_presentation  # noqa: E402 (defines a model of this app)
from .popularity import ItemPopularity, ItemViewDay  # noqa: E402, F401  (models of this app)
from .stored_presentation import ItemPresentation  # noqa: E402, F401  (models of this app)
