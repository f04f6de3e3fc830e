"""Public catalog pages: the item page (sections, anchors, JSON-LD, breadcrumbs, query budget),
the checklist, browse (filters, counts, A–Z, pagination), themes, life events, home panels,
page cache."""

import json
import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def charging_item():
    from guides.models import GuidePage

    return GuidePage.objects.live().filter(charges=True, fees__isnull=False).order_by("pk").first()


def test_item_page_has_eight_sections_with_anchors_and_nav(client, charging_item):
    response = client.get(charging_item.url)
    assert response.status_code == 200
    html = response.content.decode()
    titles = ["项目名称", "办理程序", "设立依据", "申报材料", "承诺时限", "收费标准", "收费依据", "窗口权限"]
    for number, title in enumerate(titles, start=1):
        assert f'id="disclosure-{number}"' in html
        assert f'href="#disclosure-{number}"' in html
        assert re.search(rf'<h2 id="disclosure-{number}-title">.*{title}</h2>', html)
    assert "八公开完整度：8/8" in html
    assert 'id="change-history"' in html
    for material in charging_item.materials.all():
        assert material.name in html
    assert "受理权" in html and "审批权" in html


def test_item_page_shows_fee_in_force_with_basis(client, charging_item):
    from guides.presentation import fees_in_force, prefetch_item

    prefetch_item(charging_item)
    entries = fees_in_force(charging_item)
    html = client.get(charging_item.url).content.decode()
    for entry in entries:
        assert entry["in_force"]
        assert entry["fee"].price_text in html
        for basis in entry["fee"].basis.all():
            assert basis.title in html


def test_item_without_charges_says_not_charged(client):
    from guides.models import GuidePage

    item = GuidePage.objects.live().filter(charges=False).first()
    html = client.get(item.url).content.decode()
    assert "不收费" in html


def test_item_page_json_ld_is_government_service_and_safe(client, charging_item):
    charging_item.search_description = "危险</script><script>alert(1)</script>"
    charging_item.save_revision().publish()
    html = client.get(charging_item.url).content.decode()
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match
    data = json.loads(match.group(1))
    assert data["@type"] == "GovernmentService"
    assert data["name"] == charging_item.title
    assert data["identifier"] == charging_item.item_code
    assert data["provider"]["name"] == charging_item.department.name
    assert data["description"] == "危险</script><script>alert(1)</script>"
    assert "<script>alert(1)" not in html


def test_item_page_breadcrumbs(client, charging_item):
    html = client.get(charging_item.url).content.decode()
    nav = re.search(r'<nav class="breadcrumbs.*?</nav>', html, re.S).group(0)
    labels = re.findall(r">([^<>]+)</(?:a|span)>", nav)
    assert labels == ["首页", "办事指南", charging_item.center.name, charging_item.department.name, charging_item.title]
    assert f"?center={charging_item.center.code}&amp;department={charging_item.department.code}" in nav


def test_item_page_query_budget(client, charging_item, django_assert_max_num_queries):
    from guides import stored_presentation
    from tests.guides.helpers import cold_cache

    cold_cache()  # cold: no cached history, no cached site root paths
    # Nothing stored yet (the fixture's publish commits only with the test): rendered in full (14),
    # one query to look for the stored row, one each for the 常见问题 and the 好差评 summary.
    with django_assert_max_num_queries(17):
        response = client.get(charging_item.url)
    assert response.status_code == 200
    # Stored (as publishing does), cold cache again: the frame, the stored body, the two live parts.
    stored_presentation.build([charging_item])
    cold_cache()
    with django_assert_max_num_queries(10):
        again = client.get(charging_item.url)
    assert again.content == response.content
    with django_assert_max_num_queries(6):
        client.get(charging_item.url)


def test_checklist_page_has_a_checkbox_per_material(client, charging_item):
    response = client.get(charging_item.url + "checklist/")
    assert response.status_code == 200
    html = response.content.decode()
    materials = list(charging_item.materials.all())
    assert html.count('type="checkbox"') == len(materials)
    for index, material in enumerate(materials, start=1):
        assert f'<label for="material-{index}">' in html
        assert material.name in html


