"""Serializers of the disclosures APIs: the fee schedule (/api/fees/), the time series
(/api/series/), the bulletins (/api/bulletins/…) and the case push (/api/cases/).

The documents themselves are built where their figures are computed (disclosures/fees.py,
series.py, bulletins.py), because the page, the CSV/XLSX files and the JSON must show the same
numbers; these serializers state their shapes for the OpenAPI schema at /api/schema/, and the
schema tests check real responses against them.
"""

from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField(help_text="中文错误说明")


class FeeBasisSerializer(serializers.Serializer):
    title = serializers.CharField(help_text="文件名称")
    document_number = serializers.CharField(help_text="文号")
    issuer = serializers.CharField(help_text="发文机关")
    url = serializers.CharField(help_text="链接（可为空字符串）")


class FeeVersionSerializer(serializers.Serializer):
    effective_from = serializers.DateField(help_text="执行起始日")
    effective_to = serializers.DateField(allow_null=True, help_text="执行截止日，null 表示至今")
    amount = serializers.CharField(allow_null=True, help_text="金额（元，两位小数的字符串），按公式收费时为 null")
    formula = serializers.CharField(help_text="计费方式")
    unit = serializers.CharField(help_text="计费单位")
    price = serializers.CharField(help_text="收费标准的文字表述")
    basis = FeeBasisSerializer(many=True, help_text="收费依据")


class FeeItemLinkSerializer(serializers.Serializer):
    center = serializers.CharField()
    item_code = serializers.CharField()
    name = serializers.CharField()
    url = serializers.CharField(help_text="办事指南页面路径")


class FeeSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="收费编码")
    name = serializers.CharField(help_text="收费项目")
    center = serializers.CharField()
    center_name = serializers.CharField()
    department = serializers.CharField()
    department_name = serializers.CharField()
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(allow_null=True)
    amount = serializers.CharField(allow_null=True)
    formula = serializers.CharField()
    unit = serializers.CharField()
    price = serializers.CharField()
    basis = FeeBasisSerializer(many=True)
    notes = serializers.CharField(help_text="备注")
    history = FeeVersionSerializer(many=True, help_text="历次标准，新的在前")
    items = FeeItemLinkSerializer(many=True, help_text="收取该费用的事项")


class FeeScheduleSerializer(serializers.Serializer):
    at = serializers.DateField(help_text="查询日期")
    center = serializers.CharField(allow_null=True)
    department = serializers.CharField(allow_null=True)
    total = serializers.IntegerField(help_text="收费项目数")
    fees = FeeSerializer(many=True)


class SeriesPointSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="统计月份 YYYY-MM")
    center_code = serializers.CharField()
    center_name = serializers.CharField()
    department_code = serializers.CharField()
    department_name = serializers.CharField()
    level = serializers.ChoiceField(choices=["city", "center", "department"])
    metric = serializers.CharField()
    metric_name = serializers.CharField()
    numerator = serializers.FloatField(allow_null=True, help_text="分子")
    denominator = serializers.FloatField(allow_null=True, help_text="分母")
    value = serializers.FloatField(allow_null=True, help_text="数值")
    unit = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True)
    change_from_previous_month = serializers.FloatField(allow_null=True, help_text="环比变化")
    change_from_same_month_last_year = serializers.FloatField(allow_null=True, help_text="同比变化")
    source = serializers.CharField(help_text="该月数据所出自的通报网址")
    revision = serializers.IntegerField(allow_null=True)


class MetricInfoSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    definition = serializers.CharField(help_text="定义")
    formula = serializers.CharField(help_text="计算公式")
    source = serializers.CharField(help_text="数据来源")


class SeriesUrlsSerializer(serializers.Serializer):
    json = serializers.URLField()
    csv = serializers.URLField()
    xlsx = serializers.URLField()
    datapackage = serializers.URLField()
    page = serializers.URLField()


