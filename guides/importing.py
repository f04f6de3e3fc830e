"""Import a catalog of service items from CSV, XLSX or JSON (format: docs/catalog-format.md).

All or nothing: every row is read and checked first (format, references, the publishing rules
of guides/validation.py, duplicates, permissions); when anything is wrong, the problems are
returned as (row, column, reason in Chinese) and nothing is written. Otherwise items are created
or updated by (center, item_code) in one transaction, each change as a new Wagtail revision
(published unless `draft`), through the bulk writer in guides/bulk.py. An item whose content
is unchanged gets no new revision, so importing the same file twice changes nothing.
"""

import json
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Prefetch
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import COMMENTS_RELATION_NAME, Page

from portal import codes
from portal.dbstats import analyze
from portal.models import Department, ServiceCenter
from portal.richtext import import_rich_text
from portal.site_required import missing_site_message
from portal.tabular import (
    Problems,
    TabularError,
    as_text,
    parse_bool,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    read_table,
    text_problem,
)

from . import bulk, import_review
from .catalog_format import (
    ALIASES,
    BOOL_FIELDS,
    CHINESE,
    CHOICE_FIELDS,
    DEFAULTS,
    INFORMATIONAL,
    INT_FIELDS,
    MEDIA_ID_FIELDS,
    NESTED,
    POWER_LABELS,
    REQUIRED_COLUMNS,
    TEXT_FIELDS,
    page_record,
)
from .handling_rules import RULE_CODES, parse_rules, rule_field
from .models import (
    POWER_CODES,
    FeeBasis,
    FeeItem,
    GuideFee,
    GuideFolderPage,
    GuideIndexPage,
    GuidePage,
    GuideStep,
    LegalBasis,
    Material,
    Theme,
    power_field,
)
from .validation import children_errors, scalar_errors

LIST_SPLIT = re.compile(r"[,，、;；\n\r]+")
TEXT_MODEL_FIELD = {"name": "title", "keywords": "search_description"}
CHILD_MODELS = {"steps": GuideStep, "legal_basis": LegalBasis, "materials": Material}
IMPORT_LOG_ACTION = "gongkai.import"
# An import writing this many items refreshes the planner statistics (portal/dbstats.py).
ANALYZE_AFTER_ROWS = 200


@dataclass
class ImportResult:
    filename: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    fee_items: int = 0
    submitted: int = 0  # changed items sent to review (the user may not publish them)
    dry_run: bool = False
    draft: bool = False
    centers: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    preview: list = field(default_factory=list)  # per row: what the import does (new / changed fields / unchanged)

    @property
    def ok(self):
        return not self.problems

    def summary(self):
        prefix = _("（试运行，未写入）") if self.dry_run else ""
        text = prefix + _("共 %(rows)s 行：新增 %(created)s，更新 %(updated)s，未变 %(unchanged)s") % {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }
        if self.submitted:
            text += _("；其中 %(n)s 项已保存为草稿并提交审核，审核通过后发布") % {"n": self.submitted}
        return text

    def counts(self):
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "fee_items": self.fee_items,
            "submitted": self.submitted,
        }


@dataclass
class Planned:
    row: int
    record: dict
    center: ServiceCenter
    department: Department
    page: GuidePage | None  # the existing page, if any
    changed: bool = True
    changed_fields: list = field(default_factory=list)  # the record's keys whose values differ from the page's


class Lookups:
    """Everything rows refer to, loaded once (never one query per row)."""

    def __init__(self):
        self.centers = {c.code: c for c in ServiceCenter.objects.all()}
        self.departments = {}
        self.department_names = {}
        for department in Department.objects.all():
            self.departments[(department.center_id, department.code)] = department
            self.department_names[(department.center_id, department.name)] = department
        self.themes = {}
        for theme in Theme.objects.all():
            self.themes[theme.slug] = theme
            self.themes.setdefault(theme.name, theme)
        self.fees = {}  # (center id, code) -> the version in force today (else the newest)
        today = timezone.localdate()
        fees = FeeItem.objects.select_related("department").prefetch_related("basis").order_by("effective_from")
        for fee in fees:
            key = (fee.department.center_id, fee.code)
            current = self.fees.get(key)
            in_force = fee.effective_from <= today and (fee.effective_to is None or fee.effective_to >= today)
            if current is None or in_force or not _in_force(current, today):
                self.fees[key] = fee
        self.documents = None
        self.images = None

    def document_exists(self, pk):
        if self.documents is None:
            from wagtail.documents import get_document_model

            self.documents = set(get_document_model().objects.values_list("pk", flat=True))
        return pk in self.documents

    def image_exists(self, pk):
        if self.images is None:
            from wagtail.images import get_image_model

            self.images = set(get_image_model().objects.values_list("pk", flat=True))
        return pk in self.images