def test_form_downloads_show_type_and_size(client, charging_item):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    document = Document(title="申请表")
    document.file.save("apply-form.docx", ContentFile(b"x" * 2048), save=False)
    document.file_size = document.file.size  # as the admin's upload view records it
    document.save()
    material = charging_item.materials.first()
    material.blank_form = document
    material.save()
    html = client.get(charging_item.url).content.decode()
    assert document.url in html
    assert "DOCX" in html and "2.0\xa0KB" in html
    document.file.delete(save=False)


def test_unknown_item_is_404(client):
    assert client.get("/guides/city/scjg/no-such-item/").status_code == 404


# --- browse ---------------------------------------------------------------------------


def facet(response, name):
    return {option["value"]: option["count"] for option in response.context["facets"][name]}


def test_browse_counts_are_group_by_counts(client):
    from guides.models import GuidePage

    response = client.get("/guides/")
    assert response.status_code == 200
    live = GuidePage.objects.live()
    # One entry per item as a citizen sees it (same name and type in several centers).
    assert response.context["page_obj"].paginator.count == live.values("title", "item_type").distinct().count()
    centers = facet(response, "center")
    assert centers["city"] == live.filter(center__code="city").count()
    audience = facet(response, "audience")
    assert audience["person"] == live.filter(audience__in=["person", "both"]).count()
    assert audience["legal"] == live.filter(audience__in=["legal", "both"]).count()
    assert sum(facet(response, "letter").values()) == live.count()
    assert sum(facet(response, "charges").values()) == live.count()


def test_filters_combine_and_both_audience_appears_under_each(client):
    from guides.models import GuidePage

    response = client.get("/guides/?audience=legal&center=dongcheng&department=scjg&charges=0")
    expected = GuidePage.objects.live().filter(
        audience__in=["legal", "both"], center__code="dongcheng", department__code="scjg", charges=False
    )
    assert response.context["page_obj"].paginator.count == expected.count() > 0
    # The center facet ignores its own filter: it tells how many each other center would give.
    assert (
        facet(response, "center")["city"]
        == expected.model.objects.live()
        .filter(audience__in=["legal", "both"], center__code="city", department__code="scjg", charges=False)
        .count()
    )
    both = GuidePage.objects.live().filter(audience="person").select_related("department").first()
    GuidePage.objects.filter(pk=both.pk).update(audience="both")
    for audience in ("person", "legal"):
        url = f"/guides/?audience={audience}&department={both.department.code}&letter={both.pinyin_initial}"
        listed = client.get(url).context["page_obj"].paginator.object_list
        assert listed.filter(pk=both.pk).exists()


def test_theme_and_type_filters(client):
    from guides.models import GuidePage, Theme

    theme = Theme.objects.filter(items__isnull=False).first()
    response = client.get(f"/guides/?theme={theme.slug}&type=licensing")
    expected = GuidePage.objects.live().filter(themes=theme, item_type="licensing")
    assert response.context["page_obj"].paginator.count == expected.count()


def test_az_list_by_pinyin_initial(client):
    from guides.models import GuidePage
    from guides.pinyin import pinyin_keys

    assert pinyin_keys("营业执照") == ("Y", "yingyezhizhao")
    assert pinyin_keys("重新申领居民身份证")[0] == "C"
    assert pinyin_keys("1号文件")[0] == "#"
    item = GuidePage.objects.live().order_by("pk").first()
    assert item.pinyin_initial == pinyin_keys(item.title)[0]
    response = client.get(f"/guides/?letter={item.pinyin_initial.lower()}")
    items = list(response.context["items"])
    assert all(i.pinyin_initial == item.pinyin_initial for i in items)
    assert [i.pinyin for i in items] == sorted(i.pinyin for i in items)


