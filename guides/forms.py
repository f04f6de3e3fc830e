"""The item edit form: the publishing rules applied to what the editor is about to save."""

from portal.forms import PortalPageForm, ScheduleCheckMixin

from .validation import children_errors


class GuidePageForm(ScheduleCheckMixin, PortalPageForm):
    slug_source_field = "item_code"  # the item's URL ends in its code

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
        for key, messages in errors.items():
            for message in messages:
                self.add_error(key if key in self.fields else None, message)
        return cleaned_data
