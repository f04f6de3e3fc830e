"""Issue 11's findings, continued: fee items without review, an item pointed at another center,
and the low findings (shared rate-limit counts, a 500 for year=0, copied item codes, feed
summary types, third-party avatars, inconsistent CORS)."""

import datetime
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import TaskState, WorkflowState

from guides.models import FeeBasis, FeeItem, GuidePage
from portal.models import EditorialRole
from tests.portal.editorial_support import editorial_roles, item_in, make_editor, page_form_data  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("editorial_roles")]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def people(db):
    return {
        "window": make_editor("sm_window", EditorialRole.WINDOW, "city", "scjg"),
        "admin": make_editor("sm_admin", EditorialRole.CENTER_ADMIN, "city"),
        "other_admin": make_editor("sm_admin_dc", EditorialRole.CENTER_ADMIN, "dongcheng"),
    }


def _own_fee(department_code="scjg"):
    fee = FeeItem.objects.create(
        code="SEC-FEE",
        name="安全测试收费",
        department=item_in("city", department_code).department,
        amount=Decimal("10"),
        effective_from=datetime.date(2020, 1, 1),
    )
    FeeBasis.objects.create(fee_item=fee, title="收费依据文件", sort_order=0)
    return fee


def _fee_form(client, fee, **changes):
    from tests.portal.editorial_support import _form_data

    response = client.get(reverse("wagtailsnippets_guides_feeitem:edit", args=[fee.pk]))
    assert response.status_code == 200
    data = _form_data(response.context["form"], {})
    data.update(changes)
    return data


def _schedule_names():
    return [fee["name"] for fee in Client().get("/api/fees/?center=city").json()["fees"]]


# --- Medium: fee items published by a clerk at once ---


