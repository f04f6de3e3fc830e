"""Public forms: a consultation, complaint or suggestion, and the lookup by receipt number."""

import re

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import challenge
from .models import Feedback

CONTENT_MIN, CONTENT_MAX = 10, 2000
LIMITS = {"min": CONTENT_MIN, "max": CONTENT_MAX}
PHONE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$|^0\d{2,3}\d{7,8}$")


class ChallengeMixin(forms.Form):
    """A text arithmetic question (signed, time-limited, single use) and a honeypot field."""

    challenge_token = forms.CharField(widget=forms.HiddenInput, required=False)
    challenge_answer = forms.CharField(
        label=_("验证题"), max_length=6, required=True, error_messages={"required": _("请回答验证题。")}
    )
    # Hidden from people by CSS (class "hp"), left empty; bots that fill every field fill it.
    website = forms.CharField(label=_("请勿填写此项"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.challenge_question, token = challenge.new()
        self.initial["challenge_token"] = token
        self.fields["challenge_answer"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError(_("提交未通过检查，请刷新页面后重试。"), code="honeypot")
        if "challenge_answer" in cleaned:  # checked even beside other errors, so all are told at once
            message = challenge.check(self.data.get("challenge_token"), cleaned["challenge_answer"])
            if message:
                self.add_error("challenge_answer", message)
        return cleaned

    def fresh_challenge(self):
        """After a failed submit: a new question, keeping everything else the visitor typed."""
        self.challenge_question, token = challenge.new()
        self.data = self.data.copy()
        self.data["challenge_token"] = token
        self.data["challenge_answer"] = ""


class FeedbackForm(ChallengeMixin):
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=Feedback.KIND_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择类型：咨询、投诉或建议。"),
            "invalid_choice": _("请选择类型：咨询、投诉或建议。"),
        },
    )
    content = forms.CharField(
        label=_("具体内容"),
        widget=forms.Textarea(attrs={"rows": 6}),
        min_length=CONTENT_MIN,
        max_length=CONTENT_MAX,
        # Interpolated when rendered (not at import), so the text follows the visitor's language.
        help_text=lazy(lambda: gettext("请写明时间、地点、经过和您的诉求，%(min)s–%(max)s 字。") % LIMITS, str)(),
        error_messages={
            "required": _("请填写具体内容。"),
            "min_length": _("内容太短，请至少写 %(limit_value)d 个字，说明经过和诉求。"),
            "max_length": _("内容不能超过 %(limit_value)d 字（现在 %(show_value)d 字）。"),
        },
    )
    contact_name = forms.CharField(
        label=_("联系人（选填）"),
        max_length=50,
        required=False,
        error_messages={"max_length": _("联系人不能超过 50 字。")},
    )
    contact_phone = forms.CharField(
        label=_("手机或电话（选填）"),
        max_length=20,
        required=False,
        help_text=_("留电话便于部门回复；查询办理结果时需要填写电话后四位。电话不会公开。"),
        # type=tel: phones show the number keypad (with + and -), browsers offer the saved number.
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    field_order = ["kind", "content", "contact_name", "contact_phone", "challenge_answer", "website"]

    def clean_contact_phone(self):
        raw = self.cleaned_data.get("contact_phone", "")
        digits = re.sub(r"[\s-]", "", raw)
        if digits and not PHONE.match(digits):
            raise forms.ValidationError(_("电话号码格式不正确，请填写 11 位手机号或带区号的固定电话。"))
        return digits


class LookupForm(forms.Form):
    receipt_no = forms.CharField(
        label=_("受理编号"),
        max_length=24,
        error_messages={"required": _("请填写受理编号。"), "max_length": _("受理编号不正确。")},
    )
    last4 = forms.CharField(
        label=_("电话后四位"),
        max_length=4,
        required=False,
        help_text=_("提交时未留电话的，此项留空。"),
        error_messages={"max_length": _("请填写电话号码的最后四位数字。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["last4"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        self.fields["receipt_no"].widget.attrs.update({"autocomplete": "off", "autocapitalize": "characters"})

    def clean_last4(self):
        value = self.cleaned_data.get("last4", "").strip()
        if value and not (len(value) == 4 and value.isdigit()):
            raise forms.ValidationError(_("请填写电话号码的最后四位数字。"))
        return value
