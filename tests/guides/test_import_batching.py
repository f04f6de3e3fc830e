"""The catalog import's fast paths: one batched search-index refresh after commit (none on
failure), pinyin keys on bulk-written pages, folders created in bulk, and fee items defined in a
JSON upload checked against the editor's own departments."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from guides.bulk import create_pages, update_pages
from guides.demo import folder_for
from guides.imports import import_catalog
from guides.models import FeeItem, GuideFolderPage, GuideIndexPage, GuidePage, GuideStep
from portal.models import Department, EditorialRole, ServiceCenter
from search import indexing
from search.backends import get_backend
from tests.portal.editorial_support import editorial_roles, make_editor  # noqa: F401

pytestmark = pytest.mark.django_db

HEADER = "所属中心,实施主体,事项编码,事项名称,法定办结时限,承诺办结时限,是否收费"


def catalog(*rows):
    return ("\n".join([HEADER, *rows]) + "\n").encode()


@pytest.fixture
def refreshes(monkeypatch):
    """Every call of indexing.refresh (which still runs for real) with its keys."""
    calls = []
    real = indexing.refresh

    def spy(keys):
        calls.append(list(keys))
        return real(keys)

    monkeypatch.setattr(indexing, "refresh", spy)
    return calls


def test_import_refreshes_the_index_once_after_commit(refreshes, django_capture_on_commit_callbacks):
    rows = [f"dongcheng,gaj,BATCH-{n},批次索引测试事项{n},20,10,否" for n in range(6)]
    backend = get_backend()
    with django_capture_on_commit_callbacks(execute=True):
        result = import_catalog(catalog(*rows), filename="c.csv")
        assert result.ok, result.problems
        assert refreshes == []  # nothing is indexed before the transaction commits
    pages = list(GuidePage.objects.filter(item_code__startswith="BATCH-"))
    assert len(pages) == 6
    assert len(refreshes) == 1  # one batch for the whole import, not one refresh per page
    assert sorted(refreshes[0]) == sorted(f"guides.guidepage:{page.pk}" for page in pages)
    try:
        titles = [hit.title for hit in backend.search("批次索引测试事项").hits]
        assert {page.title for page in pages} <= set(titles)
    finally:
        backend.delete([f"guides.guidepage:{page.pk}" for page in pages])


def test_refused_import_indexes_nothing(refreshes, django_capture_on_commit_callbacks):
    rows = ["dongcheng,gaj,BATCH-OK,可以的事项,20,10,否", "dongcheng,gaj,BATCH-BAD,超期事项,5,10,否"]
    with django_capture_on_commit_callbacks(execute=True):
        result = import_catalog(catalog(*rows), filename="c.csv")
    assert not result.ok
    assert refreshes == []
    assert not GuidePage.objects.filter(item_code__startswith="BATCH-").exists()


def test_deferred_block_collects_and_drops_on_rollback(refreshes, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks(execute=True)
    with capture as callbacks, pytest.raises(RuntimeError), transaction.atomic(), indexing.deferred():
        indexing.schedule(["guides.guidepage:999999991"])
        raise RuntimeError("rolled back")
    assert callbacks == [] and refreshes == []  # a missing key would be removed: proves nothing ran
    capture = django_capture_on_commit_callbacks(execute=True)
    with capture as callbacks, transaction.atomic(), indexing.deferred():
        indexing.schedule(["guides.guidepage:999999992"])
        with indexing.deferred():  # nested: joins the outer batch
            indexing.schedule(["guides.guidepage:999999993", "guides.guidepage:999999992"])
    assert len(callbacks) == 1
    assert refreshes == [["guides.guidepage:999999992", "guides.guidepage:999999993"]]


def test_documents_for_keys_builds_many_in_one_pass(django_assert_max_num_queries):
    pages = list(GuidePage.objects.live().order_by("pk")[:20])
    keys = [f"guides.guidepage:{page.pk}" for page in pages] + ["guides.guidepage:999999999"]
    with django_assert_max_num_queries(30):
        found, missing = indexing.documents_for_keys(keys)
    assert set(found) == set(keys[:-1]) and missing == ["guides.guidepage:999999999"]
    assert found[keys[0]].title == pages[0].title


def test_bulk_written_pages_get_pinyin_keys():
    center = ServiceCenter.objects.get(code="dongcheng")
    department = Department.objects.get(center=center, code="mz")
    folder = folder_for(GuideIndexPage.objects.get(), center, department)
    page = GuidePage(title="婚姻登记批量测试", slug="pinyin-bulk", item_code="PINYIN-1", center=center)
    page.department = department
    page.steps = [GuideStep(name="受理", sort_order=0)]
    (page,) = create_pages([(folder, page)])
    page = GuidePage.objects.get(pk=page.pk)
    assert (page.pinyin_initial, page.pinyin[:8]) == ("H", "hunyinde")  # not "#" in the A–Z list
    assert GuidePage.objects.filter(pinyin_initial="H", pk=page.pk).exists()

    page.title = "重新申领批量测试"
    old = {name: list(getattr(page, name).all()) for name in ("steps", "legal_basis", "materials", "fees")}
    update_pages([(page, old)])
    page = GuidePage.objects.get(pk=page.pk)
    assert page.pinyin_initial == "C" and page.pinyin.startswith("chongxin")


def test_missing_folders_are_created_in_bulk_and_reused():
    center = ServiceCenter.objects.get(code="dongcheng")
    department = Department.objects.create(center=center, code="newdept", name="新设部门")
    rows = [f"dongcheng,newdept,FOLDER-{n},新部门事项{n},20,10,否" for n in range(3)]
    result = import_catalog(catalog(*rows), filename="c.csv")
    assert result.ok, result.problems
    folder = GuideFolderPage.objects.get(center=center, department=department)
    assert folder.get_parent().specific.department_id is None
    assert folder.url_path.endswith("/dongcheng/newdept/")
    assert {page.get_parent().pk for page in GuidePage.objects.filter(item_code__startswith="FOLDER-")} == {folder.pk}
    folder.refresh_from_db()
    assert folder.numchild == 3
    result = import_catalog(catalog("dongcheng,newdept,FOLDER-9,新部门事项9,20,10,否"), filename="c.csv")
    assert result.ok and GuideFolderPage.objects.filter(center=center, department=department).count() == 1


def _fee_document(department_code, code, item_code):
    return {
        "fee_items": [
            {
                "center": "city",
                "department": department_code,
                "code": code,
                "name": "部门权限测试收费",
                "amount": "5",
                "effective_from": "2026-01-01",
                "basis": [{"title": "某收费文件"}],
            }
        ],
        "items": [
            {
                "center": "city",
                "department": "scjg",
                "item_code": item_code,
                "name": "部门权限测试事项",
                "statutory_days": 20,
                "promised_days": 10,
                "charges": False,
            }
        ],
    }


def _upload(client, document):
    data = json.dumps(document, ensure_ascii=False).encode()
    upload = SimpleUploadedFile("fees.json", data, content_type="application/json")
    return client.post(reverse("guides_catalog_import"), {"file": upload, "draft": "on"})


@pytest.mark.usefixtures("editorial_roles")
def test_upload_refuses_fee_items_of_another_department(client):
    """Window staff of city/scjg hold the general fee-item permissions, but only for their own
    department: a JSON upload defining another department's fee item is refused, nothing saved."""
    window = make_editor("fee_scope_window", EditorialRole.WINDOW, "city", "scjg")
    assert window.has_perm("guides.add_feeitem") and window.has_perm("guides.change_feeitem")
    client.force_login(window)

    response = _upload(client, _fee_document("gaj", "SCOPE-OTHER", "SCOPE-ITEM-1"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "您没有维护" in body and "收费项目的权限" in body
    assert not FeeItem.objects.filter(code="SCOPE-OTHER").exists()
    assert not GuidePage.objects.filter(item_code="SCOPE-ITEM-1").exists()

    # their own department's fee items go through review (issue 11): a file cannot publish them
    response = _upload(client, _fee_document("scjg", "SCOPE-OWN", "SCOPE-ITEM-2"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "收费项目的权限" not in body and "收费项目须经审核" in body
    assert not FeeItem.all_versions.filter(code="SCOPE-OWN").exists()
    # the center admin, who approves fee items, may import them
    client.force_login(make_editor("fee_scope_admin", EditorialRole.CENTER_ADMIN, "city"))
    response = _upload(client, _fee_document("scjg", "SCOPE-OWN", "SCOPE-ITEM-2"))
    assert response.status_code == 200
    assert "收费项目须经审核" not in response.content.decode()
    fee = FeeItem.objects.get(code="SCOPE-OWN")
    assert fee.department.code == "scjg" and fee.department.center.code == "city"
