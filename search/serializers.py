"""Serializers of /api/search/ and /api/suggest/: the shapes of search.backends.base
(SearchHit.as_json, SearchResults) stated for the OpenAPI schema at /api/schema/. The documents
are built by the search service, the same for the page and the API."""

from rest_framework import serializers

from .backends.base import FACETS, PER_PAGE


class CenterCopySerializer(serializers.Serializer):
    center = serializers.CharField(allow_null=True, help_text="中心编码")
    name = serializers.CharField(allow_null=True, help_text="中心名称")
    url = serializers.CharField(help_text="页面网址")
    item_code = serializers.CharField(allow_null=True, allow_blank=True, help_text="事项编码")


class SearchHitSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=list(FACETS["kind"][1]), help_text="类别")
    title = serializers.CharField()
    url = serializers.CharField()
    snippet = serializers.CharField(help_text="摘要（纯文本）")
    score = serializers.FloatField()
    center = serializers.CharField(allow_null=True, allow_blank=True)
    item_code = serializers.CharField(allow_null=True, allow_blank=True)
    promoted = serializers.BooleanField(help_text="编辑推荐的结果")
    centers = CenterCopySerializer(many=True, help_text="同一事项在各中心的版本（访客所选中心在前）")


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class SearchFacetsSerializer(serializers.Serializer):
    def get_fields(self):
        return {name: FacetValueSerializer(many=True, help_text=str(label)) for name, (label, _v) in FACETS.items()}


class SearchSerializer(serializers.Serializer):
    query = serializers.CharField()
    total = serializers.IntegerField(help_text="结果数（分组时为事项数）")
    documents = serializers.IntegerField(help_text="匹配的文档数（各中心的版本分别计）")
    grouped = serializers.BooleanField(help_text="是否按事项分组（flat=1 时不分组）")
    estimated = serializers.BooleanField(help_text="total 是否为估计值")
    took_ms = serializers.FloatField()
    page = serializers.IntegerField()
    per_page = serializers.IntegerField(help_text=f"每页 {PER_PAGE} 条")
    mode = serializers.ChoiceField(choices=["all", "any"], help_text="all：所有词都匹配；any：放宽后的结果")
    results = SearchHitSerializer(many=True)
    facets = SearchFacetsSerializer()
    did_you_mean = serializers.CharField(allow_blank=True, help_text="拼写建议（可为空字符串）")
    error = serializers.CharField(required=False, help_text="搜索服务不可用时的中文说明（状态 503）")


class SuggestionSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField()


class SuggestSerializer(serializers.Serializer):
    suggestions = SuggestionSerializer(many=True)