def _in_force(fee, today):
    return fee.effective_from <= today and (fee.effective_to is None or fee.effective_to >= today)


# --- reading cells ---


def _max_length(model, name):
    try:
        return model._meta.get_field(name).max_length
    except Exception:  # noqa: BLE001 - not a model field
        return None


_url = URLValidator()


def _check_url(text):
    if not text:
        return None
    try:
        _url(text)
    except ValidationError:
        return _("“%(value)s”不是有效的网址") % {"value": text}
    return None


def _text(value, model, field_name):
    text = as_text(value)
    limit = _max_length(model, field_name)
    if limit and len(text) > limit:
        return None, _("长度 %(n)s 超过上限 %(max)s 个字") % {"n": len(text), "max": limit}
    return text, None


def parse_list(value):
    if value is None:
        return []
    if isinstance(value, list):
        return [as_text(item) for item in value if as_text(item)]
    return [part.strip() for part in LIST_SPLIT.split(as_text(value)) if part.strip()]


def parse_powers(value):
    if isinstance(value, dict):
        granted_codes, problems = [], []
        for key, granted in value.items():
            ok, error = parse_bool(granted)
            if error:
                problems.append(error)
            elif ok:
                granted_codes.append(key)
        items = granted_codes
    else:
        items, problems = parse_list(value), []
    result = set()
    by_label = {}
    for code, label in POWER_LABELS.items():
        by_label[label] = code
        by_label[label.removesuffix("权")] = code
    for item in items:
        code = item if item in POWER_CODES else by_label.get(item)
        if code is None:
            problems.append(
                _("“%(value)s”不是窗口权限代码（可用：%(codes)s）") % {"value": item, "codes": ",".join(POWER_CODES)}
            )
        else:
            result.add(code)
    return [code for code in POWER_CODES if code in result], problems


def parse_nested(part, value):
    """A nested part as a list of dicts; returns (entries, [error text])."""
    fields = NESTED[part]
    if value is None or (isinstance(value, str) and not value.strip()):
        return [], []
    entries = value
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                entries = json.loads(text)
            except (ValueError, RecursionError):  # also over-long integers and too-deep nesting
                return [], [_("以“[”开头的内容应为 JSON 数组，但格式有误")]
        else:
            entries = [line for line in text.splitlines() if line.strip()]
    if not isinstance(entries, list):
        return [], [_("应为列表（每行一项，字段用“|”分隔，或 JSON 数组）")]
    keys = {}
    for key, chinese, _kind, _default in fields:
        keys[key] = key
        keys[chinese] = key
    result, problems = [], []
    child_model = CHILD_MODELS[part]
    for position, entry in enumerate(entries, start=1):
        if isinstance(entry, str):
            values = [v.strip() for v in entry.split("|")]
            if len(values) > len(fields):
                problems.append(
                    _("第 %(n)s 项：字段过多（最多 %(max)s 个，用“|”分隔）") % {"n": position, "max": len(fields)}
                )
                continue
            raw = {fields[i][0]: values[i] for i in range(len(values))}
        elif isinstance(entry, dict):
            raw = {}
            for key, item in entry.items():
                canonical = keys.get(str(key).strip())
                if canonical is None:
                    problems.append(_("第 %(n)s 项：未知的字段“%(key)s”") % {"n": position, "key": key})
                    continue
                raw[canonical] = item
        else:
            problems.append(_("第 %(n)s 项：格式有误") % {"n": position})
            continue
        parsed = {}
        for key, chinese, kind, default in fields:
            value_ = raw.get(key)
            blank = value_ is None or (isinstance(value_, str) and not value_.strip())
            error = None
            if kind in ("text", "url"):
                parsed[key], error = _text(value_, child_model, key)
                if not error and kind == "url":
                    error = _check_url(parsed[key])
            elif kind == "int":
                parsed[key], error = (default, None) if blank else parse_int(value_, minimum=0, maximum=32767)
            elif kind == "bool":
                parsed[key], error = (default, None) if blank else parse_bool(value_)
            elif kind == "document":
                if blank:
                    parsed[key] = None
                else:
                    parsed[key], error = parse_int(value_, minimum=1)
            else:
                parsed[key], error = (default, None) if blank else parse_choice(value_, kind)
            if error:
                problems.append(
                    _("第 %(n)s 项的“%(field)s”：%(reason)s") % {"n": position, "field": chinese, "reason": error}
                )
        result.append(parsed)
    return result, problems