def test_a_clerks_fee_change_waits_for_the_center_admin(client, people):
    fee = _own_fee()
    assert "安全测试收费" in _schedule_names()
    client.force_login(people["window"])
    data = _fee_form(client, fee, name='=HYPERLINK("http://evil.example","点此")', **{"action-submit": "1"})
    response = client.post(reverse("wagtailsnippets_guides_feeitem:edit", args=[fee.pk]), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    fee.refresh_from_db()
    assert fee.name == "安全测试收费" and fee.has_unpublished_changes  # public row unchanged
    assert "安全测试收费" in _schedule_names()
    state = WorkflowState.objects.get(object_id=str(fee.pk), status=WorkflowState.STATUS_IN_PROGRESS)
    task_state = TaskState.objects.get(workflow_state=state, status=TaskState.STATUS_IN_PROGRESS)
    url = reverse("wagtailsnippets_guides_feeitem:workflow_action", args=[fee.pk, "approve", task_state.pk])
    # another center's admin cannot approve it
    client.force_login(people["other_admin"])
    client.post(url, {"comment": ""})
    fee.refresh_from_db()
    assert fee.name == "安全测试收费"
    task_state.refresh_from_db()
    assert task_state.status == TaskState.STATUS_IN_PROGRESS
    # the center's own admin approves: published
    client.force_login(people["admin"])
    response = client.post(url, {"comment": ""})
    assert response.status_code in (200, 302)
    fee.refresh_from_db()
    assert fee.name.startswith("=HYPERLINK")
    assert fee.name in _schedule_names()


def test_a_clerks_new_fee_item_is_not_public(client, people):
    client.force_login(people["window"])
    fee = _own_fee()
    data = _fee_form(client, fee, code="SEC-NEW-FEE", name="新收费草稿", effective_from="2021-01-01")
    for key in list(data):
        if key.startswith("basis-") and key.endswith("-id"):
            data[key] = ""
    response = client.post(reverse("wagtailsnippets_guides_feeitem:add"), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    new = FeeItem.all_versions.get(code="SEC-NEW-FEE")
    assert not new.live and "新收费草稿" not in _schedule_names()
    assert not FeeItem.objects.filter(code="SEC-NEW-FEE").exists()
    assert not people["window"].has_perm("guides.publish_feeitem")
    assert people["admin"].has_perm("guides.publish_feeitem")


def test_an_import_cannot_publish_fee_items_for_a_clerk(people):
    from guides.imports import import_catalog

    document = {
        "fee_items": [
            {
                "center": "city",
                "department": "scjg",
                "code": "SEC-IMP-FEE",
                "name": "导入收费",
                "amount": "5",
                "effective_from": "2026-01-01",
                "basis": [{"title": "依据"}],
            }
        ],
        "items": [{"center": "city", "item_code": item_in("city", "scjg").item_code}],
    }
    data = json.dumps(document, ensure_ascii=False).encode()
    result = import_catalog(data, filename="fees.json", user=people["window"])
    assert any("收费项目须经审核" in problem.reason for problem in result.problems)
    assert not FeeItem.all_versions.filter(code="SEC-IMP-FEE").exists()


# --- Medium: an item pointed at another center ---


def test_an_items_center_and_department_follow_its_folder(client, people):
    from portal.models import Department, ServiceCenter

    page = item_in("city", "scjg", offset=8)
    dongcheng = ServiceCenter.objects.get(code="dongcheng")
    other_department = Department.objects.filter(center=dongcheng).first()
    client.force_login(people["admin"])
    data = page_form_data(page, people["admin"], center=str(dongcheng.pk), department=str(other_department.pk))
    data["action-publish"] = "1"
    response = client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    page.refresh_from_db()
    assert page.center.code == "city" and page.department.code == "scjg"
    results = Client().get("/api/items/?center=dongcheng&page_size=200").json()["results"]
    assert not [item for item in results if item["url"].endswith(page.url)]
    # set in code, the tree still wins
    page.center = dongcheng
    page.save()
    page.refresh_from_db()
    assert page.center.code == "city"


# --- Low findings ---


def test_a_copied_item_gets_its_own_code_and_publishes(people):
    page = item_in("city", "scjg", offset=9)
    copy = page.copy(update_attrs={"slug": page.slug + "-copy", "title": page.title + "（副本）"}, user=people["admin"])
    copy = GuidePage.objects.get(pk=copy.pk)
    assert copy.item_code == f"{page.item_code}-副本"
    copy.get_latest_revision().publish(user=people["admin"])
    again = page.copy(update_attrs={"slug": page.slug + "-copy2"}, user=people["admin"])
    assert GuidePage.objects.get(pk=again.pk).item_code == f"{page.item_code}-副本2"
    assert Client().get(f"/api/items/city/{copy.item_code}/").status_code == 200


@pytest.mark.parametrize("query", ["year=0", "year=99999", "year=abc", "year=２０２６", "page=0", "page=-1"])
def test_out_of_range_bulletin_parameters_are_a_json_400(query):
    response = Client().get(f"/api/bulletins/?{query}")
    assert response.status_code == 400 and response["Content-Type"].startswith("application/json")
    assert response.json()["error"]


def test_notice_feed_summaries_are_plain_text():
    body = Client().get("/feeds/notices/").content.decode()
    assert '<summary type="text">' in body and 'type="html"' not in body


def test_admin_avatars_are_local_only(client, people):
    from django.conf import settings

    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None
    client.force_login(people["admin"])
    body = client.get("/admin/").content.decode()
    assert "gravatar" not in body.lower()


OPEN_DATA = [
    "/api/items/",
    "/api/fees/",
    "/api/bulletins/",
    "/api/search/?q=营业执照",
    "/api/suggest/?q=yy",
    "/fees/schedule.csv",
    "/feeds/notices/",
    "/api/items/nowhere/none/",
]


def test_one_cors_policy_for_public_read_only_data():
    client = Client()
    for url in OPEN_DATA:
        response = client.get(url)
        assert response.get("Access-Control-Allow-Origin") == "*", url
        assert "Access-Control-Allow-Credentials" not in response
    preflight = client.options("/api/items/", HTTP_ORIGIN="https://x.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert preflight.status_code == 204 and "GET" in preflight["Access-Control-Allow-Methods"]
    for response in (client.get("/"), client.post("/api/cases/", data="{}", content_type="application/json")):
        assert "Access-Control-Allow-Origin" not in response


def _probe_caches(**overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTEST_VERSION", "GONGKAI_LOCAL", "DEBUG", "SECRET_KEY", "GONGKAI_TESTING", "REDIS_URL"}
    }
    env.update({"GONGKAI_LOCAL": "1", "SECRET_KEY": "x" * 50, **overrides})
    code = (
        "import django, json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings.production'; django.setup(); "
        "from django.conf import settings; print(json.dumps(settings.CACHES['ratelimit']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_rate_limit_counts_are_shared_between_workers():
    embedded = _probe_caches()
    assert embedded["BACKEND"].endswith("FileBasedCache")  # one count for every worker of the machine
    scaled = _probe_caches(REDIS_URL="redis://127.0.0.1:6379/0")
    assert scaled["BACKEND"] == "django_redis.cache.RedisCache"
    # two cache handles on the same location see one count (as two gunicorn workers do)
    from django.core.cache.backends.filebased import FileBasedCache

    location = Path(os.environ.get("TMPDIR", "/tmp")) / f"gongkai-ratelimit-test-{os.getpid()}"
    first, second = FileBasedCache(str(location), {}), FileBasedCache(str(location), {})
    try:
        first.add("k", 0)
        first.incr("k")
        assert second.incr("k") == 2
    finally:
        first.clear()


# --- Bulk actions and copies: Wagtail's own checks hold for a window clerk ---


def test_a_clerk_cannot_publish_through_bulk_actions_or_copies(client, people):
    page = item_in("city", "scjg", offset=10)
    page.save_revision(user=people["admin"])  # a draft change waiting
    revision_before = page.live_revision_id
    client.force_login(people["window"])
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"]) + f"?id={page.pk}"
    client.post(url, {})
    page.refresh_from_db()
    assert page.live_revision_id == revision_before
    response = client.post(
        reverse("wagtailadmin_pages:copy", args=[page.pk]),
        {
            "new_title": "副本事项",
            "new_slug": page.slug + "-clerk-copy",
            "new_parent_page": page.get_parent().pk,
            "publish_copies": "on",
        },
    )
    assert response.status_code in (200, 302)
    copy = GuidePage.objects.filter(slug=page.slug + "-clerk-copy").first()
    assert copy is None or not copy.live
    if copy is not None:
        assert copy.item_code != page.item_code
