"""What a catalog import reads against and reports: the lookups (loaded once), the plan of a row, the result."""

import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Department, ServiceCenter

from ..models import (
    FeeItem,
    GuidePage,
    GuideStep,
    LegalBasis,
    Material,
    Theme,
)

LIST_SPLIT = re.compile(r"[,，、;；\n\r]+")
TEXT_MODEL_FIELD = {"name": "title", "keywords": "search_description"}
CHILD_MODELS = {"steps": GuideStep, "legal_basis": LegalBasis, "materials": Material}
IMPORT_LOG_ACTION = "gongkai.import"
# An import writing this many items refreshes the planner statistics (core/dbstats.py).
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
            if current is None or in_force or not fee_in_force(current, today):
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


def fee_in_force(fee, today):
    return fee.effective_from <= today and (fee.effective_to is None or fee.effective_to >= today)
