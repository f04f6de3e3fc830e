"""Fee items in the admin: the snippet viewset and its boundaries, next to the model (guides/fees.py).

Fee items are snippets, which Wagtail permits per model only, so here they are limited to the
editor's department (window staff, reviewers) or center (center admins): the listing shows only
those (FeeItemViewSet.get_queryset), and creating, editing or deleting another's fee item is
refused (the before_*_snippet hooks).
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from portal.models import Department
from portal.roles import scope_for

from .fees import FeeItem


class FeeItemViewSet(SnippetViewSet):
    model = FeeItem

    def get_queryset(self, request):
        """The fee-item listing, limited to the editor's departments or centers."""
        return scoped_fee_items(request)


def scoped_fee_items(request):
    return FeeItem.all_versions.filter(scope_for(request.user).item_q("department", "department__center"))


def _department_from_post(request):
    value = request.POST.get("department")
    if not value:
        return None
    try:
        return Department.objects.filter(pk=int(value)).first()
    except (TypeError, ValueError):
        return None


def _refuse():
    raise PermissionDenied(_("您只能管理本部门（中心管理员：本中心）的收费项目。"))


@hooks.register("before_create_snippet")
def check_fee_item_create(request, model):
    if model is FeeItem and request.method == "POST":
        department = _department_from_post(request)
        if department is not None and not scope_for(request.user).covers_department(department):
            _refuse()


@hooks.register("before_edit_snippet")
def check_fee_item_edit(request, instance):
    if isinstance(instance, FeeItem):
        scope = scope_for(request.user)
        if not scope.covers_department(instance.department):
            _refuse()
        if request.method == "POST":
            department = _department_from_post(request)
            if department is not None and not scope.covers_department(department):
                _refuse()


@hooks.register("before_delete_snippet")
def check_fee_item_delete(request, instances):
    scope = scope_for(request.user)
    for instance in instances:
        if isinstance(instance, FeeItem) and not scope.covers_department(instance.department):
            _refuse()


register_snippet(FeeItemViewSet)
