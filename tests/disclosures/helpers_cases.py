"""Helpers for the case and statistics tests: an isolated center with its own items."""

import datetime
import zoneinfo

from guides.demo import folder_for
from guides.models import GuideIndexPage, GuidePage
from portal.models import Department, ServiceCenter

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day, hour=10, minute=0):
    """An aware Asia/Shanghai datetime from 'YYYY-MM-DD'."""
    return datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour, minute), tzinfo=SHANGHAI)


def make_center(code="tcenter", name="测试中心", sort_order=99):
    center, _ = ServiceCenter.objects.get_or_create(
        code=code, defaults={"name": name, "level": ServiceCenter.LEVEL_COUNTY, "sort_order": sort_order}
    )
    return center


def make_department(center, code="tdept", name="测试部门"):
    department, _ = Department.objects.get_or_create(center=center, code=code, defaults={"name": name})
    return department


def make_item(center, department, code, promised_days=5, handling="promised", live=True, **fields):
    """A GuidePage in the catalog tree (published unless live=False)."""
    folder = folder_for(GuideIndexPage.objects.first(), center, department)
    page = GuidePage(
        title=fields.pop("title", f"测试事项 {code}"),
        slug=code.lower(),
        item_code=code,
        center=center,
        department=department,
        handling_type=handling,
        statutory_days=max(promised_days or 0, 1) * 2,
        promised_days=promised_days,
        live=live,
        **fields,
    )
    folder.add_child(instance=page)
    return page


def pushed_case(**values):
    """One case as an approval system pushes it to /api/cases/ (tcenter's item T-001), with changes."""
    return {
        "case_no": "P-1",
        "center": "tcenter",
        "item_code": "T-001",
        "channel": "online",
        "received_at": "2026-03-09T09:00:00+08:00",
        "completed_at": "2026-03-09T10:00:00+08:00",
        "status": "completed",
        "satisfaction": 5,
        "complaint": False,
        **values,
    }
