"""The catalog file format shared by the importer and the exporter (see docs/catalog-format.md).

An item is handled as a *record*: a plain dict keyed by the English column names below, with
Python values (str, int, bool, date, lists of dicts for nested parts). The exporter turns pages
into records and records into cells; the importer turns cells into records and records into
pages. Comparing two records tells whether an import changes anything.
"""

from django.utils.translation import gettext_lazy as _

from .choices import (
    AUDIENCE_CHOICES,
    FORMAT_CHOICES,
    FORMER_REQUIREMENT_LABELS,
    HANDLING_CHOICES,
    ITEM_TYPE_CHOICES,
    POWER_CODES,
    REQUIREMENT_CHOICES,
    RESULT_TYPE_CHOICES,
    WINDOW_POWERS,
)
from .handling_rules import RULE_CODES, rule_field
from .serialization import legal_basis_dict, material_dict, step_dict

# (canonical name, Chinese header, other accepted spellings), in export order.
COLUMNS = [
    ("center", "所属中心", ["中心", "中心编码"]),
    ("department", "实施主体", ["部门", "部门编码", "实施主体编码"]),
    ("item_code", "事项编码", []),
    ("name", "事项名称", ["title", "名称"]),
    ("short_name", "事项简称", ["简称"]),
    ("everyday_terms", "日常用语", ["俗称", "常用说法"]),
    ("item_type", "事项类型", []),
    ("audience", "服务对象", []),
    ("themes", "主题", []),
    ("steps", "办理流程", ["办理程序", "办理步骤"]),
    ("acceptance_conditions", "受理条件", []),
    ("handling_type", "办件类型", []),
    ("visits_required", "到现场次数", []),
    ("online_url", "网上办理地址", ["网上办理"]),
    ("legal_basis", "设定依据", ["设立依据", "法律依据"]),
    ("materials", "申请材料", ["申报材料"]),
    ("statutory_days", "法定办结时限", []),
    ("promised_days", "承诺办结时限", []),
    ("charges", "是否收费", []),
    ("fees", "收费标准", ["收费项目", "收费项目编码"]),
    ("fee_basis", "收费依据", []),
    ("window_authority", "窗口权限", []),
    ("handling_rules", "六制", ["适用六制", "办理制度"]),
    ("result_name", "办理结果", ["办理结果名称", "结果名称"]),
    ("result_type", "办理结果类型", ["结果类型"]),
    ("result_sample", "结果样本", ["结果样本文件", "证照样本"]),
    ("result_sample_image", "结果样本图片", ["证照样本图片"]),
    ("should_enter", "应进", ["应进驻中心", "是否应进"]),
    ("entered", "实进", ["已进驻中心", "是否实进"]),
    ("place", "办理地点", []),
    ("hours", "办理时间", []),
    ("consult_phone", "咨询电话", []),
    ("complaint_phone", "投诉电话", []),
    ("notes", "其他说明", []),
    ("last_reviewed", "最近审核日期", []),
    ("keywords", "关键词", ["search_description"]),
    ("featured", "常办事项", []),
]
ALIASES = {name: [chinese, *others] for name, chinese, others in COLUMNS}
CHINESE = {name: chinese for name, chinese, _others in COLUMNS}
REQUIRED_COLUMNS = ["center", "item_code"]
# Written by the exporter for readers; the importer accepts and ignores it (a fee's basis
# belongs to the fee item, see the `fee_items` part of the JSON format).
INFORMATIONAL = {"fee_basis"}

LIST_FIELDS = ("themes", "fees", "window_authority", "handling_rules")
BOOL_FIELDS = ("charges", "should_enter", "entered", "featured")
INT_FIELDS = ("visits_required", "statutory_days", "promised_days")
TEXT_FIELDS = (
    "name",
    "short_name",
    "everyday_terms",
    "acceptance_conditions",
    "online_url",
    "place",
    "hours",
    "consult_phone",
    "complaint_phone",
    "notes",
    "keywords",
    "result_name",
)
# Ids of Wagtail documents / images (办理结果 samples); the importer checks they exist.
MEDIA_ID_FIELDS = {"result_sample": "document", "result_sample_image": "image"}
CHOICE_FIELDS = {
    "item_type": ITEM_TYPE_CHOICES,
    "audience": AUDIENCE_CHOICES,
    "handling_type": HANDLING_CHOICES,
    "result_type": RESULT_TYPE_CHOICES,
}

