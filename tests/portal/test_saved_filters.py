"""Saved filters on the item report (八公开完整度): save the current filter set under a name, see
it as a link, replace and delete it; per user; and never a way round the department boundary."""

import pytest

from guides.models import GuidePage
from portal.models import EditorialRole, SavedReportFilter
from portal.saved_filters import filter_querystring
from tests.portal.editorial_support import editorial_roles, make_editor  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("editorial_roles")]

REPORT = "/admin/reports/guide-completeness/"
SAVE = "/admin/saved-filters/save/"


def save(client, name, querystring, report="guides-completeness"):
    return client.post(SAVE, {"report": report, "name": name, "querystring": querystring, "next": REPORT})


def test_filter_querystring_keeps_filters_only():
    from django.http import QueryDict

    assert filter_querystring(QueryDict("center=city&department=&p=3&export=csv&incomplete=1")) == (
        "center=city&incomplete=1"
    )


def test_editor_saves_lists_replaces_and_deletes_a_filter(client):
    editor = make_editor("filters_window", EditorialRole.WINDOW, "city", "scjg")
    client.force_login(editor)
    html = client.get(REPORT).content.decode()
    assert "保存的筛选" in html and "还没有保存的筛选" in html
    assert 'name="querystring"' not in html  # nothing to save without a filter

    html = client.get(REPORT + "?missing=time_limit&incomplete=1&p=2").content.decode()
    assert 'name="querystring" value="missing=time_limit&amp;incomplete=1"' in html

    response = save(client, "  缺办理时限 ", "missing=time_limit&incomplete=1&p=2")
    assert response.status_code == 302 and response["Location"].startswith(REPORT)
    saved = SavedReportFilter.objects.get(user=editor)
    assert (saved.report, saved.name, saved.querystring) == (
        "guides-completeness",
        "缺办理时限",
        "missing=time_limit&incomplete=1",
    )
    page = client.get(response["Location"], follow=True).content.decode()
    assert "已保存筛选“缺办理时限”" in page
    html = client.get(REPORT).content.decode()
    assert f'href="{REPORT}?missing=time_limit&amp;incomplete=1"' in html and ">缺办理时限</a>" in html

    # The same name again replaces the query; opening it marks it as the current one.
    save(client, "缺办理时限", "missing=materials")
    saved.refresh_from_db()
    assert saved.querystring == "missing=materials"
    assert SavedReportFilter.objects.filter(user=editor).count() == 1
    html = client.get(REPORT + "?missing=materials").content.decode()
    assert 'aria-current="true"' in html

    response = client.post(f"/admin/saved-filters/{saved.pk}/delete/", {"next": REPORT})
    assert response.status_code == 302
    assert not SavedReportFilter.objects.filter(pk=saved.pk).exists()
    assert "已删除筛选“缺办理时限”" in client.get(REPORT).content.decode()


def test_bad_saves_are_refused_with_a_chinese_message(client):
    editor = make_editor("filters_bad", EditorialRole.WINDOW, "city", "scjg")
    client.force_login(editor)
    for name, query, message in [
        ("", "missing=materials", "请填写筛选的名称"),
        ("空的", "p=2&export=csv", "当前没有任何筛选条件"),
        ("名" * 61, "missing=materials", "名称最多 60 个字"),
    ]:
        response = save(client, name, query)
        assert response.status_code == 302
        assert message in client.get(response["Location"]).content.decode()
    assert save(client, "x", "a=1", report="../other").status_code == 302
    assert not SavedReportFilter.objects.filter(user=editor).exists()
    # Only POST; an outside `next` is not followed.
    assert client.get(SAVE).status_code == 405
    response = client.post(
        SAVE, {"report": "guides-completeness", "name": "a", "querystring": "a=1", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/admin/"


def test_filters_are_per_user(client):
    owner = make_editor("filters_owner", EditorialRole.WINDOW, "city", "scjg")
    other = make_editor("filters_other", EditorialRole.WINDOW, "city", "scjg")
    saved = SavedReportFilter.objects.create(
        user=owner, report="guides-completeness", name="我的筛选", querystring="missing=materials"
    )
    client.force_login(other)
    assert "我的筛选" not in client.get(REPORT).content.decode()
    assert client.post(f"/admin/saved-filters/{saved.pk}/delete/").status_code == 404
    assert SavedReportFilter.objects.filter(pk=saved.pk).exists()


def test_a_saved_filter_never_shows_another_departments_items(client):
    editor = make_editor("filters_boundary", EditorialRole.WINDOW, "city", "scjg")
    client.force_login(editor)
    theirs = GuidePage.objects.filter(center__code="city").exclude(department__code="scjg").order_by("pk").first()
    mine = GuidePage.objects.filter(center__code="city", department__code="scjg").order_by("pk").first()
    # A filter naming another department (typed into the URL and saved) finds nothing of theirs.
    query = f"center=city&department={theirs.department.code}"
    save(client, "别的部门", query)
    url = REPORT + "?" + SavedReportFilter.objects.get(user=editor, name="别的部门").querystring
    response = client.get(url)
    html = response.content.decode()
    # The report refuses a department outside the editor's scope and keeps to their own items.
    shown = {item.department_id for item in response.context["object_list"]}
    assert shown <= {mine.department_id}
    assert theirs.title not in html and theirs.item_code not in html
    assert {row["department__code"] for row in response.context["summary_rows"]} <= {"scjg"}
    # The unfiltered report and its CSV hold the editor's department only.
    response = client.get(REPORT)
    codes = {item.department.code for item in response.context["object_list"]}
    assert codes == {"scjg"} and mine.title in response.content.decode()
    assert response.context["page_obj"].paginator.count == GuidePage.objects.filter(department=mine.department).count()
    csv_text = client.get(REPORT + "?export=csv").content.decode("utf-8-sig")
    assert theirs.item_code not in csv_text and mine.item_code in csv_text


def test_center_admin_sees_the_whole_center_only(client):
    admin = make_editor("filters_center_admin", EditorialRole.CENTER_ADMIN, "city")
    client.force_login(admin)
    response = client.get(REPORT + "?incomplete=")
    centers = {row["center__code"] for row in response.context["summary_rows"]}
    assert centers == {"city"}
    assert response.context["page_obj"].paginator.count == GuidePage.objects.filter(center__code="city").count()
