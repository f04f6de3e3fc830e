"""Codes of centers, departments and items: one way to read them, one set of length limits.

Used by every importer (organisation, catalog, cases), the URLs and the APIs, so that a code is
the same code wherever it is written (docs/catalog-format.md, "Codes"):

- Surrounding spaces are dropped and full-width characters read as their ASCII forms
  (`ＳＣＪＧ－００１` is `SCJG-001`; Unicode NFKC), so codes typed with a Chinese input method match.
- Case never matters. Center and department codes are stored in lower case (they are part of
  page addresses: /guides/city/…, /notices/city/…): `C00` and `c00` are the center `c00`.
  Item codes keep the case they were imported with (SCJG-001-01) and are compared without it,
  so /api/items/city/scjg-001-01/ finds SCJG-001-01.
"""

import re
import unicodedata

from django.utils.translation import gettext as _

from core.tabular import as_text

# The messages below name these numbers; tests/portal/test_codes.py keeps them in step.
ORG_CODE_MAX_LENGTH = 32  # centers and departments (ServiceCenter.code, Department.code)
ITEM_CODE_MAX_LENGTH = 64  # GuidePage.item_code
NAME_MAX_LENGTH = 100  # names of centers and departments

_ORG_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_HAS_WORD = re.compile(r"\w")


def clean(value):
    """The code as written, without surrounding spaces, full-width forms read as ASCII (a
    spreadsheet number 101.0 reads 101, as every cell does: core.tabular.as_text)."""
    return unicodedata.normalize("NFKC", as_text(value)).strip()


def org_code(value):
    """A center's or department's code in its one stored form (lower case)."""
    return clean(value).lower()


def item_key(value):
    """What two item codes are compared by: the same key means the same item."""
    return clean(value).upper()


def org_code_error(code):
    """None when `code` (already normalised) is a valid center or department code, else why not."""
    if not code:
        return _("不能为空")
    if len(code) > ORG_CODE_MAX_LENGTH or not _ORG_CODE.match(code):
        return _("编码“%(code)s”只能包含字母、数字、连字符和下划线，最长 32 位") % {"code": code}
    return None


def item_code_error(code):
    """None when `code` (already cleaned) is a valid item code, else why not."""
    if not code:
        return _("不能为空")
    if len(code) > ITEM_CODE_MAX_LENGTH or not _HAS_WORD.search(code):
        return _("事项编码“%(code)s”无效（最长 64 位，需含字母或数字）") % {"code": code}
    return None
