"""The editors' search to-do list: add a synonym for a query that found nothing, in one step."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import SEPARATORS, SynonymGroup
from .synonyms import invalidate


class QuickSynonymForm(forms.Form):
    query = forms.CharField(max_length=50)
    official = forms.CharField(
        label=_("对应的规范用语"),
        max_length=200,
        help_text=_("事项名称里的说法，多个用顿号或逗号分隔，例如：互联网上网服务营业场所"),
    )

    def clean_query(self):
        query = self.cleaned_data["query"].strip().lower()
        if SEPARATORS.search(query):
            raise ValidationError(_("这条搜索有多个词，请为其中的单个词添加同义词（片段 › 搜索同义词）。"))
        return query

    def save(self):
        """A one-way group "query = official…" (the visitor's word leads); returns it."""
        group = SynonymGroup(
            terms=f"{self.cleaned_data['query']} = {self.cleaned_data['official']}",
            one_way=True,
            origin=SynonymGroup.ORIGIN_EDITOR,
            note=str(_("由搜索待办添加")),
        )
        try:
            group.clean()
        except ValidationError as exc:
            raise ValidationError(exc.message_dict.get("terms", exc.messages)) from exc
        group.save()
        invalidate()
        return group