class SeriesSerializer(serializers.Serializer):
    center = serializers.CharField(help_text="中心编码，all 为全市")
    metric = serializers.CharField(help_text="指标代码")
    department = serializers.CharField(required=False, help_text="部门编码（按部门查询时）")
    # "from" is a keyword: declared in __init__ below.
    to = serializers.CharField(help_text="截止月份 YYYY-MM")
    center_name = serializers.CharField()
    department_name = serializers.CharField()
    title = serializers.CharField()
    metric_info = MetricInfoSerializer()
    points = SeriesPointSerializer(many=True, help_text="每个已发布月份一个点，旧的在前")
    missing = serializers.ListField(child=serializers.CharField(), help_text="没有已发布通报的月份")
    urls = SeriesUrlsSerializer(help_text="同一查询的其他格式")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.CharField(help_text="起始月份 YYYY-MM")
        return fields


class DataPackageSerializer(serializers.Serializer):
    """A Frictionless Data Package descriptor (datapackage.json); resources carry a Table Schema."""

    profile = serializers.CharField(help_text="tabular-data-package")
    name = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    resources = serializers.ListField(
        child=serializers.DictField(), help_text="数据资源：CSV 文件的网址及其 Table Schema（各列的名称、类型和说明）"
    )
    homepage = serializers.URLField(required=False, help_text="对应的网页")
    version = serializers.CharField(required=False, help_text="通报的版本（更正后递增）")


class BulletinSummarySerializer(serializers.Serializer):
    center = serializers.CharField(help_text="中心编码，all 为全市")
    center_name = serializers.CharField()
    period = serializers.CharField(help_text="统计月份 YYYY-MM")
    title = serializers.CharField()
    url = serializers.CharField(allow_null=True, help_text="通报页面网址")
    published_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    revision = serializers.IntegerField(allow_null=True)
    json = serializers.URLField()
    pdf = serializers.URLField()
    csv = serializers.URLField()
    xlsx = serializers.URLField()
    datapackage = serializers.URLField()


class BulletinListSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="已发布通报总数")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = BulletinSummarySerializer(many=True)


class BulletinSerializer(serializers.Serializer):
    """The DESIGN.md bulletin document; figures and counts are keyed by metric code."""

    center = serializers.CharField()
    center_name = serializers.CharField()
    period = serializers.CharField()
    title = serializers.CharField()
    counts = serializers.DictField(help_text="办件数量")
    figures = serializers.DictField(help_text="各项指标")
    ranking = serializers.ListField(child=serializers.DictField(), help_text="部门排名")
    departments = serializers.ListField(child=serializers.DictField(), help_text="各部门数据")
    centers = serializers.ListField(child=serializers.DictField(), required=False, help_text="各中心数据（仅全市通报）")
    overdue = serializers.IntegerField(help_text="超期办件数")
    overdue_detail = serializers.DictField(child=serializers.IntegerField(), help_text="超期办结与逾期未办结")
    complaints = serializers.IntegerField(help_text="投诉数")
    complaints_completed = serializers.IntegerField(help_text="已办结投诉数")
    complaints_detail = serializers.DictField(help_text="投诉明细")
    satisfaction = serializers.DictField(help_text="满意度评价（好评、中评、差评、评价数、满意率）")
    version = serializers.IntegerField(help_text="版本号，更正后递增")
    corrections = serializers.ListField(child=serializers.DictField(), help_text="更正说明")
    trend = serializers.ListField(child=serializers.DictField(), help_text="近月趋势")
    has_cases = serializers.BooleanField()
    url = serializers.CharField(allow_null=True)
    revision = serializers.IntegerField(required=False, allow_null=True)
    published_at = serializers.DateTimeField(required=False, allow_null=True)


class PushCasesSerializer(serializers.Serializer):
    cases = serializers.ListField(
        child=serializers.DictField(), help_text="办件，每条为 JSON 对象，字段同办件导入表格的列；每批最多 1000 条"
    )


class PushCasesResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    dry_run = serializers.BooleanField()


class ProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="第几条办件（从 1 开始；0 表示整批）")
    column = serializers.CharField(help_text="字段名（可为空字符串）")
    reason = serializers.CharField(help_text="问题说明")


class PushCasesErrorSerializer(serializers.Serializer):
    error = serializers.CharField()
    problems = ProblemSerializer(many=True)
