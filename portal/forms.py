"""Editor forms: checks Wagtail does not make on its own (scheduled times, notice attachments)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminPageForm


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


class NoticePageForm(ScheduleCheckMixin, WagtailAdminPageForm):
    """The notice form: a title is required, attachments must pass the upload checks."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "title" in self.fields:
            self.fields["title"].error_messages["required"] = gettext_lazy("请填写通知公告的标题。")

    def clean(self):
        from .uploads import check_document

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