def _notes_html(text):
    """其他说明: plain text, or the safe subset of portal.richtext (never raw HTML)."""
    return import_rich_text(as_text(text))


def read_row(values, row, label, problems, lookups):
    """The row's own values as a partial record (only the columns the file has)."""
    partial = {}
    for name, value in values.items():
        if name in INFORMATIONAL:
            continue
        error = None
        if name in ("center", "department"):
            partial[name] = codes.org_code(value)  # one normaliser for every importer: portal/codes.py
        elif name == "item_code":
            partial[name] = codes.clean(value)
        elif name in TEXT_FIELDS:
            if name == "notes":
                partial[name] = _notes_html(value)
            else:
                partial[name], error = _text(value, GuidePage, TEXT_MODEL_FIELD.get(name, name))
                if not error and name == "online_url":
                    error = _check_url(partial[name])
        elif name in CHOICE_FIELDS:
            partial[name], error = parse_choice(value, CHOICE_FIELDS[name])
            if partial[name] is None and not error:
                partial[name] = DEFAULTS[name]
        elif name in INT_FIELDS:
            # the columns' ranges: PositiveSmallIntegerField, PositiveIntegerField
            partial[name], error = parse_int(
                value, minimum=0, maximum=32767 if name == "visits_required" else 2_147_483_647
            )
            if partial[name] is None and name == "visits_required" and not error:
                partial[name] = DEFAULTS[name]
        elif name in BOOL_FIELDS:
            partial[name], error = parse_bool(value)
            if partial[name] is None and not error:
                partial[name] = DEFAULTS[name]
        elif name == "last_reviewed":
            partial[name], error = parse_date(value)
        elif name in MEDIA_ID_FIELDS:
            partial[name], error = parse_int(value, minimum=1, maximum=2_147_483_647)
        elif name == "window_authority":
            partial[name], errors = parse_powers(value)
            for reason in errors:
                problems.add(row, label(name), reason)
        elif name == "handling_rules":
            partial[name], errors = parse_rules(parse_list(value))
            for reason in errors:
                problems.add(row, label(name), reason)
        elif name in ("themes", "fees"):
            items = parse_list(value)
            if name == "themes":
                found = []
                for item in items:
                    theme = lookups.themes.get(item)
                    if theme is None:
                        problems.add(row, label(name), _("主题“%(value)s”不存在") % {"value": item})
                    else:
                        found.append(theme.slug)
                items = sorted(set(found))
            partial[name] = items
        elif name in NESTED:
            partial[name], errors = parse_nested(name, value)
            for reason in errors:
                problems.add(row, label(name), reason)
        if error:
            problems.add(row, label(name), error)
    return partial


# --- fee items defined in a JSON file ---

FEE_KEYS = {
    "center": ["所属中心", "中心"],
    "department": ["收费部门", "部门"],
    "code": ["收费编码"],
    "name": ["收费项目名称", "名称"],
    "amount": ["金额"],
    "formula": ["计费方式"],
    "unit": ["计费单位"],
    "effective_from": ["执行起始日"],
    "effective_to": ["执行截止日"],
    "notes": ["备注"],
    "basis": ["收费依据"],
}


