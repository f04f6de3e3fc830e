"""Editor forms: checks Wagtail does not make on its own (slugs, scheduled times, notice attachments)
and a validation summary that names the tab and the field of every error."""

import re

from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminPageForm

from .slugs import slug_for

BLOCK_KEY = re.compile(r' data-block-key="[^"]*"')


def _panel_places(panel, tab=None, places=None):
    """{field or relation name: (tab heading, label)} for every field panel under `panel`."""
    places = {} if places is None else places
    children = getattr(panel, "children", None) or []
    is_tabs = type(panel).__name__ == "TabbedInterface"
    for child in children:
        child_tab = str(child.heading) if is_tabs else tab
        name = getattr(child, "field_name", None) or getattr(child, "relation_name", None)
        if name:
            places.setdefault(name, (child_tab, str(child.heading or name)))
        _panel_places(child, child_tab, places)
    return places


class SlugFromTitleMixin:
    """Leave the slug empty and the page gets one: pinyin of the title, unique among its siblings.

    The admin fills it in as the editor types (static/js/admin-slug.js); this does the same on
    save, so a page saved without JavaScript, or with the slug cleared, still gets one.
    """

    slug_source_field = None  # e.g. "item_code": a field whose value makes the slug instead of the title

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _(
                "留空则按标题的拼音自动生成（如“通知公告”→ tong-zhi-gong-gao），同级页面中不重复。"
            )

    def clean(self):
        if "slug" in self.fields and not self.cleaned_data.get("slug") and "slug" not in self._errors:
            title = self.cleaned_data.get("title") or ""
            source = self.cleaned_data.get(self.slug_source_field) if self.slug_source_field else ""
            if title or source:
                parent = self.parent_page or (self.instance.get_parent() if self.instance.pk else None)
                self.cleaned_data["slug"] = slug_for(title, parent, self.instance.pk, item_code=source or "")
                self.instance.slug = self.cleaned_data["slug"]
        return super().clean()


class ErrorSummaryMixin:
    """When the form is refused, one line first says which tab and which field to fix.

    Wagtail highlights the fields, but a field on another tab (say the slug on 推广) is easy to
    miss; the summary names both: “请修改：「推广」标签页的「缩略名」”.
    """

    def is_valid(self):
        valid = super().is_valid()
        if not valid and self.is_bound:  # an unbound form (a preview without posted data) has no errors to sum up
            summary = self.error_summary()
            if summary:
                self.add_error(None, summary)
        return valid

    def error_places(self):
        model = type(self.instance)
        getter = getattr(model, "get_edit_handler", None)
        if getter is None:
            from wagtail.admin.panels import get_edit_handler

            return _panel_places(get_edit_handler(model))
        return _panel_places(getter())

    def error_summary(self):
        places = self.error_places()
        names = [name for name in self.errors if name != "__all__"]
        names += [name for name, formset in self.formsets.items() if not formset.is_valid()]
        parts = []
        for name in names:
            tab, label = places.get(name, (None, name))
            if name in self.fields:
                label = str(self.fields[name].label or label)
            if tab:
                parts.append(_("「%(tab)s」标签页的「%(field)s」") % {"tab": tab, "field": label})
            else:
                parts.append(_("「%(field)s」") % {"field": label})
        if not parts:
            return ""
        return _("请修改：%(fields)s。") % {"fields": "；".join(dict.fromkeys(parts))}


class UnchangedMeansUnchangedMixin:
    """A reviewer who approves without editing must not count as having edited.

    Fields of a model field with a callable default (a notice's date) get Django's hidden
    "initial" input, which Wagtail's editor does not render; without it Django reports the field
    as changed on every save, so with WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT an unedited
    approval restarted review. Compared with the instance's value instead. Rich text saved
    outside the editor (imports, the demo) lacks the editor's block keys; the keys alone are no
    change either.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.show_hidden_initial = False

    @cached_property
    def changed_data(self):
        return [name for name in super().changed_data if not self._same_rich_text(name)]

    def _same_rich_text(self, name):
        bound = self[name]
        initial, data = bound.initial, bound.data
        if not isinstance(initial, str) or not isinstance(data, str) or "data-block-key" not in data:
            return False
        return BLOCK_KEY.sub("", data).strip() == BLOCK_KEY.sub("", initial).strip()


class PortalPageForm(ErrorSummaryMixin, SlugFromTitleMixin, UnchangedMeansUnchangedMixin, WagtailAdminPageForm):
    """The base form of every page type: slugs from the title, errors named by tab and field."""


class ScheduleCheckMixin:
    """Refuse a newly entered go-live time in the past (Wagtail would publish at once).

    Wagtail itself refuses an expiry time in the past and a go-live after the expiry; a past
    go-live time is usually a typo, so the editor is asked to fix it instead.
    """

    def clean(self):
        cleaned_data = super().clean()
        go_live_at = cleaned_data.get("go_live_at")
        if go_live_at and "go_live_at" in self.changed_data and go_live_at < timezone.now():
            self.add_error(
                "go_live_at",
                _("定时发布时间 %(when)s 已经过去，请选择将来的时间；如需立即发布，请清空定时发布时间。")
                % {"when": timezone.localtime(go_live_at).strftime("%Y-%m-%d %H:%M")},
            )
        return cleaned_data


class NoticePageForm(ScheduleCheckMixin, PortalPageForm):
    """The notice form: a title is required, attachments must pass the upload checks."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "title" in self.fields:
            self.fields["title"].error_messages["required"] = gettext_lazy("请填写通知公告的标题。")

    def clean(self):
        from core.uploads import check_document

        cleaned_data = super().clean()
        formset = self.formsets.get("attachments")
        for form in formset.forms if formset is not None else []:
            if not form.is_valid() or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            document = form.cleaned_data.get("document")
            if document is None:
                continue
            for message in check_document(document):
                self.add_error(None, _("附件：%(message)s") % {"message": message})
        return cleaned_data
