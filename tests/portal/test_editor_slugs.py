"""Slugs from Chinese titles (pinyin, trimmed, unique among siblings) on save and as the editor
types, and the validation summary naming the tab and the field of every error."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from portal.models import EditorialRole, NoticeIndexPage, NoticePage, StandardPage
from portal.slugs import MAX_LENGTH, pinyin_slug, slug_for
from tests.portal.editorial_support import _form_data, editorial_roles, make_editor  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("editorial_roles")]


def test_pinyin_slug_of_chinese_mixed_and_empty_titles():
    assert pinyin_slug("关于春节放假的通知") == "guan-yu-chun-jie-fang-jia-de-tong-zhi"
    assert pinyin_slug("2026年 ICP 备案公告") == "2026-nian-icp-bei-an-gong-gao"
    assert pinyin_slug("！！！") == "page"
    long = pinyin_slug("关于进一步优化营商环境深化政务服务改革推进一网通办一件事一次办的实施意见")
    assert len(long) <= MAX_LENGTH and not long.endswith("-")
    assert long.startswith("guan-yu-jin-yi-bu")


def test_slug_is_unique_among_siblings_only():
    index = NoticeIndexPage.objects.get(center__code="city")
    for slug in ("tong-zhi", "tong-zhi-2"):
        index.add_child(instance=NoticePage(title="通知", slug=slug))
    assert slug_for("通知", index) == "tong-zhi-3"
    other = NoticeIndexPage.objects.get(center__code="dongcheng")
    assert slug_for("通知", other) == "tong-zhi"
    assert slug_for("", index, item_code="SCJG-01") == "scjg-01"


def _add_url(index):
    return reverse("wagtailadmin_pages:add", args=["portal", "noticepage", index.pk])


def test_notice_saved_without_slug_gets_the_pinyin_one(client):
    window = make_editor("slug_window", EditorialRole.WINDOW, "city", "scjg")
    client.force_login(window)
    index = NoticeIndexPage.objects.get(center__code="city")
    response = client.get(_add_url(index))
    assert response.status_code == 200
    data = _form_data(response.context["form"], {})
    data.update({"title": "关于调整窗口办公时间的通知", "slug": "", "action-submit": "1"})
    response = client.post(_add_url(index), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    notice = NoticePage.objects.get(title="关于调整窗口办公时间的通知")
    assert notice.slug == "guan-yu-tiao-zheng-chuang-kou-ban-gong-shi-jian-de-tong-zhi"
    texts = [str(m.message) for m in get_messages(response.wsgi_request)]
    assert any("已提交审核，进入中心审批（第 1 步，共 1 步）" in text for text in texts), texts


def test_slug_suggestion_endpoint_and_its_boundaries(client):
    window = make_editor("slug_window2", EditorialRole.WINDOW, "city", "scjg")
    client.force_login(window)
    index = NoticeIndexPage.objects.get(center__code="city")
    url = reverse("portal_slug_suggestion")
    response = client.get(url, {"title": "办事指南", "parent": index.pk})
    assert response.status_code == 200
    assert response.json() == {"slug": "ban-shi-zhi-nan"}
    # Another center's notices: not theirs to probe.
    other = NoticeIndexPage.objects.get(center__code="dongcheng")
    assert client.get(url, {"title": "办事指南", "parent": other.pk}).status_code == 403
    assert client.get(url, {"title": "x", "parent": "nonsense"}).status_code == 400
    client.logout()
    assert client.get(url, {"title": "办事指南", "parent": index.pk}).status_code in (302, 403)


def test_editor_loads_the_slug_script_as_a_static_file(client):
    window = make_editor("slug_window3", EditorialRole.WINDOW, "city", "scjg")
    client.force_login(window)
    index = NoticeIndexPage.objects.get(center__code="city")
    body = client.get(_add_url(index)).content.decode()
    assert 'src="/static/js/admin-slug.js"' in body or "js/admin-slug" in body
    assert 'data-endpoint="/admin/slug-suggestion/"' in body


def test_errors_are_named_by_tab_and_field(client):
    admin = make_editor("slug_sys", EditorialRole.SYSADMIN, is_superuser=True)
    client.force_login(admin)
    home = StandardPage.objects.first() or NoticeIndexPage.objects.get(center__code="city")
    index = NoticeIndexPage.objects.get(center__code="city")
    index.add_child(instance=NoticePage(title="占位", slug="zhan-wei"))
    response = client.get(_add_url(index))
    data = _form_data(response.context["form"], {})
    data.update({"title": "占位", "slug": "zhan-wei", "action-publish": "1"})
    response = client.post(_add_url(index), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "请修改：「推广」标签页的「缩略名」" in body or "请修改：「推荐」标签页的「缩略名」" in body, body[:200]
    assert home is not None
