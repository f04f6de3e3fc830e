"""Boundaries: an editor of one department or center cannot see, edit, publish, import into or delete
another's items, notices or fee items, in the admin or through the API."""

from decimal import Decimal

import pytest
from django.urls import reverse

from portal.models import EditorialRole, NoticeIndexPage
from tests.portal.editorial_support import editorial_roles, folder_of, item_in, make_editor  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("editorial_roles")]


@pytest.fixture
def window(db):
    return make_editor("w_city_scjg", EditorialRole.WINDOW, "city", "scjg")


@pytest.fixture
def city_admin(db):
    return make_editor("a_city", EditorialRole.CENTER_ADMIN, "city")


def test_window_staff_edit_own_department_only_and_never_publish(window):
    own, other_department, other_center = item_in("city", "scjg"), item_in("city", "gaj"), item_in("dongcheng", "scjg")
    assert own.permissions_for_user(window).can_edit()
    assert own.permissions_for_user(window).can_lock()
    assert not own.permissions_for_user(window).can_publish()
    assert not own.permissions_for_user(window).can_delete()  # live pages need publish rights to delete
    for page in (other_department, other_center):
        perms = page.permissions_for_user(window)
        assert not (perms.can_edit() or perms.can_publish() or perms.can_delete() or perms.can_lock())
    assert folder_of("city", "scjg").permissions_for_user(window).can_add_subpage()
    assert not folder_of("city", "gaj").permissions_for_user(window).can_add_subpage()


def test_admin_explorer_and_search_hide_other_departments(client, window):
    client.force_login(window)
    own_folder, other_folder = folder_of("city", "scjg"), folder_of("city", "gaj")
    own, other = item_in("city", "scjg"), item_in("city", "gaj")

    response = client.get(reverse("wagtailadmin_explore", args=[own_folder.pk]))
    assert response.status_code == 200
    assert own.title in response.content.decode()

    response = client.get(reverse("wagtailadmin_explore", args=[other_folder.pk]))
    # 200 since window staff may also draft notices (their explorer root is the home page): the
    # folder opens, but none of the other department's items is listed or linked.
    assert response.status_code in (200, 302, 403)
    body = response.content.decode()
    assert other.title not in body
    for pk in other_folder.get_children().values_list("pk", flat=True):
        assert reverse("wagtailadmin_pages:edit", args=[pk]) not in body

    response = client.get(reverse("wagtailadmin_pages:search"), {"q": other.title})
    assert response.status_code == 200
    assert f'href="{reverse("wagtailadmin_pages:edit", args=[other.pk])}"' not in response.content.decode()


def test_editing_another_departments_item_is_refused(client, window):
    client.force_login(window)
    other = item_in("city", "gaj")
    response = client.get(reverse("wagtailadmin_pages:edit", args=[other.pk]))
    assert response.status_code in (302, 403)
    before = other.latest_revision_id
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[other.pk]), {"title": "改坏了", "action-submit": "1"}
    )
    assert response.status_code in (302, 403)
    other.refresh_from_db()
    assert other.latest_revision_id == before and other.title != "改坏了"


def test_deleting_another_departments_item_is_refused(client, window):
    client.force_login(window)
    other = item_in("city", "gaj")
    response = client.post(reverse("wagtailadmin_pages:delete", args=[other.pk]))
    assert response.status_code in (302, 403)
    assert type(other).objects.filter(pk=other.pk).exists()


def test_adding_an_item_into_another_department_is_refused(client, window):
    client.force_login(window)
    other_folder = folder_of("city", "gaj")
    response = client.get(reverse("wagtailadmin_pages:add", args=["guides", "guidepage", other_folder.pk]))
    assert response.status_code in (302, 403)


def test_center_admin_publishes_own_center_only(city_admin):
    city_item, district_item = item_in("city", "gaj"), item_in("dongcheng", "scjg")
    assert city_item.permissions_for_user(city_admin).can_publish()
    assert not district_item.permissions_for_user(city_admin).can_publish()
    assert not district_item.permissions_for_user(city_admin).can_edit()
    city_notices = NoticeIndexPage.objects.get(center__code="city")
    district_notices = NoticeIndexPage.objects.get(center__code="dongcheng")
    assert city_notices.permissions_for_user(city_admin).can_publish_subpage()
    assert not district_notices.permissions_for_user(city_admin).can_add_subpage()
    for notice in district_notices.get_children():
        assert not notice.permissions_for_user(city_admin).can_edit()


def test_reviewer_can_review_but_not_publish():
    reviewer = make_editor("r_city_scjg", EditorialRole.REVIEWER, "city", "scjg")
    own, other = item_in("city", "scjg"), item_in("city", "gaj")
    assert own.permissions_for_user(reviewer).can_edit()
    assert not own.permissions_for_user(reviewer).can_publish()
    assert not other.permissions_for_user(reviewer).can_edit()


# Fee items (snippets) ----------------------------------------------------------------------


def _fee(center_code, department_code):
    from guides.models import FeeItem

    return FeeItem.objects.filter(department__center__code=center_code, department__code=department_code).first()