def read_fee_items(entries, lookups, problems, may_edit=None):
    """Parse `fee_items` of a JSON file; returns [(department, values, basis list)].

    `may_edit(department)` (when given) says whether the importing user may maintain that
    department's fee items; an entry for any other department is refused.
    """
    if entries is None:
        return []
    if not isinstance(entries, list):
        problems.add(0, "fee_items", _("应为数组"))
        return []
    spellings = {}
    for key, others in FEE_KEYS.items():
        spellings[key] = key
        for other in others:
            spellings[other] = key
    result, seen = [], set()
    for number, entry in enumerate(entries, start=1):
        where = _("fee_items 第 %(n)s 条") % {"n": number}
        if not isinstance(entry, dict):
            problems.add(0, where, _("每一条应为 JSON 对象"))
            continue
        data = {}
        for key, value in entry.items():
            canonical = spellings.get(str(key).strip())
            if canonical is None:
                problems.add(0, f"{where}.{key}", _("未知的字段"))
            else:
                data[canonical] = value
        center = lookups.centers.get(codes.org_code(data.get("center")))
        if center is None:
            problems.add(0, f"{where}.center", _("中心 %(code)s 不存在") % {"code": as_text(data.get("center"))})
            continue
        department = lookups.departments.get((center.pk, codes.org_code(data.get("department"))))
        if department is None:
            problems.add(
                0,
                f"{where}.department",
                _("部门 %(code)s 不属于中心 %(center)s")
                % {"code": as_text(data.get("department")), "center": center.code},
            )
            continue
        if may_edit is not None and not may_edit(department):
            problems.add(
                0,
                f"{where}.department",
                _("您没有维护“%(center)s / %(department)s”收费项目的权限")
                % {"center": center.name, "department": department.name},
            )
            continue
        values = {"code": as_text(data.get("code")), "name": as_text(data.get("name"))}
        for key in ("code", "name"):
            if not values[key]:
                problems.add(0, f"{where}.{key}", _("不能为空"))
        values["amount"], error = parse_decimal(data.get("amount"), minimum=0)
        if error:
            problems.add(0, f"{where}.amount", error)
        values["formula"] = as_text(data.get("formula"))
        values["unit"] = as_text(data.get("unit"))
        values["notes"] = as_text(data.get("notes"))
        if values["amount"] is None and not values["formula"] and not error:
            problems.add(0, f"{where}.amount", _("请填写金额或计费方式"))
        values["effective_from"], error = parse_date(data.get("effective_from"))
        if error or values["effective_from"] is None:
            problems.add(0, f"{where}.effective_from", error or _("不能为空"))
        values["effective_to"], error = parse_date(data.get("effective_to"))
        if error:
            problems.add(0, f"{where}.effective_to", error)
        elif values["effective_to"] and values["effective_from"] and values["effective_to"] < values["effective_from"]:
            problems.add(0, f"{where}.effective_to", _("执行截止日不能早于起始日"))
        basis = []
        raw_basis = data.get("basis") or []
        if not isinstance(raw_basis, list):
            raw_basis = []
            problems.add(0, f"{where}.basis", _("应为数组"))
        for position, item in enumerate(raw_basis, start=1):
            item = item if isinstance(item, dict) else {"title": item}
            title = as_text(item.get("title") or item.get("文件名称"))
            if not title:
                problems.add(0, f"{where}.basis", _("第 %(n)s 项收费依据没有文件名称") % {"n": position})
            basis.append(
                {
                    "title": title,
                    "document_number": as_text(item.get("document_number") or item.get("文号")),
                    "issuer": as_text(item.get("issuer") or item.get("发文机关")),
                    "url": as_text(item.get("url") or item.get("链接")),
                }
            )
        key = (department.pk, values["code"], values["effective_from"])
        if key in seen:
            problems.add(0, where, _("同一收费项目版本（部门、编码、执行起始日）重复出现"))
        seen.add(key)
        result.append((department, values, basis))
    return result


def _fee_scope(user):
    """Which departments' fee items the user may maintain (as in the admin: portal.roles);
    None when there is no limit (the command line, a superuser)."""
    if user is None or user.is_superuser:
        return None
    from portal.roles import scope_for

    return scope_for(user).covers_department


def _fee_definitions_in_lookups(definitions, lookups):
    """Let items refer to fee items defined in the file (unsaved, basis in memory)."""
    today = timezone.localdate()
    for department, values, basis in definitions:
        fee = FeeItem(department=department, **values)
        fee.basis = [FeeBasis(sort_order=i, **b) for i, b in enumerate(basis)]
        key = (department.center_id, values["code"])
        current = lookups.fees.get(key)
        if current is None or _in_force(fee, today) or not _in_force(current, today):
            lookups.fees[key] = fee


