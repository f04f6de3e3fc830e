"""Admin hooks: the editor's dashboard panel and two-factor pages.

Page boundaries (items, notices) come from Wagtail's page permissions per subtree, set up by
portal.roles. Fee items' boundaries live with the model (guides/fee_admin.py).
"""

from django.http import Http404
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin.ui.components import Component

from . import pagecache, saved_filters, signin, slug_view
from .editorial import dashboard_context


@hooks.register("register_admin_urls")
def two_factor_urls():
    return [
        path("two-factor/", signin.setup_view, name="portal_two_factor_setup"),
        path("two-factor/verify/", signin.verify_view, name="portal_two_factor_verify"),
        path("slug-suggestion/", slug_view.slug_suggestion, name="portal_slug_suggestion"),
        # Saved report filters (portal/saved_filters.py)
        path("saved-filters/save/", saved_filters.save_view, name="portal_saved_filter_save"),
        path("saved-filters/<int:pk>/delete/", saved_filters.delete_view, name="portal_saved_filter_delete"),
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


from . import workflow_hooks  # noqa: E402, F401  (the talking workflow's editor hooks)


@hooks.register("before_serve_page")
def page_cache_opt_in(page, request, serve_args, serve_kwargs):
    """Public Wagtail pages are page-cached (portal.pagecache) unless their class says
    `page_cache = False`; the cache itself still refuses answers with cookies or tokens."""
    if getattr(page, "page_cache", True):
        pagecache.mark_cacheable(request)
