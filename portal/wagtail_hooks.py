"""Admin hooks: the editor's dashboard panel, two-factor pages, and fee-item boundaries.

Page boundaries (items, notices) come from Wagtail's page permissions per subtree, set up by
portal.roles. Fee items are snippets, which Wagtail permits per model only, so here they are
limited to the editor's department (window staff, reviewers) or center (center admins): the
listing shows only those, and creating, editing or deleting another's fee item is refused.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin.ui.components import Component

from . import pagecache, signin, slug_view
from .editorial import dashboard_context
from .roles import scope_for


@hooks.register("register_admin_urls")
def two_factor_urls():
    return [
        path("two-factor/", signin.setup_view, name="portal_two_factor_setup"),
        path("two-factor/verify/", signin.verify_view, name="portal_two_factor_verify"),
        path("slug-suggestion/", slug_view.slug_suggestion, name="portal_slug_suggestion"),
    ]


@hooks.register("before_serve_document")
def refuse_private_document(document, request):
    """/documents/<id>/…: unpublished bulletins' PDFs and restricted collections are a 404."""
    from .media import document_is_public

    if not document_is_public(document):
        raise Http404


@hooks.register("insert_editor_js")
def slug_from_title_js():
    """The slug field follows the title (pinyin) as the editor types: a static file, no inline code."""
    return format_html(
        '<script src="{}" data-endpoint="{}" defer></script>',
        static("js/admin-slug.js"),
        reverse("portal_slug_suggestion"),
    )


@hooks.register("register_account_menu_item")
def two_factor_menu_item(request):
    return {
        "url": reverse("portal_two_factor_setup"),
        "label": _("两步验证"),
        "help_text": _("登录时除密码外再输入手机验证器应用的验证码"),
    }


class EditorialPanel(Component):
    """Items overdue for review, items missing disclosures, reviews waiting: own scope only."""

    name = "editorial_freshness"
    order = 90
    template_name = "portal/editorial_panel.html"

    def __init__(self, context):
        self.panel_context = context

    def get_context_data(self, parent_context):
        return self.panel_context


class SchedulerWarningPanel(Component):
    """Shown on top of the dashboard while the task cluster sends no heartbeat."""

    name = "scheduler_warning"
    order = 10
    template_name = "portal/scheduler_warning_panel.html"

    def __init__(self, state):
        self.state = state

    def get_context_data(self, parent_context):
        return {"scheduler": self.state}


@hooks.register("construct_homepage_panels")
def add_scheduler_warning(request, panels):
    from .scheduler_state import state

    current = state()
    if not current["running"]:
        panels.append(SchedulerWarningPanel(current))


@hooks.register("construct_homepage_panels")
def add_editorial_panel(request, panels):
    context = dashboard_context(request.user)
    if context is not None:
        panels.append(EditorialPanel(context))


# Fee items ---------------------------------------------------------------------------------


def _fee_item_model():
    from guides.models import FeeItem

    return FeeItem


def _department_from_post(request):
    from .models import Department

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
    if model is _fee_item_model() and request.method == "POST":
        department = _department_from_post(request)
        if department is not None and not scope_for(request.user).covers_department(department):
            _refuse()


@hooks.register("before_edit_snippet")
def check_fee_item_edit(request, instance):
    if isinstance(instance, _fee_item_model()):
        scope = scope_for(request.user)
        if not scope.covers_department(instance.department):
            _refuse()
        if request.method == "POST":
            department = _department_from_post(request)
            if department is not None and not scope.covers_department(department):
                _refuse()


@hooks.register("before_delete_snippet")
def check_fee_item_delete(request, instances):
    model = _fee_item_model()
    scope = scope_for(request.user)
    for instance in instances:
        if isinstance(instance, model) and not scope.covers_department(instance.department):
            _refuse()


def scoped_fee_items(request):
    """The fee-item listing, limited to the editor's departments or centers."""
    return _fee_item_model().all_versions.filter(scope_for(request.user).item_q("department", "department__center"))


def _limit_fee_item_listing():
    viewset = getattr(_fee_item_model(), "snippet_viewset", None)
    if viewset is not None:
        viewset.get_queryset = scoped_fee_items


_limit_fee_item_listing()
from . import workflow_hooks  # noqa: E402, F401  (the talking workflow's editor hooks)


@hooks.register("before_serve_page")
def page_cache_opt_in(page, request, serve_args, serve_kwargs):
    """Public Wagtail pages are page-cached (portal.pagecache) unless their class says
    `page_cache = False`; the cache itself still refuses answers with cookies or tokens."""
    if getattr(page, "page_cache", True):
        pagecache.mark_cacheable(request)
