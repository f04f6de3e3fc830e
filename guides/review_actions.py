"""Bulk actions for a center's 700+ items, through Wagtail's bulk-action API and its workflows.

Select items in the page explorer (or admin search) and:

- 批量提交审核 (submit for review): each selected item's latest version goes into its folder's
  workflow (部门审核 → 中心审批), exactly as if the editor had clicked 提交审核 on each; items
  already in review are left where they are;
- 设置最近审核日期 (set the review date): each item gets a new version with 最近审核日期 set, so
  its next review falls due REVIEW_PERIOD_DAYS later; the version goes through the workflow like
  any edit — published at once by those who may publish, submitted for review otherwise.

Wagtail lists the selected pages an editor may not act on separately and skips them, so the
department boundaries of the page permissions hold here too.
"""

import datetime

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.views.pages.bulk_actions.page_bulk_action import PageBulkAction

from .models import GuidePage


def _item(page):
    specific = page.specific_deferred if hasattr(page, "specific_deferred") else page.specific
    return specific if isinstance(specific, GuidePage) else None


def submit_for_review(page, user):
    """Start the item's workflow on its latest version. False when it is already in review."""
    page = page.specific
    if page.workflow_in_progress:
        return False
    workflow = page.get_workflow()
    if workflow is None:
        return False
    if page.get_latest_revision() is None:
        page.save_revision(user=user)
    workflow.start(page, user)
    return True


def set_review_date(page, user, day):
    """A new version of the item with last_reviewed = day; published or submitted, as the user may."""
    item = page.specific.get_latest_revision_as_object()
    item.last_reviewed = day
    revision = item.save_revision(user=user, log_action=True)
    if page.permissions_for_user(user).can_publish():
        revision.publish(user=user)
        return "published"
    if submit_for_review(item, user):
        return "submitted"
    return "saved"


class SubmitForReviewBulkAction(PageBulkAction):
    display_name = _("提交审核")
    action_type = "gongkai_submit_for_review"
    aria_label = _("将选中的事项提交审核")
    template_name = "guides/admin/bulk_submit_for_review.html"
    action_priority = 45

    def check_perm(self, page):
        # Wagtail's can_submit_for_moderation() does not ask whether the user may edit the page:
        # the department boundary is the edit permission.
        if _item(page) is None:
            return False
        permissions = page.permissions_for_user(self.request.user)
        return permissions.can_edit() and page.has_workflow

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        submitted = sum(1 for page in objects if submit_for_review(page, user))
        return submitted, 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "已提交审核 %(n)s 个事项，进入部门审核（第 1 步）；已在审核中的事项保持原状。",
            "已提交审核 %(n)s 个事项，进入部门审核（第 1 步）；已在审核中的事项保持原状。",
            num_parent_objects,
        ) % {"n": num_parent_objects}


class ReviewDateForm(forms.Form):
    last_reviewed = forms.DateField(
        label=_("最近审核日期"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("下次复核日期 = 此日期 + 复核周期（%(days)s 天）。不能晚于今天。")
        % {"days": getattr(settings, "REVIEW_PERIOD_DAYS", 365)},
    )

    def clean_last_reviewed(self):
        day = self.cleaned_data["last_reviewed"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("最近审核日期不能晚于今天。"))
        return day


class SetReviewDateBulkAction(PageBulkAction):
    display_name = _("设置最近审核日期")
    action_type = "gongkai_set_review_date"
    aria_label = _("为选中的事项设置最近审核日期")
    template_name = "guides/admin/bulk_set_review_date.html"
    action_priority = 46
    form_class = ReviewDateForm

    def check_perm(self, page):
        return _item(page) is not None and page.permissions_for_user(self.request.user).can_edit()

    def get_execution_context(self):
        return {**super().get_execution_context(), "day": self.cleaned_form.cleaned_data["last_reviewed"]}

    @classmethod
    def execute_action(cls, objects, user=None, day=None, **kwargs):
        day = day or timezone.localdate()
        outcomes = [set_review_date(page, user, day) for page in objects]
        return len(outcomes), outcomes.count("submitted")

    def get_success_message(self, num_parent_objects, num_child_objects):
        next_due = self.cleaned_form.cleaned_data["last_reviewed"] + datetime.timedelta(
            days=getattr(settings, "REVIEW_PERIOD_DAYS", 365)
        )
        message = ngettext(
            "已为 %(n)s 个事项设置最近审核日期，下次复核日期为 %(due)s。",
            "已为 %(n)s 个事项设置最近审核日期，下次复核日期为 %(due)s。",
            num_parent_objects,
        ) % {"n": num_parent_objects, "due": next_due.isoformat()}
        if num_child_objects:
            message += ngettext(
                "其中 %(n)s 个已提交审核，批准后生效。", "其中 %(n)s 个已提交审核，批准后生效。", num_child_objects
            ) % {"n": num_child_objects}
        return message
