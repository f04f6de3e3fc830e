"""`setup_roles`: groups per center and department, page permissions, collections, idempotent;
demo accounts only outside production."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import override_settings
from wagtail.models import GroupCollectionPermission, GroupPagePermission, Workflow

from portal.models import Department, EditorialRole, NoticeIndexPage
from tests.portal.editorial_support import editorial_roles, folder_of  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("editorial_roles")]


def perms(group, page):
    return set(
        GroupPagePermission.objects.filter(group=group, page=page).values_list("permission__codename", flat=True)
    )


def test_groups_per_center_and_department():
    departments = Department.objects.filter(center__code__in=["city", "dongcheng"]).count()
    roles = EditorialRole.objects.filter(center__code__in=["city", "dongcheng"])
    assert roles.filter(role=EditorialRole.WINDOW).count() == departments
    assert roles.filter(role=EditorialRole.REVIEWER).count() == departments
    assert roles.filter(role=EditorialRole.CENTER_ADMIN).count() == 2
    assert EditorialRole.objects.filter(role=EditorialRole.SYSADMIN).count() == 1
    assert Group.objects.filter(name="东城区政务服务中心 · 市场监督管理局 · 窗口人员").exists()
    assert Group.objects.filter(name="临江市政务服务中心 · 中心管理员").exists()


def test_page_permissions_follow_the_catalog_tree():
    window = Group.objects.get(name="临江市政务服务中心 · 市场监督管理局 · 窗口人员")
    reviewer = Group.objects.get(name="临江市政务服务中心 · 市场监督管理局 · 部门审核")
    admin = Group.objects.get(name="临江市政务服务中心 · 中心管理员")
    assert perms(window, folder_of("city", "scjg")) == {"add_page", "change_page", "lock_page"}
    assert perms(reviewer, folder_of("city", "scjg")) == {"change_page", "lock_page"}
    assert "publish_page" in perms(admin, folder_of("city"))
    assert "publish_page" in perms(admin, NoticeIndexPage.objects.get(center__code="city"))
    # Besides their folder, window staff may only draft (add) notices in their center's notice index.
    notices = NoticeIndexPage.objects.get(center__code="city")
    assert perms(window, notices) == {"add_page"}
    assert (
        not GroupPagePermission.objects.filter(group=window)
        .exclude(page__in=[folder_of("city", "scjg"), notices])
        .exists()
    )
    assert window.permissions.filter(codename="access_admin").exists()
    assert GroupCollectionPermission.objects.filter(group=admin, collection__name="临江市政务服务中心").exists()


def test_setup_roles_is_idempotent():
    counts = (
        Group.objects.count(),
        GroupPagePermission.objects.count(),
        GroupCollectionPermission.objects.count(),
        Workflow.objects.count(),
    )
    call_command("setup_roles", "--center", "city", "--center", "dongcheng", verbosity=0)
    call_command("setup_roles", "--center", "city", "--center", "dongcheng", verbosity=0)
    assert counts == (
        Group.objects.count(),
        GroupPagePermission.objects.count(),
        GroupCollectionPermission.objects.count(),
        Workflow.objects.count(),
    )


def test_demo_accounts_one_per_role(django_user_model):
    from portal.editorial_demo import seed_accounts

    seed_accounts()
    seed_accounts()
    window = django_user_model.objects.get(username="window_scjg")
    assert [g.name for g in window.groups.all()] == ["临江市政务服务中心 · 市场监督管理局 · 窗口人员"]
    assert django_user_model.objects.get(username="reviewer_scjg").groups.get().editorial_role.role == "reviewer"
    assert django_user_model.objects.get(username="admin_city").groups.get().editorial_role.role == "center_admin"
    assert django_user_model.objects.get(username="sysadmin").is_superuser
    assert window.check_password("gongkai-demo-2026")


@override_settings(PRODUCTION=True)
def test_no_demo_accounts_in_production(django_user_model):
    from portal.editorial_demo import DEMO_ACCOUNTS, seed_accounts

    django_user_model.objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS]).delete()
    assert seed_accounts() == []
    assert not django_user_model.objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS]).exists()
