"""Editorial part of `seed_demo`: roles and workflows, demo accounts (never in production), notices.

Demo accounts are for trying the site locally; their passwords are in the README. They are not
created when settings.PRODUCTION is true.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from wagtail.documents import get_document_model

from .models import Department, EditorialRole, NoticeAttachment, NoticePage, ServiceCenter
from .roles import center_notice_index, role_group, setup_roles

SMALL_CENTERS = ["city", "dongcheng"]
DEMO_PASSWORD = "gongkai-demo-2026"  # noqa: S105 -- documented, local demo only
# username, role, center code, department code, display name
DEMO_ACCOUNTS = [
    ("window_scjg", EditorialRole.WINDOW, "city", "scjg", "市场监管窗口"),
    ("reviewer_scjg", EditorialRole.REVIEWER, "city", "scjg", "市场监管审核"),
    ("admin_city", EditorialRole.CENTER_ADMIN, "city", None, "市中心管理员"),
    ("sysadmin", EditorialRole.SYSADMIN, None, None, "系统管理员"),
]

# slug, category, title, summary, pinned, days ago
NOTICES = [
    (
        "holiday-hours",
        "notice",
        "关于春节期间窗口办公时间调整的通知",
        "春节期间部分窗口暂停现场服务，网上办理不受影响。",
        True,
        3,
    ),
    (
        "business-license-online",
        "announcement",
        "营业执照全程网办上线公告",
        "企业设立登记、变更登记可通过网上办理，最快当日领取电子营业执照。",
        False,
        10,
    ),
    ("fee-adjustment-publicity", "publicity", "部分行政事业性收费标准调整公示", "公示期 10 个工作日。", False, 20),
    (
        "one-thing-policy",
        "interpretation",
        "《“一件事一次办”改革实施方案》政策解读",
        "解读新生儿出生、开办餐饮店等一件事的办理方式。",
        False,
        35,
    ),
]

# A minimal, valid one-page PDF for the demo attachment.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def seed_accounts(stdout=None):
    if getattr(settings, "PRODUCTION", False):
        if stdout:
            stdout.write("editorial: production settings, no demo accounts created")
        return []
    User = get_user_model()
    created = []
    for username, role, center_code, department_code, name in DEMO_ACCOUNTS:
        center = ServiceCenter.objects.filter(code=center_code).first() if center_code else None
        department = Department.objects.filter(center=center, code=department_code).first() if department_code else None
        group = role_group(role, center, department)
        if group is None:
            continue
        user, was_created = User.objects.get_or_create(
            username=username,
            defaults={"email": f"{username}@localhost", "first_name": name, "is_staff": True},
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.is_superuser = role == EditorialRole.SYSADMIN
            user.save()
            created.append(username)
        user.groups.add(group)
    return created


@transaction.atomic
def seed_notices(centers):
    today = datetime.date.today()
    Document = get_document_model()
    created = 0
    for center in centers:
        index = center_notice_index(center)
        if index is None:
            continue
        for slug, category, title, summary, pinned, days_ago in NOTICES:
            if NoticePage.objects.child_of(index).filter(slug=slug).exists():
                continue
            notice = NoticePage(
                title=f"{title}" if center.parent_id is None else f"{center.name}{title}",
                slug=slug,
                category=category,
                summary=summary,
                body=f"<p>{summary}</p><p>特此通知。</p><p>{center.name}</p>",
                pinned=pinned,
                date=today - datetime.timedelta(days=days_ago),
            )
            if category == "publicity":
                document = Document(title=f"{center.name}收费标准调整明细")
                document.file.save(f"fee-adjustment-{center.code}.pdf", ContentFile(DEMO_PDF), save=False)
                document.save()
                notice.attachments = [NoticeAttachment(document=document, title="收费标准调整明细（PDF）")]
            index.add_child(instance=notice)
            notice.save_revision(log_action=False).publish(log_action=False, skip_permission_checks=True)
            created += 1
    return created


def seed(stdout=None, small=False):
    codes = SMALL_CENTERS if small else None
    summary = setup_roles(codes)
    centers = ServiceCenter.objects.order_by("sort_order")
    if codes:
        centers = centers.filter(code__in=codes)
    notices = seed_notices(list(centers))
    accounts = seed_accounts(stdout)
    if stdout:
        stdout.write(
            "editorial: {groups} groups, {workflows} workflows; ".format(**summary)
            + f"{notices} notices created; demo accounts created: {', '.join(accounts) or 'none'}"
        )
