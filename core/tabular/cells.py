"""Cell values of editors' tables: text, yes/no, numbers, dates, choices, storable text.

Value parsers (`parse_bool`, `parse_int`, …) return `(value, error)` so callers can collect
every error in one pass instead of stopping at the first. A date-time without an offset is
taken in the site's time zone (TIME_ZONE, core.timezones).
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from core.timezones import local_tz


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


TRUE_WORDS = {"true", "1", "是", "y", "yes", "t", "√", "有"}
FALSE_WORDS = {"false", "0", "否", "n", "no", "f", "×", "无"}


def as_text(value):
    """A cell as text: numbers from a spreadsheet lose a trailing .0, blanks become ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).strip()


def parse_bool(value):
    if isinstance(value, bool):
        return value, None
    if is_blank(value):
        return None, None
    text = as_text(value).lower()
    if text in TRUE_WORDS:
        return True, None
    if text in FALSE_WORDS:
        return False, None
    return None, _("“%(value)s”不是有效的是/否值（可填 是/否、true/false、1/0）") % {"value": as_text(value)}


def parse_int(value, *, minimum=None, maximum=None):
    if is_blank(value):
        return None, None
    if isinstance(value, bool):
        return None, _("“%(value)s”不是整数") % {"value": value}
    if isinstance(value, float):
        if not value.is_integer():
            return None, _("“%(value)s”不是整数") % {"value": as_text(value)}
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        text = as_text(value).replace(",", "")
        try:
            number = int(text)
        except ValueError:
            try:
                decimal = Decimal(text)
            except InvalidOperation:
                return None, _("“%(value)s”不是整数") % {"value": as_text(value)}
            if not decimal.is_finite() or decimal != decimal.to_integral_value():  # Infinity, NaN, sNaN
                return None, _("“%(value)s”不是整数") % {"value": as_text(value)}
            if decimal.adjusted() > 18:  # before int(): "1e999999999" would take all memory
                return None, _("“%(value)s”超出允许的范围") % {"value": as_text(value)}
            number = int(decimal)
    if abs(number) > 2**63 - 1:  # no database integer column holds it
        return None, _("“%(value)s”超出允许的范围") % {"value": as_text(value)}
    if minimum is not None and number < minimum:
        return None, _("%(value)s 小于允许的最小值 %(min)s") % {"value": number, "min": minimum}
    if maximum is not None and number > maximum:
        return None, _("%(value)s 大于允许的最大值 %(max)s") % {"value": number, "max": maximum}
    return number, None


def parse_decimal(value, *, places=2, max_digits=12, minimum=None):
    if is_blank(value):
        return None, None
    if isinstance(value, bool):
        return None, _("“%(value)s”不是数字") % {"value": value}
    try:
        number = Decimal(str(value).replace(",", "").strip()) if not isinstance(value, float) else Decimal(repr(value))
    except InvalidOperation:
        return None, _("“%(value)s”不是数字") % {"value": as_text(value)}
    if not number.is_finite():
        return None, _("“%(value)s”不是数字") % {"value": as_text(value)}
    exponent = number.as_tuple().exponent
    if exponent < -places:
        return None, _("“%(value)s”最多保留 %(places)s 位小数") % {"value": as_text(value), "places": places}
    if len(number.quantize(Decimal(1).scaleb(-places)).as_tuple().digits) > max_digits:
        return None, _("“%(value)s”超出允许的范围") % {"value": as_text(value)}
    if minimum is not None and number < minimum:
        return None, _("%(value)s 小于允许的最小值 %(min)s") % {"value": as_text(value), "min": minimum}
    return number, None


def parse_date(value):
    """ISO 8601 date (YYYY-MM-DD); a spreadsheet date cell is accepted as is."""
    if is_blank(value):
        return None, None
    if isinstance(value, datetime.datetime):
        return value.date(), None
    if isinstance(value, datetime.date):
        return value, None
    text = as_text(value)
    try:
        return datetime.date.fromisoformat(text), None
    except ValueError:
        return None, _("“%(value)s”不是有效日期（格式：YYYY-MM-DD，如 2026-01-31）") % {"value": text}


def parse_datetime(value):
    """ISO 8601 date-time; without an offset it is taken as Asia/Shanghai (TIME_ZONE)."""
    if is_blank(value):
        return None, None
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        text = as_text(value)
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            return None, _("“%(value)s”不是有效时间（格式：YYYY-MM-DDTHH:MM[:SS][+08:00]）") % {"value": as_text(value)}
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local_tz())
    return moment, None


def parse_choice(value, choices, former_labels=None):
    """A code or its label: choices is [(code, label)]; returns the code. `former_labels`
    ({label: code}) are labels a choice had before, still read from older files but not offered."""
    if is_blank(value):
        return None, None
    text = as_text(value)
    for code, label in choices:
        if text.lower() == str(code).lower() or text == str(label):
            return code, None
    if former_labels and text in former_labels:
        return former_labels[text], None
    allowed = "、".join(f"{label}（{code}）" for code, label in choices)
    return None, _("“%(value)s”不是允许的值：%(allowed)s") % {"value": text, "allowed": allowed}


def text_problem(value):
    """Why a value (text, or lists and objects of them) cannot be stored, or None.

    PostgreSQL refuses NUL in text, and a JSON file or request may carry a lone surrogate
    ("\\ud800") that no database or UTF-8 page can hold. Iterative: JSON may nest deeply.
    """
    pending = [value]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return _("含有空字符（NUL），无法保存")
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return _("含有无效的 Unicode 字符（孤立的代理项），无法保存")
        elif isinstance(value, list | tuple):
            pending.extend(value)
        elif isinstance(value, dict):
            pending.extend(value)
            pending.extend(value.values())
    return None


def printable(text):
    """Text safe to show in a report or page: NUL and lone surrogates replaced."""
    text = str(text)
    if text_problem(text) is None:
        return text
    return text.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")
