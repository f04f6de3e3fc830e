"""The six handling rules (六制) a center applies to an item, with what each means for the applicant.

Codes are stable (DESIGN.md "Six handling rules"); an item stores one boolean per rule
(`rule_<code>`, from HandlingRulesMixin), like the window powers.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

HANDLING_RULES = [
    (
        "direct",
        _("直接办理制"),
        _("对材料齐全、符合法定形式的申请，窗口当场受理、直接办理，不再层层转报。"),
        _("材料齐全的，在窗口当场受理；能当场办结的当场办结。"),
    ),
    (
        "deemed_consent",
        _("承诺超时默认制"),
        _("承诺时限内未作出决定、又未说明理由的，在法律允许的范围内视为同意，由窗口出具相关文书。"),
        _("过期未答复视为同意（法律法规允许时）：超过承诺时限没有答复的，可到窗口要求出具文书。"),
    ),
    (
        "first_contact",
        _("联合办理首办责任制"),
        _("涉及多个部门的事项，由首先受理的部门牵头，负责协调其他部门联合办理并统一答复。"),
        _("涉及几个部门的，不用自己逐个跑：第一个受理的窗口负责到底。"),
    ),
    (
        "declared",
        _("申报办理制"),
        _("申请人按公布的条件和材料申报，部门依申报材料办理，不得增加公布以外的条件。"),
        _("只需提交指南公布的材料，窗口不得要求公布以外的材料或条件。"),
    ),
    (
        "clear_reply",
        _("明确答复制"),
        _("对申请一律明确答复：不予受理或不予批准的，书面说明理由和申请人依法享有的权利。"),
        _("不论能否办理，都会得到明确答复；不予办理的，会书面告诉您理由和救济途径。"),
    ),
    (
        "central_fees",
        _("集中收费制"),
        _("依法收取的费用由中心统一收取、开具票据，部门不得另行收费。"),
        _("所有费用在中心统一缴纳并取得票据，其他任何收费都可以投诉。"),
    ),
]
RULE_CODES = [code for code, *_rest in HANDLING_RULES]
RULE_LABELS = {code: name for code, name, *_rest in HANDLING_RULES}


def rule_field(code):
    return f"rule_{code}"


class HandlingRulesMixin(models.Model):
    """The six flags of a service item (GuidePage); abstract, so the fields live on the item's table."""

    rule_direct = models.BooleanField(_("直接办理制"), default=False)
    rule_deemed_consent = models.BooleanField(_("承诺超时默认制"), default=False)
    rule_first_contact = models.BooleanField(_("联合办理首办责任制"), default=False)
    rule_declared = models.BooleanField(_("申报办理制"), default=False)
    rule_clear_reply = models.BooleanField(_("明确答复制"), default=False)
    rule_central_fees = models.BooleanField(_("集中收费制"), default=False)

    class Meta:
        abstract = True

    @property
    def handling_rules(self):
        return [code for code in RULE_CODES if getattr(self, rule_field(code))]


def rules_of(item):
    """The rules that apply to an item: [{"code", "name", "text", "meaning"}] in the standard order."""
    return [
        {"code": code, "name": str(name), "text": str(text), "meaning": str(meaning)}
        for code, name, text, meaning in HANDLING_RULES
        if getattr(item, rule_field(code), False)
    ]


def parse_rules(items):
    """Rule codes from a list of codes or Chinese names (直接办理制 or 直接办理); returns (codes, [error])."""
    by_name = {}
    for code, name, *_rest in HANDLING_RULES:
        by_name[str(name)] = code
        by_name[str(name).removesuffix("制")] = code
    result, problems = set(), []
    for item in items:
        code = item.lower() if item.lower() in RULE_CODES else by_name.get(item)
        if code is None:
            problems.append(
                _("“%(value)s”不是六制代码（可用：%(codes)s）") % {"value": item[:40], "codes": ",".join(RULE_CODES)}
            )
        else:
            result.add(code)
    return [code for code in RULE_CODES if code in result], problems
