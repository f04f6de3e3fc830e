"""The catalog's choices and labels: one place for models, forms, imports, the API and search facets."""

from django.utils.translation import gettext_lazy as _

AUDIENCE_PERSON = "person"
AUDIENCE_LEGAL = "legal"
AUDIENCE_BOTH = "both"
AUDIENCE_CHOICES = [(AUDIENCE_PERSON, _("个人")), (AUDIENCE_LEGAL, _("法人")), (AUDIENCE_BOTH, _("个人和法人"))]

ITEM_TYPE_CHOICES = [
    ("licensing", _("行政许可")),
    ("confirmation", _("行政确认")),
    ("payment", _("行政给付")),
    ("adjudication", _("行政裁决")),
    ("reward", _("行政奖励")),
    ("levy", _("行政征收")),
    ("other_power", _("其他行政权力")),
    ("public_service", _("公共服务")),
]

HANDLING_IMMEDIATE = "immediate"
HANDLING_PROMISED = "promised"
HANDLING_CHOICES = [(HANDLING_IMMEDIATE, _("即办件")), (HANDLING_PROMISED, _("承诺件"))]

# The seven powers granted to the window (窗口权限), in DESIGN.md order; codes are the interface.
WINDOW_POWERS = [
    ("accept", _("受理权")),
    ("review", _("审核权")),
    ("coordinate", _("协调处置权")),
    ("deliver", _("办理结果送达权")),
    ("litigate", _("应诉代理权")),
    ("certify", _("制证权")),
    ("approve", _("审批权")),
]
POWER_CODES = [code for code, _label in WINDOW_POWERS]


def power_field(code):
    return f"power_{code}"


REQUIREMENT_CHOICES = [("required", _("必要")), ("deferrable", _("容缺")), ("conditional", _("视情形提交"))]
# Labels used before, still accepted by the catalog imports (never written by an export).
FORMER_REQUIREMENT_LABELS = {"情形": "conditional"}
FORMAT_CHOICES = [("paper", _("纸质")), ("electronic", _("电子")), ("both", _("纸质或电子"))]


def choice_labels(choices):
    """{code: label} of a choices list (search facets, API labels)."""
    return dict(choices)


# 办理结果: what the applicant receives (证照、批文 …), with a sample of it.
RESULT_TYPE_CHOICES = [
    ("certificate", _("证照")),
    ("approval", _("批文")),
    ("proof", _("证明文件")),
    ("other", _("其他")),
]