def save_fee_items(definitions):
    """Create or update fee versions by (department, code, effective_from); returns how many changed."""
    changed = 0
    for department, values, basis in definitions:
        fee = FeeItem.all_versions.filter(
            department=department, code=values["code"], effective_from=values["effective_from"]
        ).first()
        old_basis = []
        if fee is not None:
            old_basis = [
                {"title": b.title, "document_number": b.document_number, "issuer": b.issuer, "url": b.url}
                for b in fee.basis.all()
            ]
            same = all(getattr(fee, key) == value for key, value in values.items())
            if same and old_basis == basis:
                continue
        fee = fee or FeeItem(department=department)
        for key, value in values.items():
            setattr(fee, key, value)
        fee.basis = [FeeBasis(sort_order=i, **b) for i, b in enumerate(basis)]
        fee.live = True  # only users who may publish fee items get here (import_catalog)
        fee.save()
        changed += 1
    return changed


# --- records and pages ---


def _existing_pages(keys):
    """Existing pages for (center id, item_code) keys, with everything a record needs."""
    pages = {}
    by_center = {}
    for center_id, code in keys:
        by_center.setdefault(center_id, []).append(code)
    for center_id, item_codes in by_center.items():
        keys = sorted({codes.item_key(code) for code in item_codes})
        for start in range(0, len(keys), 900):
            queryset = (
                GuidePage.objects.annotate(code_key=Upper("item_code"))
                .filter(center_id=center_id, code_key__in=keys[start : start + 900])
                .select_related("center", "department", "locked_by")
                .prefetch_related(
                    "steps",
                    "legal_basis",
                    "materials",
                    "themes",
                    COMMENTS_RELATION_NAME,
                    Prefetch("fees", queryset=GuideFee.objects.select_related("fee_item")),
                )
            )
            for page in queryset:
                pages[(page.center_id, codes.item_key(page.item_code))] = page
    return pages


def current_record(page):
    """The item's latest content: its draft when it has unpublished changes, else the live row."""
    if page.has_unpublished_changes and page.latest_revision_id:
        draft = page.get_latest_revision_as_object()
        return page_record(draft)
    return page_record(page)


def apply_record(page, record, lookups, center, department):
    """Set a page's fields and (in memory) its children from a record."""
    page.title = record["name"]
    page.item_code = record["item_code"]
    page.center = center
    page.department = department
    for name in (
        "short_name",
        "everyday_terms",
        "item_type",
        "audience",
        "acceptance_conditions",
        "handling_type",
        "visits_required",
        "online_url",
        "statutory_days",
        "promised_days",
        "charges",
        "should_enter",
        "entered",
        "place",
        "hours",
        "consult_phone",
        "complaint_phone",
        "notes",
        "last_reviewed",
        "result_name",
        "result_type",
    ):
        setattr(page, name, record[name])
    page.result_sample_id = record["result_sample"]
    page.result_sample_image_id = record["result_sample_image"]
    if hasattr(page, "featured"):
        page.featured = record["featured"]
    page.search_description = record["keywords"]
    for code in POWER_CODES:
        setattr(page, power_field(code), code in record["window_authority"])
    for code in RULE_CODES:
        setattr(page, rule_field(code), code in record["handling_rules"])
    page.themes = [lookups.themes[slug] for slug in record["themes"]]
    page.steps = [GuideStep(sort_order=i, **entry) for i, entry in enumerate(record["steps"])]
    page.legal_basis = [LegalBasis(sort_order=i, **entry) for i, entry in enumerate(record["legal_basis"])]
    page.materials = [
        Material(
            sort_order=i,
            blank_form_id=entry["blank_form"],
            sample_id=entry["sample"],
            **{k: v for k, v in entry.items() if k not in ("blank_form", "sample")},
        )
        for i, entry in enumerate(record["materials"])
    ]
    page.fees = [
        GuideFee(sort_order=i, fee_item=lookups.fees[(center.pk, code)]) for i, code in enumerate(record["fees"])
    ]
    return page