def test_fee_item_listing_shows_own_department_only(client, window):
    from guides.models import FeeItem
    from portal.models import Department

    def fee(department_code, code):
        department = Department.objects.get(center__code="city", code=department_code)
        return FeeItem.objects.create(
            code=code, name=f"测试收费 {code}", department=department, amount="10", effective_from="2026-01-01"
        )

    own, other = fee("scjg", "T-OWN"), fee("gaj", "T-OTHER")  # the demo catalog need not have both
    client.force_login(window)
    response = client.get(reverse("wagtailsnippets_guides_feeitem:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("wagtailsnippets_guides_feeitem:edit", args=[own.pk]) in body
    assert reverse("wagtailsnippets_guides_feeitem:edit", args=[other.pk]) not in body


def test_fee_items_of_other_departments_cannot_be_edited_created_or_deleted(client, window):
    from guides.models import FeeItem
    from portal.models import Department

    other = FeeItem.objects.exclude(department__center__code="city", department__code="scjg").first()
    client.force_login(window)
    response = client.get(reverse("wagtailsnippets_guides_feeitem:edit", args=[other.pk]))
    assert response.status_code in (302, 403)
    amount = other.amount
    response = client.post(reverse("wagtailsnippets_guides_feeitem:edit", args=[other.pk]), {"amount": "1"})
    assert response.status_code in (302, 403)
    other.refresh_from_db()
    assert other.amount == amount

    gaj = Department.objects.get(center__code="city", code="gaj")
    count = FeeItem.objects.count()
    response = client.post(
        reverse("wagtailsnippets_guides_feeitem:add"),
        {"code": "X-1", "name": "越权收费", "department": gaj.pk, "amount": "5", "effective_from": "2026-01-01"},
    )
    assert response.status_code in (302, 403)
    assert FeeItem.objects.count() == count

    # Window staff have no delete permission at all; a center admin of another center neither.
    district_admin = make_editor("a_dongcheng", EditorialRole.CENTER_ADMIN, "dongcheng")
    client.force_login(district_admin)
    response = client.post(reverse("wagtailsnippets_guides_feeitem:delete", args=[other.pk]))
    if other.department.center.code != "dongcheng":
        assert response.status_code in (302, 403)
        assert FeeItem.objects.filter(pk=other.pk).exists()


def test_own_fee_item_edit_is_allowed_and_logged(client, window):
    from wagtail.models import ModelLogEntry

    from guides.models import FeeItem

    own = _fee("city", "scjg")
    if own is None:
        import datetime

        own = FeeItem.objects.create(
            code="T-1",
            name="测试收费",
            department=window.groups.first().editorial_role.department,
            amount=Decimal("3"),
            effective_from=datetime.date(2026, 1, 1),
        )
        from guides.models import FeeBasis

        FeeBasis.objects.create(fee_item=own, title="收费依据文件", sort_order=0)
    client.force_login(window)
    response = client.get(reverse("wagtailsnippets_guides_feeitem:edit", args=[own.pk]))
    assert response.status_code == 200
    from tests.portal.editorial_support import _form_data

    form = response.context["form"]
    data = _form_data(form, {})
    data["notes"] = "价格主管部门复核"
    response = client.post(reverse("wagtailsnippets_guides_feeitem:edit", args=[own.pk]), data)
    form = response.context and response.context.get("form")
    assert response.status_code == 302, form and (form.errors, [fs.errors for fs in form.formsets.values()])
    own.refresh_from_db()
    # fee items are reviewed (issue 11): window staff save a draft; the public row is unchanged
    assert own.notes != "价格主管部门复核" and own.has_unpublished_changes
    assert own.latest_revision.as_object().notes == "价格主管部门复核"
    entry = ModelLogEntry.objects.filter(object_id=str(own.pk), action="wagtail.edit").latest("timestamp")
    assert entry.user_id == window.pk


# The API and the import ---------------------------------------------------------------------


def _api_paths():
    """Every URL pattern under api/ or feeds/ without parameters, plus the stable item paths."""
    from django.urls import URLPattern, URLResolver, get_resolver

    paths = set()

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route)
            elif isinstance(pattern, URLPattern):
                full = prefix + route
                if full.startswith(("api/", "feeds/", "^api/")) and "<" not in full and "(" not in full:
                    paths.add("/" + full.lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns)
    item = item_in("city", "scjg")
    paths |= {"/api/items/", f"/api/items/city/{item.item_code}/", "/api/fees/", "/api/search/", "/api/bulletins/"}
    return sorted(paths)


def test_no_unauthenticated_write_endpoints(client):
    """Anonymous writes to the API are refused; feeds are read-only views (any method reads)."""
    from guides.models import FeeItem, GuidePage

    counts = (GuidePage.objects.count(), FeeItem.objects.count())
    for url in _api_paths():
        if not url.startswith("/api/"):
            continue
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(url, data="{}", content_type="application/json")
            assert response.status_code >= 400, f"{method.upper()} {url} -> {response.status_code}"
    assert (GuidePage.objects.count(), FeeItem.objects.count()) == counts


def test_import_upload_into_another_department_is_refused(client, window):
    """The catalog import upload (guides/import_admin.py) refuses rows outside the editor's folders."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("guides_catalog_import")  # a renamed or removed view fails here
    own, other = item_in("city", "scjg"), item_in("city", "gaj")
    client.force_login(window)
    csv = f"center,item_code,name\ncity,{other.item_code},{other.title}（改）\n".encode()
    response = client.post(url, {"file": SimpleUploadedFile("other.csv", csv, content_type="text/csv")})
    assert response.status_code == 200
    assert "您没有编辑" in response.content.decode()
    other.refresh_from_db()
    assert not other.title.endswith("（改）")

    csv = f"center,item_code,name\ncity,{own.item_code},{own.title}\n".encode()
    response = client.post(url, {"file": SimpleUploadedFile("own.csv", csv, content_type="text/csv"), "dry_run": "on"})
    assert "您没有编辑" not in response.content.decode()
