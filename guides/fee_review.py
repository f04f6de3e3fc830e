"""The review step of fee items: a Wagtail task that center admins approve for their own center.

Fee items are snippets, and Wagtail assigns one workflow to a snippet model, not one per
center; a plain group-approval task would let any center's admin approve any center's fee
item. This task offers its actions (approve, request changes) only to a member of its groups
whose scope (portal.roles) covers the fee item's department, and locks the item for everyone
else while it is in review.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.models import GroupApprovalTask


class FeeApprovalTask(GroupApprovalTask):
    def _covers(self, obj, user):
        if user.is_superuser:
            return True
        department = getattr(obj, "department", None)
        if department is None:
            return False
        from portal.roles import scope_for

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