def _validate_record(row, record, center, lookups, label, problems):
    errors = scalar_errors(
        center_id=None,  # duplicates are checked across the file and by (center, item_code) matching
        item_code=record["item_code"],
        statutory_days=record["statutory_days"],
        promised_days=record["promised_days"],
    )
    fees = []
    for code in record["fees"]:
        fee = lookups.fees.get((center.pk, code))
        if fee is None:
            problems.add(
                row,
                label("fees"),
                _("收费项目编码 %(code)s 在中心 %(center)s 不存在") % {"code": code, "center": center.code},
            )
        else:
            fees.append(fee)
    if not [code for code in record["fees"] if (center.pk, code) not in lookups.fees]:
        for key, messages in children_errors(
            charges=record["charges"], fee_items=fees, materials=record["materials"]
        ).items():
            errors.setdefault(key, []).extend(messages)
    for key, messages in errors.items():
        column = {"charges": "charges"}.get(key, key)
        for message in messages:
            problems.add(row, label(column), message)
    for position, material in enumerate(record["materials"], start=1):
        for key in ("blank_form", "sample"):
            if material[key] is not None and not lookups.document_exists(material[key]):
                problems.add(
                    row,
                    label("materials"),
                    _("第 %(n)s 项材料的文档 %(id)s 不存在") % {"n": position, "id": material[key]},
                )
    for name, kind in MEDIA_ID_FIELDS.items():
        pk = record[name]
        exists = lookups.document_exists if kind == "document" else lookups.image_exists
        if pk is not None and not exists(pk):
            message = (
                _("文档 %(id)s 不存在（请先在“文档”中上传）")
                if kind == "document"
                else _("图片 %(id)s 不存在（请先在“图片”中上传）")
            )
            problems.add(row, label(name), message % {"id": pk})


def plan(table, lookups, problems):
    """Check every row; returns the planned items (nothing written)."""

    def label(name):
        return table.labels.get(name) or CHINESE.get(name, name)

    rows, seen = [], {}
    for row, values in table.rows:
        count = len(problems)
        unstorable = [(name, reason) for name, value in values.items() if (reason := text_problem(value))]
        for name, reason in unstorable:
            problems.add(row, label(name), reason)
        if unstorable:
            continue
        partial = read_row(values, row, label, problems, lookups)
        center = lookups.centers.get(partial.get("center", ""))
        if center is None:
            reason = (
                _("中心 %(code)s 不存在") % {"code": partial.get("center")} if partial.get("center") else _("不能为空")
            )
            problems.add(row, label("center"), reason)
            continue
        code = partial.get("item_code", "")
        if not code:
            problems.add(row, label("item_code"), _("不能为空"))
            continue
        error = codes.item_code_error(code)
        if error:
            problems.add(row, label("item_code"), error)
            continue
        key = (center.pk, codes.item_key(code))  # SCJG-001 and scjg-001 are one item
        if key in seen:
            problems.add(
                row,
                label("item_code"),
                _("事项编码 %(code)s 在本中心重复：文件第 %(other)s 行已有该编码") % {"code": code, "other": seen[key]},
            )
            continue
        seen[key] = row
        rows.append((row, partial, center, count == len(problems)))
    existing = _existing_pages([(center.pk, partial["item_code"]) for _row, partial, center, _ok in rows])
    planned = []
    for row, partial, center, clean in rows:
        page = existing.get((center.pk, codes.item_key(partial["item_code"])))
        if page is not None:  # the item keeps the code as first imported, whatever case the file uses
            partial = {**partial, "item_code": page.item_code}
        base = current_record(page) if page is not None else {**DEFAULTS, "center": center.code}
        record = {**base, **partial}
        department_text = record.get("department") or ""
        department = lookups.departments.get(
            (center.pk, codes.org_code(department_text))
        ) or lookups.department_names.get((center.pk, department_text))
        if department is None:
            reason = (
                _("部门 %(code)s 不属于中心 %(center)s") % {"code": department_text, "center": center.code}
                if department_text
                else _("新事项必须填写实施主体（部门编码）")
            )
            problems.add(row, label("department"), reason)
            continue
        record["department"] = department.code
        if not record["name"]:
            problems.add(row, label("name"), _("事项名称不能为空"))
            continue
        if not clean:
            continue
        _validate_record(row, record, center, lookups, label, problems)
        if page is not None and page.locked:
            problems.add(row, label("item_code"), _("该事项已被锁定（正在编辑），请解锁后再导入"))
        changed = page is None or record != base
        changed_fields = [key for key in record if page is not None and record.get(key) != base.get(key)]
        planned.append(
            Planned(
                row=row,
                record=record,
                center=center,
                department=department,
                page=page,
                changed=changed,
                changed_fields=changed_fields,
            )
        )
    return planned


