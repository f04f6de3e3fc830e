"""Serializers of the catalog API (/api/items/ and /api/items/<center>/<item_code>/).

They write the DESIGN.md shapes the API always had (field names, order, types) and describe them
for the OpenAPI schema at /api/schema/. The detail serializer reads a prefetched item
(presentation.prefetch_item): nested lists come from the prefetch caches, no query per row.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from . import presentation
from .completeness import completeness
from .handling_rules import rules_of
from .models import POWER_CODES, power_field


def absolute_page_url(request, page):
    url = page.get_url(request)
    return request.build_absolute_uri(url) if url else None


class ItemErrorSerializer(serializers.Serializer):
    error = serializers.CharField(help_text="中文错误说明")
    parameter = serializers.CharField(required=False, help_text="出错的查询参数")
    parameters = serializers.ListField(child=serializers.CharField(), required=False, help_text="不支持的查询参数")


class ItemSummarySerializer(serializers.Serializer):
    center = serializers.CharField(source="center.code", help_text="中心编码")
    item_code = serializers.CharField(help_text="事项编码")
    name = serializers.CharField(source="title", help_text="事项名称")
    url = serializers.SerializerMethodField(help_text="办事指南页面网址")
    department = serializers.CharField(source="department.code", help_text="部门编码")
    department_name = serializers.CharField(source="department.name", help_text="部门名称")
    item_type = serializers.CharField(help_text="事项类型代码")
    audience = serializers.CharField(help_text="服务对象代码")
    charges = serializers.BooleanField(help_text="是否收费")
    handling_type = serializers.CharField(help_text="办件类型代码")
    statutory_days = serializers.IntegerField(allow_null=True, help_text="法定办结时限（工作日）")
    promised_days = serializers.IntegerField(allow_null=True, help_text="承诺办结时限（工作日）")
    detail = serializers.SerializerMethodField(help_text="事项详情接口网址")

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_url(self, item):
        return absolute_page_url(self.context["request"], item)

    @extend_schema_field(OpenApiTypes.URI)
    def get_detail(self, item):
        return self.context["request"].build_absolute_uri(f"/api/items/{item.center.code}/{item.item_code}/")


class ItemPageSerializer(serializers.Serializer):
    """Documents the list envelope; the view builds it from Django's Paginator."""

    count = serializers.IntegerField(help_text="符合条件的事项总数")
    page = serializers.IntegerField(help_text="当前页码")
    num_pages = serializers.IntegerField(help_text="总页数")
    next = serializers.URLField(allow_null=True, help_text="下一页网址")
    previous = serializers.URLField(allow_null=True, help_text="上一页网址")
    results = ItemSummarySerializer(many=True)


class ThemeSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class StepSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()
    who = serializers.CharField()
    time_limit = serializers.CharField()


class ProcedureSerializer(serializers.Serializer):
    handling_type = serializers.CharField()
    acceptance_conditions = serializers.CharField(help_text="受理条件")
    visits_required = serializers.IntegerField(help_text="到现场次数")
    online_url = serializers.CharField(help_text="网上办理地址（可为空字符串）")
    steps = StepSerializer(many=True, help_text="办理流程")


class LegalBasisSerializer(serializers.Serializer):
    title = serializers.CharField()
    issuer = serializers.CharField()
    article = serializers.CharField()
    url = serializers.CharField()


class DocumentSerializer(serializers.Serializer):
    url = serializers.URLField()
    title = serializers.CharField()
    extension = serializers.CharField()
    size = serializers.IntegerField(allow_null=True)


class MaterialSerializer(serializers.Serializer):
    name = serializers.CharField()
    source = serializers.CharField()
    originals = serializers.IntegerField()
    copies = serializers.IntegerField()
    format = serializers.CharField()
    required = serializers.CharField(source="requirement", help_text="必要性")
    notes = serializers.CharField()
    blank_form = serializers.SerializerMethodField(help_text="空白表格")
    sample = serializers.SerializerMethodField(help_text="示例样表")
    instructions = serializers.CharField(help_text="填写说明")
    deferrable = serializers.BooleanField(help_text="容缺受理")
    notify_commit = serializers.BooleanField(help_text="告知承诺（可以书面承诺代替）")
    e_license = serializers.BooleanField(help_text="免提交（可用电子证照）")

    def _document(self, document):
        info = presentation.document_info(document)
        if info is None:
            return None
        return {**info, "url": self.context["request"].build_absolute_uri(info["url"])}

    @extend_schema_field(DocumentSerializer(allow_null=True))
    def get_blank_form(self, material):
        return self._document(material.blank_form)

    @extend_schema_field(DocumentSerializer(allow_null=True))
    def get_sample(self, material):
        return self._document(material.sample)


