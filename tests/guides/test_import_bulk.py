"""The bulk page writer keeps Wagtail's invariants: pages it creates behave like any other."""

import io

import pytest
from django.core.management import call_command
from wagtail.models import Page, ReferenceIndex

from guides.bulk import create_pages
from guides.demo import folder_for
from guides.models import GuideIndexPage, GuidePage, GuideStep, Material
from portal.models import Department, ServiceCenter


def _new_page(code, department, center):
    page = GuidePage(title=f"批量事项{code}", slug=code.lower(), item_code=code, center=center, department=department)
    page.steps = [GuideStep(name="受理", sort_order=0)]
    page.materials = [Material(name="身份证", sort_order=0)]
    return page


@pytest.fixture
def bulk_pages(db):
    center = ServiceCenter.objects.get(code="dongcheng")
    department = Department.objects.get(center=center, code="mz")
    folder = folder_for(GuideIndexPage.objects.get(), center, department)
    before = folder.get_children().count()
    pages = create_pages([(folder, _new_page(f"BULK-{i}", department, center)) for i in range(3)])
    folder.refresh_from_db()
    assert folder.numchild == before + 3
    return pages


def test_bulk_created_pages_have_tree_revision_and_url(bulk_pages):
    page = GuidePage.objects.get(pk=bulk_pages[0].pk)
    assert page.live and page.live_revision_id == page.latest_revision_id
    assert page.url_path == page.get_parent().url_path + "bulk-0/"
    assert page.get_parent().specific.department.code == "mz"
    assert page.get_url() and page.get_url().endswith("/bulk-0/")
    assert page.revisions.count() == 1
    revision_page = page.revisions.get().as_object()
    assert revision_page.title == page.title and revision_page.steps.get().pk == page.steps.get().pk
    assert page.locale_id == page.get_parent().locale_id
    assert ReferenceIndex.objects.filter(object_id=str(page.pk)).exists()


def test_bulk_created_page_edits_and_publishes_through_the_normal_api(bulk_pages):
    page = GuidePage.objects.get(pk=bulk_pages[1].pk)
    page.title = "改过的批量事项"
    page.materials.add(Material(name="户口簿", sort_order=1))
    revision = page.save_revision()
    revision.publish()
    page = GuidePage.objects.get(pk=page.pk)
    assert page.title == "改过的批量事项" and page.materials.count() == 2
    assert page.revisions.count() == 2
    # revert to the first revision, as the admin's history view does
    first = page.revisions.order_by("created_at", "pk").first()
    first.as_object().save_revision().publish()
    page = GuidePage.objects.get(pk=page.pk)
    assert page.title.startswith("批量事项") and page.materials.count() == 1
    # and the page can be moved and the sibling added normally afterwards
    sibling = page.get_parent().add_child(
        instance=GuidePage(
            title="普通方式添加",
            slug="normal-add",
            item_code="NORMAL-1",
            center=page.center,
            department=page.department,
        )
    )
    assert sibling.path > bulk_pages[2].path


def test_admin_edit_view_opens_for_bulk_page(bulk_pages, admin_client):
    response = admin_client.get(f"/admin/pages/{bulk_pages[0].pk}/edit/")
    assert response.status_code == 200
    response = admin_client.get(f"/admin/pages/{bulk_pages[0].pk}/history/")
    assert response.status_code == 200


def test_fixtree_finds_no_problems(bulk_pages):
    out = io.StringIO()
    call_command("fixtree", "--noinput", stdout=out)
    text = out.getvalue()
    assert "Checking page tree for problems" in text
    assert "No problems found" in text, text
    assert Page.find_problems() == ([], [], [], [], [])