# --- the import ---


def _preview_row(item, label):
    """One row of the import preview: new, which fields change, or unchanged."""
    if item.page is None:
        status = "new"
    elif item.changed:
        status = "changed"
    else:
        status = "unchanged"
    return {
        "row": item.row,
        "center": item.center.code,
        "item_code": item.record.get("item_code", ""),
        "name": item.record.get("name", ""),
        "status": status,
        "fields": [str(label(key)) for key in item.changed_fields],
    }


def import_catalog(source, *, filename, user=None, dry_run=False, draft=False, log=True):
    """Read, check and (unless dry_run or any problem) write a catalog file; see module docstring."""
    result = ImportResult(filename=filename, dry_run=dry_run, draft=draft)
    try:
        table = read_table(
            source,
            filename=filename,
            aliases=ALIASES,
            required=REQUIRED_COLUMNS,
            max_rows=getattr(settings, "CATALOG_IMPORT_MAX_ROWS", 20_000),
        )
    except TabularError as exc:
        result.problems = exc.problems
        return result
    result.rows = len(table.rows)
    problems = Problems()
    if GuideIndexPage.objects.first() is None and (reason := missing_site_message()):
        problems.add(0, "", reason)
        result.problems = list(problems)
        return result
    lookups = Lookups()
    unknown = set(table.document) - {"fee_items", "format", "version"}
    for key in sorted(unknown):
        problems.add(0, key, _("未知的字段"))
    if reason := text_problem(table.document.get("fee_items")):
        problems.add(0, "fee_items", reason)
    may_edit_fees = (
        user is None
        or user.is_superuser
        or (user.has_perm("guides.add_feeitem") and user.has_perm("guides.change_feeitem"))
    )
    definitions = read_fee_items(
        table.document.get("fee_items"), lookups, problems, may_edit=_fee_scope(user) if may_edit_fees else None
    )
    if definitions and not may_edit_fees:
        problems.add(0, "fee_items", _("您没有维护收费项目的权限"))
    elif definitions and not (user is None or user.is_superuser or user.has_perm("guides.publish_feeitem")):
        # fee items go through review like items: a file cannot publish them for this user
        problems.add(0, "fee_items", _("收费项目须经审核：请在后台“收费项目”中保存并提交审核，不能通过导入直接发布"))
    _fee_definitions_in_lookups(definitions, lookups)
    planned = plan(table, lookups, problems)

    def label(name):
        return table.labels.get(name) or CHINESE.get(name, name)

    import_review.check_permissions(user, planned, label, problems)
    in_workflow = _pages_in_workflow([item.page.pk for item in planned if item.page is not None and item.changed])
    import_review.check_workflows(planned, in_workflow, label, problems)
    if problems:
        result.problems = list(problems)
        return result
    result.centers = sorted({item.center.code for item in planned})
    result.created = sum(1 for item in planned if item.page is None)
    result.updated = sum(1 for item in planned if item.page is not None and item.changed)
    result.unchanged = sum(1 for item in planned if not item.changed)
    result.preview = [_preview_row(item, label) for item in planned]
    if dry_run:
        return result
    from search.indexing import deferred

    # One transaction; the search index is refreshed in one batch after it commits.
    with transaction.atomic(), deferred():
        result.fee_items = save_fee_items(definitions)
        if definitions:
            lookups = Lookups()  # link items to the saved fee rows
        publishable, review = import_review.split_by_publish_right(user, planned)
        write(publishable, lookups, user=user, publish=not draft)
        written = write(review, lookups, user=user, publish=False)
        if not draft:
            result.submitted = import_review.submit_for_review(written, user)
        if log:
            log_import(result, user)
    if result.created + result.updated >= ANALYZE_AFTER_ROWS:
        analyze(Page._meta.db_table, GuidePage._meta.db_table, GuidePage.themes.through._meta.db_table)
    return result


