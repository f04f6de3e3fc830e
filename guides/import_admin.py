"""Admin side of catalog import: the 导入事项 upload view, its menu, and the audit-log action.

Registered from guides/wagtail_hooks.py (one import line), so this feature stays self-contained.
The view is thin: guides/imports/ does the work, including the per-folder permission check
(an editor imports only where Wagtail lets them add or edit pages).
"""

from django import forms
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from .imports import IMPORT_LOG_ACTION, import_catalog


class CatalogImportForm(forms.Form):
    file = forms.FileField(
        label=_("事项文件"), help_text=_("CSV（UTF-8 或 GBK）、XLSX 或 JSON，格式见 docs/catalog-format.md")
    )
    dry_run = forms.BooleanField(
        label=_("先预览，不写入"),
        required=False,
        initial=True,
        help_text=_("预览列出每一行将新增、修改哪些字段或保持不变；确认无误后取消勾选，再上传一次即导入。"),
    )
    draft = forms.BooleanField(label=_("保存为草稿，不发布"), required=False)


def import_view(request):
    """Upload a catalog file; show the result or every problem by row and column."""
    result = None
    form = CatalogImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = import_catalog(
            upload,
            filename=upload.name,
            user=request.user,
            dry_run=form.cleaned_data["dry_run"],
            draft=form.cleaned_data["draft"],
        )
    context = {
        "form": form,
        "result": result,
        "page_title": _("导入事项"),
        "header_icon": "upload",
    }
    return render(request, "guides/admin/catalog_import.html", context, status=200)


@hooks.register("register_admin_urls")
def register_import_urls():
    return [path("guides/import/", import_view, name="guides_catalog_import")]


def _catalog_menu():
    return Menu(
        register_hook_name="register_guides_catalog_menu_item",
        construct_hook_name="construct_guides_catalog_menu",
    )


@hooks.register("register_guides_catalog_menu_item")
def register_import_menu_item():
    return MenuItem(_("导入事项"), reverse("guides_catalog_import"), name="guides-catalog-import", icon_name="upload")


@hooks.register("register_admin_menu_item")
def register_catalog_menu():
    return SubmenuMenuItem(_("事项管理"), _catalog_menu(), name="guides-catalog", icon_name="list-ul", order=250)


@hooks.register("register_log_actions")
def register_import_log_action(actions):
    from wagtail.log_actions import LogFormatter

    @actions.register_action(IMPORT_LOG_ACTION)
    class CatalogImportFormatter(LogFormatter):
        label = _("导入事项")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            return _("导入事项文件“%(filename)s”：新增 %(created)s，更新 %(updated)s，未变 %(unchanged)s") % {
                "filename": data.get("filename", ""),
                "created": data.get("created", 0),
                "updated": data.get("updated", 0),
                "unchanged": data.get("unchanged", 0),
            }
