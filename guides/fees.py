"""Fee items (收费项目): their versions, their basis documents and their review step.

The fee schedule pages and API (disclosures/fees.py) read these models; the admin's listing and
edit boundaries are the FeeItemViewSet in guides/fee_admin.py; the cache invalidation on a fee
change is in guides/pagecache.py.

Review: a Wagtail task that center admins approve for their own center.

Fee items are snippets, and Wagtail assigns one workflow to a snippet model, not one per
center; a plain group-approval task would let any center's admin approve any center's fee
item. This task offers its actions (approve, request changes) only to a member of its groups
whose scope (portal.roles) covers the fee item's department, and locks the item for everyone
else while it is in review.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.models import DraftStateMixin, GroupApprovalTask, Orderable, RevisionMixin, WorkflowMixin
from wagtail.search import index

from portal.models import Department
from portal.roles import scope_for


class FeeItemQuerySet(models.QuerySet):
    def in_force(self, on=None):
        """Fee item versions in force on a given day (today by default)."""
        on = on or timezone.localdate()
        return self.filter(Q(effective_from__lte=on), Q(effective_to__isnull=True) | Q(effective_to__gte=on))


class PublishedFeeItemManager(models.Manager.from_queryset(FeeItemQuerySet)):
    """Published fee items only (what the public site, API and files use)."""

    def get_queryset(self):
        return super().get_queryset().filter(live=True)


class FeeItem(WorkflowMixin, DraftStateMixin, RevisionMixin, index.Indexed, ClusterableModel):
    """A charge (收费项目). Versioned by effective dates: each row is one version of `code`.
    Reviewed like items (FeeApprovalTask below); `objects`: published rows, `all_versions`: all."""

    code = models.CharField(_("收费编码"), max_length=50)
    name = models.CharField(_("收费项目名称"), max_length=200)
    department = models.ForeignKey(
        Department, verbose_name=_("收费部门"), on_delete=models.PROTECT, related_name="fee_items"
    )
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    formula = models.CharField(_("计费方式"), max_length=300, blank=True, help_text=_("金额不固定时，写明计算方法"))
    unit = models.CharField(_("计费单位"), max_length=50, blank=True, default="件")
    effective_from = models.DateField(_("执行起始日"))
    effective_to = models.DateField(_("执行截止日"), null=True, blank=True)
    notes = models.TextField(_("备注"), blank=True)

    all_versions = FeeItemQuerySet.as_manager()  # first, so the default manager (admin)
    objects = PublishedFeeItemManager()

    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("department"),
        FieldRowPanel([FieldPanel("amount"), FieldPanel("unit")]),
        FieldPanel("formula"),
        FieldRowPanel([FieldPanel("effective_from"), FieldPanel("effective_to")]),
        InlinePanel("basis", label=_("收费依据"), min_num=1),
        FieldPanel("notes"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("code"),
        index.AutocompleteField("name"),
        index.FilterField("department"),
    ]

    class Meta:
        verbose_name = _("收费项目")
        verbose_name_plural = _("收费项目")
        ordering = ["department__center__sort_order", "code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["department", "code", "effective_from"], name="fee_version_unique"),
        ]
        indexes = [models.Index(fields=["code", "effective_from"])]

    def __str__(self):
        return f"{self.name}（{self.price_text}）"

    @property
    def price_text(self):
        if self.amount is not None:
            return f"{self.amount.normalize():f} 元/{self.unit}" if self.unit else f"{self.amount.normalize():f} 元"
        return self.formula or "—"

    def clean(self):
        if self.effective_to and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": _("执行截止日不能早于起始日")})
        if self.amount is None and not self.formula:
            raise ValidationError({"amount": _("请填写金额或计费方式")})

    def versions(self):
        """Every version of this fee (same department and code), newest first."""
        return FeeItem.objects.filter(department_id=self.department_id, code=self.code).order_by("-effective_from")

    def version_on(self, day):
        return self.versions().in_force(day).first()


class FeeBasis(Orderable):
    """A document a fee is charged under (收费依据): disclosure 7."""

    fee_item = ParentalKey(FeeItem, related_name="basis", on_delete=models.CASCADE)
    title = models.CharField(_("文件名称"), max_length=300)
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    issuer = models.CharField(_("发文机关"), max_length=100, blank=True)
    url = models.URLField(_("链接"), blank=True)

    panels = [FieldPanel("title"), FieldPanel("document_number"), FieldPanel("issuer"), FieldPanel("url")]

    def __str__(self):
        return f"{self.title}（{self.document_number}）" if self.document_number else self.title


class FeeApprovalTask(GroupApprovalTask):
    def _covers(self, obj, user):
        if user.is_superuser:
            return True
        department = getattr(obj, "department", None)
        if department is None:
            return False
        return scope_for(user).covers_department(department)

    def user_can_access_editor(self, obj, user):
        return self._covers(obj, user) and super().user_can_access_editor(obj, user)

    def locked_for_user(self, obj, user):
        return not self._covers(obj, user) or super().locked_for_user(obj, user)

    def get_actions(self, obj, user):
        if not self._covers(obj, user):
            return []
        return super().get_actions(obj, user)

    class Meta:
        verbose_name = _("收费项目审批（本中心）")
        verbose_name_plural = _("收费项目审批（本中心）")