def write(planned, lookups, *, user=None, publish=True):
    """Create new pages and update changed ones (fast path; the normal API for special states);
    returns the ids of the pages written."""
    if not planned:
        return []
    from portal.models import HomePage

    from .demo import ensure_index_pages

    index = GuideIndexPage.objects.first()
    if index is None:
        index, _events = ensure_index_pages(HomePage.objects.first())
    wanted = {
        (item.center, item.department)
        for item in planned
        if item.page is None or (item.changed and item.page.department_id != item.department.pk)
    }
    folders = ensure_folders(index, wanted)

    def folder(center, department):
        return folders[(center.pk, department.pk)]

    in_workflow = _pages_in_workflow([item.page.pk for item in planned if item.page is not None and item.changed])
    new = []
    changes, slow = [], []
    for item in planned:
        if item.page is None:
            page = GuidePage(slug=slugify(item.record["item_code"], allow_unicode=True))
            apply_record(page, item.record, lookups, item.center, item.department)
            new.append((folder(item.center, item.department), page))
            continue
        if not item.changed:
            continue
        page = item.page
        if page.department_id != item.department.pk or _needs_normal_path(page, in_workflow):
            slow.append((page, item))
            continue
        old = {name: sorted(getattr(page, name).all(), key=lambda c: c.sort_order or 0) for name in CHILD_MODELS}
        old["fees"] = sorted(page.fees.all(), key=lambda c: c.sort_order or 0)
        apply_record(page, item.record, lookups, item.center, item.department)
        changes.append((page, old))
    created = bulk.create_pages(new, user=user, publish=publish)
    bulk.update_pages(changes, user=user, publish=publish)
    for page, item in slow:
        target = folder(item.center, item.department)
        if page.department_id != item.department.pk:
            page.move(target, pos="last-child")
            page = GuidePage.objects.get(pk=page.pk)
        apply_record(page, item.record, lookups, item.center, item.department)
        revision = page.save_revision(user=user, log_action=True)
        if publish:  # the caller checked the user's publish permission (guides/import_review.py)
            revision.publish(user=user, log_action=True, skip_permission_checks=True)
    return [page.pk for page in created] + [page.pk for page, _old in changes] + [page.pk for page, _item in slow]


def ensure_folders(index, pairs):
    """{(center id, department id): folder} for the (center, department) pairs, creating the
    missing center and department folders in bulk (two batches, not one add_child each)."""
    folders = {}
    for existing in GuideFolderPage.objects.order_by("path"):
        folders.setdefault((existing.center_id, existing.department_id), existing)
    centers = {center.pk: center for center, _department in pairs}
    missing = [
        (index, GuideFolderPage(title=center.name, slug=center.code, center=center, department=None))
        for center in centers.values()
        if (center.pk, None) not in folders
    ]
    for page in bulk.create_pages(missing, log=False, send_signals=False):
        folders[(page.center_id, None)] = page
    missing = [
        (
            folders[(center.pk, None)],
            GuideFolderPage(title=department.name, slug=department.code, center=center, department=department),
        )
        for center, department in sorted(pairs, key=lambda pair: (pair[0].pk, pair[1].pk))
        if (center.pk, department.pk) not in folders
    ]
    for page in bulk.create_pages(missing, log=False, send_signals=False):
        folders[(page.center_id, page.department_id)] = page
    return folders


def _needs_normal_path(page, in_workflow):
    """Scheduled publishing or a moderation workflow: let Wagtail's own code handle them."""
    if page.go_live_at and page.go_live_at > timezone.now():
        return True
    return page.pk in in_workflow


def _pages_in_workflow(ids):
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page, WorkflowState

    if not ids:
        return set()
    states = WorkflowState.objects.filter(
        status=WorkflowState.STATUS_IN_PROGRESS, base_content_type=ContentType.objects.get_for_model(Page)
    ).values_list("object_id", flat=True)
    wanted = {str(pk) for pk in ids}
    return {int(object_id) for object_id in states if object_id in wanted}


def log_import(result, user):
    """One entry in Wagtail's audit log per import: who, which file, what it did."""
    from wagtail.log_actions import log

    index = GuideIndexPage.objects.first()
    if index is None:
        return
    log(
        instance=index,
        action=IMPORT_LOG_ACTION,
        user=user,
        data={
            "filename": result.filename,
            "draft": result.draft,
            "centers": result.centers,
            **result.counts(),
        },
    )
