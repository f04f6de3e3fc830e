from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LEVELS


class CaseKeyForm(forms.Form):
    case_no = forms.CharField(
        label=_("办件编号"),
        max_length=64,
        error_messages={"required": _("请填写办件编号。"), "max_length": _("办件编号不正确。")},
    )
    last4 = forms.CharField(
        label=_("申请人电话后四位"),
        max_length=4,
        error_messages={
            "required": _("请填写申请时所留电话的后四位。"),
            "max_length": _("请填写电话号码的最后四位数字。"),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["last4"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        self.fields["case_no"].widget.attrs.update({"autocomplete": "off"})

    def clean_last4(self):
        value = self.cleaned_data.get("last4", "").strip()
        if not (len(value) == 4 and value.isdigit()):
            raise forms.ValidationError(_("请填写电话号码的最后四位数字。"))
        return value


class RatingForm(CaseKeyForm):
    level = forms.TypedChoiceField(
        label=_("您对本次办理的评价"),
        choices=LEVELS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择评价等级。"), "invalid_choice": _("请选择评价等级。")},
    )
    comment = forms.CharField(
        label=_("意见和建议（选填）"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("选择“不满意”或“非常不满意”时，部门会回访并答复。"),
        error_messages={"max_length": _("意见不能超过 %(limit_value)d 字（现在 %(show_value)d 字）。")},
    )