class ResultImageSerializer(serializers.Serializer):
    url = serializers.URLField()
    title = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class ResultSerializer(serializers.Serializer):
    """办理结果 with its samples (absolute URLs); the same public-only rule as the item page."""

    name = serializers.CharField(help_text="办理结果名称")
    type = serializers.CharField(allow_null=True, help_text="证照、批文、证明文件或其他")
    type_label = serializers.CharField(allow_null=True)
    sample = DocumentSerializer(allow_null=True, help_text="样本（PDF 等文档）")
    sample_image = ResultImageSerializer(allow_null=True, help_text="样本图片")


def result_data(request, item):
    info = presentation.result_info(item)
    image = info["image"]
    document = info["document"]
    return {
        "name": info["name"],
        "type": info["type"] or None,
        "type_label": info["type_label"] or None,
        "sample": {**document, "url": request.build_absolute_uri(document["url"])} if document else None,
        "sample_image": {
            "url": request.build_absolute_uri(image.file.url),
            "title": image.title,
            "width": image.width,
            "height": image.height,
        }
        if image is not None
        else None,
    }


class ItemFeeBasisSerializer(serializers.Serializer):
    title = serializers.CharField()
    document_number = serializers.CharField()
    issuer = serializers.CharField()
    url = serializers.CharField()


class ItemFeeSerializer(serializers.Serializer):
    """One linked fee: {"fee": FeeItem, "in_force": bool} from presentation.fees_in_force."""

    code = serializers.CharField(source="fee.code")
    name = serializers.CharField(source="fee.name")
    amount = serializers.SerializerMethodField(help_text="金额（元，十进制字符串），按公式收费时为 null")
    formula = serializers.CharField(source="fee.formula")
    unit = serializers.CharField(source="fee.unit")
    effective_from = serializers.DateField(source="fee.effective_from")
    effective_to = serializers.DateField(source="fee.effective_to", allow_null=True)
    in_force = serializers.BooleanField(help_text="今天是否有效")
    basis = ItemFeeBasisSerializer(source="fee.basis", many=True, help_text="收费依据")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_amount(self, entry):
        amount = entry["fee"].amount
        return None if amount is None else f"{amount:f}"


class HandlingRuleSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    text = serializers.CharField()
    meaning = serializers.CharField()


WindowAuthority = inline_serializer(
    "WindowAuthority", fields={code: serializers.BooleanField() for code in POWER_CODES}
)
Completeness = inline_serializer(
    "Completeness",
    fields={
        "present": serializers.IntegerField(help_text="已公开的要素数（共 8 项）"),
        "missing": serializers.ListField(child=serializers.CharField(), help_text="缺少的要素"),
    },
)


class ItemDetailSerializer(serializers.Serializer):
    """The DESIGN.md shape: every disclosure and the completeness (item prefetched)."""

    center = serializers.CharField(source="center.code")
    center_name = serializers.CharField(source="center.name")
    item_code = serializers.CharField()
    name = serializers.CharField(source="title")
    url = serializers.SerializerMethodField()
    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    item_type = serializers.CharField()
    item_type_label = serializers.CharField(source="get_item_type_display")
    audience = serializers.CharField()
    themes = ThemeSerializer(many=True)
    should_enter = serializers.BooleanField(help_text="应进驻中心")
    entered = serializers.BooleanField(help_text="已进驻中心")
    statutory_days = serializers.IntegerField(allow_null=True)
    promised_days = serializers.IntegerField(allow_null=True)
    charges = serializers.BooleanField()
    procedure = ProcedureSerializer(source="*")
    legal_basis = LegalBasisSerializer(many=True, help_text="设定依据")
    materials = MaterialSerializer(many=True, help_text="申请材料")
    fees = serializers.SerializerMethodField(help_text="收费项目（今天有效的版本）")
    window_authority = serializers.SerializerMethodField(help_text="窗口授权（七项）")
    handling_rules = serializers.SerializerMethodField(help_text="六制")
    result = serializers.SerializerMethodField(help_text="办理结果")
    place = serializers.CharField()
    hours = serializers.CharField()
    consult_phone = serializers.CharField()
    complaint_phone = serializers.CharField()
    last_reviewed = serializers.DateField(allow_null=True)
    completeness = serializers.SerializerMethodField()

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_url(self, item):
        return absolute_page_url(self.context["request"], item)

    @extend_schema_field(ItemFeeSerializer(many=True))
    def get_fees(self, item):
        return ItemFeeSerializer(presentation.fees_in_force(item), many=True, context=self.context).data

    @extend_schema_field(WindowAuthority)
    def get_window_authority(self, item):
        return {code: bool(getattr(item, power_field(code))) for code in POWER_CODES}

    @extend_schema_field(HandlingRuleSerializer(many=True))
    def get_handling_rules(self, item):
        return rules_of(item)

    @extend_schema_field(ResultSerializer)
    def get_result(self, item):
        return result_data(self.context["request"], item)

    @extend_schema_field(Completeness)
    def get_completeness(self, item):
        result = completeness(item)
        return {"present": result["present"], "missing": result["missing"]}