def test_pagination_and_links_keep_filters(client):
    response = client.get("/guides/?center=city&page=2")
    assert response.context["page_obj"].number == 2
    html = response.content.decode()
    assert 'href="?center=city&amp;page=1"' in html or 'href="?center=city&page=1"' in html


def test_bad_filter_values_are_reported_not_500(client):
    response = client.get("/guides/?audience=martian&letter=%3Cb%3E&page=abc")
    assert response.status_code == 400
    html = response.content.decode()
    assert "服务对象只能是 person（个人）或 legal（法人）" in html
    assert "<b>" not in html.split("<main", 1)[1]
    response = client.get("/guides/?center=city&type=nope")
    assert response.status_code == 200  # the good filter still applies
    assert "未知的事项类型" in response.content.decode()


def test_browse_works_without_javascript_and_within_query_budget(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):  # 15 to render, 1 to look up, 4 to store
        response = client.get("/guides/?audience=person&center=city")
    html = response.content.decode()
    assert '<form class="filters" method="get"' in html
    assert '<button type="submit">筛选</button>' in html
    assert "<script" not in html.split("<main", 1)[1]


def test_themes_page_per_audience(client):
    response = client.get("/guides/themes/person/")
    assert response.status_code == 200
    groups = response.context["theme_groups"]
    assert groups and all(group["theme"].audience in ("person", "both") for group in groups)
    assert client.get("/guides/themes/alien/").status_code == 404


def test_folder_pages_redirect_to_filtered_browse(client):
    response = client.get("/guides/city/scjg/")
    assert response.status_code == 302
    assert response["Location"].endswith("/guides/?center=city&department=scjg")


# --- life events, home ----------------------------------------------------------------


def test_life_event_page_merges_materials(client):
    from guides.models import LifeEventPage

    event = LifeEventPage.objects.live().get(slug="billiards-room")
    response = client.get(event.url)
    assert response.status_code == 200
    html = response.content.decode()
    bundle = response.context["bundle"]
    assert len(bundle["departments"]) >= 3
    assert len(bundle["materials"]) < bundle["material_count_before_merge"]
    for item in bundle["items"]:
        assert item.title in html
    assert "合并材料清单" in html and "合计办结时限" in html
    assert client.get("/life-events/").status_code == 200


def test_home_page_panels(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        html = client.get("/").content.decode()
    assert "一件事一次办" in html
    assert "开办台球室" in html
    # No usage data and nothing marked 常办事项: the item panel says nothing (never "recently
    # updated"); tests/guides/test_popular_items.py covers the 热门事项 ranking and its fallback.
    assert "最近更新的办事指南" not in html


def test_featured_items_lead_the_home_panel(client):
    from guides.models import GuidePage

    item = GuidePage.objects.live().order_by("-pk").first()
    GuidePage.objects.filter(pk=item.pk).update(featured=True)
    html = client.get("/").content.decode()
    assert "常办事项" in html and item.title in html


# --- page cache -----------------------------------------------------------------------


def test_page_cache_serves_anonymous_gets_and_is_invalidated_on_publish(client, charging_item):
    first = client.get(charging_item.url)
    assert first["X-Page-Cache"] == "miss"
    second = client.get(charging_item.url)
    assert second["X-Page-Cache"] == "hit"
    assert "csrfmiddlewaretoken" not in second.content.decode(), "cached pages carry no per-visitor token"
    assert client.get("/guides/?center=city")["X-Page-Cache"] == "miss"
    assert client.get("/guides/?center=city")["X-Page-Cache"] == "hit"

    charging_item.hours = "缓存失效测试时间"
    charging_item.save_revision().publish()
    third = client.get(charging_item.url)
    assert third["X-Page-Cache"] == "miss"
    assert "缓存失效测试时间" in third.content.decode()


def test_page_cache_off_with_zero_seconds(client, settings, charging_item):
    settings.PAGE_CACHE_SECONDS = 0
    assert "X-Page-Cache" not in client.get(charging_item.url)
