"""The item edit form: the publishing rules applied to what the editor is about to save."""

from django.utils.translation import gettext_lazy as _

from portal.forms import PortalPageForm, ScheduleCheckMixin

from .validation import children_errors

FOLDER = "guides.GuideFolderPage"  # an item's parent: its center's or department's folder


class GuidePageForm(ScheduleCheckMixin, PortalPageForm):
    slug_source_field = "item_code"  # the item's URL ends in its code

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # 所属中心 and 实施主体 follow the folder the item is in (guides/ownership.py): shown,
        # never editable, so an item cannot be pointed at another center or department.
        parent = self.parent_page
        folder = parent.specific if parent is not None and _label(parent.specific_class) == FOLDER else None
        for name in ("center", "department"):
            field = self.fields.get(name)
            if field is None or folder is None:
                continue
            value = getattr(folder, f"{name}_id")
            if value is not None:
                self.initial[name] = value
                field.disabled = True
                field.help_text = _("由事项所在的目录决定，不能在此修改")

    def _live_forms(self, name):
        formset = self.formsets.get(name)
        if formset is None:
            return []
        return [
            form
            for form in formset.forms
            if form.is_valid() and form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def clean(self):
        cleaned_data = super().clean()
        fee_items = [
            form.cleaned_data["fee_item"] for form in self._live_forms("fees") if form.cleaned_data.get("fee_item")
        ]
        materials = [
            {"name": form.cleaned_data.get("name", ""), "requirement": form.cleaned_data.get("requirement", "required")}
            for form in self._live_forms("materials")
        ]
        errors = children_errors(charges=cleaned_data.get("charges"), fee_items=fee_items, materials=materials)
        self._check_chosen_documents(cleaned_data)
        for key, messages in errors.items():
            for message in messages:
                self.add_error(key if key in self.fields else None, message)
        return cleaned_data

    def _check_chosen_documents(self, cleaned_data):
        """Chosen files pass the same type/content/size checks as uploads (core/uploads.py)."""
        from core.uploads import check_document

        document = cleaned_data.get("result_sample")
        for message in check_document(document) if document is not None else []:
            self.add_error("result_sample", message)
        for position, form in enumerate(self._live_forms("materials"), start=1):
            for name in ("blank_form", "sample"):
                chosen = form.cleaned_data.get(name)
                for message in check_document(chosen) if chosen is not None else []:
                    self.add_error(None, _("第 %(n)s 项材料：%(message)s") % {"n": position, "message": message})


def _label(model):
    return model._meta.label if model is not None else None
