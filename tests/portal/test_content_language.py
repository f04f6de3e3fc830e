"""Language done right: the visitor's switch chooses the interface language (never Accept-Language);
Chinese content in English pages carries lang="zh-Hans"; fixed labels and plurals in English; the
English search placeholder's example finds items."""

import pytest

from portal.content_language import mark_chinese

pytestmark = pytest.mark.django_db


def _item():
    from guides.models import GuidePage

    return GuidePage.objects.live().filter(item_type="licensing", promised_days__gt=1).order_by("pk").first()


def test_accept_language_alone_does_not_switch_to_english(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    body = response.content.decode()
    assert '<html lang="zh-CN">' in body
    assert "搜索事项" in body
    assert 'lang="zh-Hans"' not in body  # the whole page is Chinese: nothing to mark
    assert "Cookie" in response["Vary"] and "Accept-Language" not in response["Vary"]


def test_the_switch_chooses_english_and_chinese_content_is_marked(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    item = _item()
    body = client.get(item.url).content.decode()
    assert '<html lang="en">' in body
    assert f'<span lang="zh-Hans">{item.title}</span>' in body
    assert "Administrative licensing" in body  # the item type
    assert "行政许可" not in body
    assert f"{item.promised_days} working days" in body


def test_one_working_day_is_singular(client):
    from guides.models import GuidePage

    item = _item()
    GuidePage.objects.filter(pk=item.pk).update(promised_days=1)
    client.cookies["django_language"] = "en"
    body = client.get(item.url).content.decode()
    assert "1 working day<" in body or "1 working day " in body
    assert "1 working days" not in body


def test_mark_chinese_leaves_code_titles_and_attributes_alone():
    html = (
        '<html><head><title>营业执照</title><script>var a = "营业执照";</script></head>'
        '<body><p title="营业执照">Item: 营业执照 (2 个)</p><textarea>不动</textarea>'
        "<select><option>选项</option></select><p>English only</p></body></html>"
    )
    marked = mark_chinese(html)
    assert (
        '<p title="营业执照">Item: <span lang="zh-Hans">营业执照</span> (2 <span lang="zh-Hans">个</span>)</p>'
        in marked
    )
    assert "<title>营业执照</title>" in marked and 'var a = "营业执照";' in marked
    assert "<textarea>不动</textarea>" in marked and '<option lang="zh-Hans">选项</option>' in marked
    assert "<p>English only</p>" in marked


def test_the_english_placeholder_example_finds_business_licence_items(client):
    client.cookies["django_language"] = "en"
    assert "e.g. business licence" in client.get("/").content.decode()
    data = client.get("/api/search/", {"q": "business licence"}).json()
    assert data["total"] > 0
    top = " ".join(result["title"] + result.get("snippet", "") for result in data["results"][:5])
    assert "营业" in top or "执照" in top or "个体工商户" in top or "企业" in top
