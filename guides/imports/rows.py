"""Reading one catalog row: cells to values (lists, powers, nested steps/materials/legal basis), with problems."""

import json

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from core.tabular import (
    as_text,
    parse_bool,
    parse_choice,
    parse_date,
    parse_int,
)
from portal import codes
from portal.richtext import import_rich_text

from ..catalog_format import (
    BOOL_FIELDS,
    CHOICE_FIELDS,
    DEFAULTS,
    FORMER_LABELS,
    INFORMATIONAL,
    INT_FIELDS,
    MEDIA_ID_FIELDS,
    NESTED,
    POWER_LABELS,
    TEXT_FIELDS,
)
from ..choices import POWER_CODES
from ..handling_rules import parse_rules
from ..models import GuidePage
from .lookups import CHILD_MODELS, LIST_SPLIT, TEXT_MODEL_FIELD

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
                parsed[key], error = (default, None) if blank else parse_choice(value_, kind, FORMER_LABELS.get(key))
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