# Nested parts: (key, Chinese name, kind, default); positions give the "|" line syntax order.
NESTED = {
    "steps": [
        ("name", "环节名称", "text", ""),
        ("description", "办理内容", "text", ""),
        ("who", "办理人员", "text", ""),
        ("time_limit", "时限", "text", ""),
    ],
    "legal_basis": [
        ("title", "法律法规名称", "text", ""),
        ("issuer", "制定机关", "text", ""),
        ("article", "条款", "text", ""),
        ("url", "链接", "url", ""),
    ],
    "materials": [
        ("name", "材料名称", "text", ""),
        ("source", "来源渠道", "text", ""),
        ("originals", "原件份数", "int", 1),
        ("copies", "复印件份数", "int", 0),
        ("format", "材料形式", FORMAT_CHOICES, "paper"),
        ("requirement", "必要性", REQUIREMENT_CHOICES, "required"),
        ("notes", "备注", "text", ""),
        ("blank_form", "空白表格", "document", None),
        ("sample", "示例样表", "document", None),
        ("instructions", "填写说明", "text", ""),
        ("notify_commit", "告知承诺", "bool", False),
        ("e_license", "免提交", "bool", False),
    ],
}
# Labels a nested choice had before, still read by the importer ({key: {label: code}}).
FORMER_LABELS = {"requirement": FORMER_REQUIREMENT_LABELS}
NESTED_LABEL = {"steps": _("办理流程"), "legal_basis": _("设定依据"), "materials": _("申请材料")}
POWER_LABELS = {code: str(label) for code, label in WINDOW_POWERS}

# Defaults of a new item (the model's defaults), for columns a file leaves out.
DEFAULTS = {
    "department": "",
    "name": "",
    "short_name": "",
    "everyday_terms": "",
    "item_type": "licensing",
    "audience": "person",
    "themes": [],
    "steps": [],
    "acceptance_conditions": "",
    "handling_type": "promised",
    "visits_required": 1,
    "online_url": "",
    "legal_basis": [],
    "materials": [],
    "statutory_days": None,
    "promised_days": None,
    "charges": False,
    "fees": [],
    "window_authority": [],
    "handling_rules": [],
    "result_name": "",
    "result_type": "",
    "result_sample": None,
    "result_sample_image": None,
    "should_enter": True,
    "entered": True,
    "place": "",
    "hours": "",
    "consult_phone": "",
    "complaint_phone": "",
    "notes": "",
    "last_reviewed": None,
    "keywords": "",
    "featured": False,
}

__all__ = ["ALIASES", "COLUMNS", "DEFAULTS", "FORMER_LABELS", "NESTED", "POWER_CODES", "page_record"]


def page_record(page):
    """The record of a page as it is in memory (children prefetched or assigned)."""
    record = {
        "center": page.center.code,
        "department": page.department.code,
        "item_code": page.item_code,
        "name": page.title,
        "item_type": page.item_type,
        "audience": page.audience,
        "themes": sorted(theme.slug for theme in page.themes.all()),
        "steps": [step_dict(s) for s in _ordered(page.steps.all())],
        "acceptance_conditions": page.acceptance_conditions,
        "handling_type": page.handling_type,
        "visits_required": page.visits_required,
        "online_url": page.online_url,
        "legal_basis": [legal_basis_dict(b) for b in _ordered(page.legal_basis.all())],
        "materials": [material_dict(m) for m in _ordered(page.materials.all())],
        "statutory_days": page.statutory_days,
        "promised_days": page.promised_days,
        "charges": page.charges,
        "fees": [link.fee_item.code for link in _ordered(page.fees.all())],
        "window_authority": [code for code in POWER_CODES if getattr(page, f"power_{code}")],
        "handling_rules": [code for code in RULE_CODES if getattr(page, rule_field(code))],
        "result_name": page.result_name,
        "result_type": page.result_type,
        "result_sample": page.result_sample_id,
        "result_sample_image": page.result_sample_image_id,
        "should_enter": page.should_enter,
        "entered": page.entered,
        "place": page.place,
        "hours": page.hours,
        "consult_phone": page.consult_phone,
        "complaint_phone": page.complaint_phone,
        "notes": page.notes or "",
        "last_reviewed": page.last_reviewed,
        "keywords": page.search_description or "",
        "short_name": page.short_name,
        "everyday_terms": page.everyday_terms,
        "featured": bool(getattr(page, "featured", False)),
    }
    return record


def _ordered(children):
    return sorted(children, key=lambda child: (child.sort_order is None, child.sort_order or 0))
