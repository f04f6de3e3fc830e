"""On the seeded demo site: grouped results with the visitor's center, the center chooser, the
default lexicon, the editors' to-do list, and the phone layout of the search page."""

from urllib.parse import unquote

import pytest
from django.core.management import call_command
from django.urls import reverse

from search import lexicon
from search.models import LexiconRelease, QueryStat, SynonymGroup
from search.synonyms import invalidate, synonym_map

# Every test here runs on both engines (tests/search/conftest.py: site_backend).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("site_backend")]


@pytest.fixture(autouse=True)
def fresh_synonyms():
    invalidate()
    yield
    invalidate()


def test_api_returns_one_result_per_item_with_every_center(client):
    data = client.get("/api/search/", {"q": "居民身份证"}).json()
    assert data["grouped"] is True and data["documents"] > data["total"] > 0
    titles = [r["title"] for r in data["results"]]
    assert len(titles) == len(set(titles))
    first = data["results"][0]
    assert len(first["centers"]) >= 2
    assert all({"center", "name", "url", "item_code"} == set(c) for c in first["centers"])
    assert first["url"] in {c["url"] for c in first["centers"]}


def test_api_prefers_the_chosen_center_and_keeps_a_flat_list(client):
    chosen = client.get("/api/search/", {"q": "居民身份证", "prefer": "dongcheng"}).json()["results"][0]
    assert chosen["center"] == "dongcheng" and chosen["centers"][0]["center"] == "dongcheng"
    client.cookies["gk_center"] = "city"
    cookie = client.get("/api/search/", {"q": "居民身份证"}).json()["results"][0]
    assert cookie["center"] == "city" and cookie["centers"][0]["center"] == "city"
    flat = client.get("/api/search/", {"q": "居民身份证", "flat": "1"}).json()
    assert flat["grouped"] is False and flat["total"] == flat["documents"]
    flat_titles = [r["title"] for r in flat["results"]]
    assert len(flat_titles) > len(set(flat_titles))  # the same item in several centers


def test_center_chooser_remembers_the_center_without_javascript(client):
    page = client.get("/center/", {"next": "/search/?q=身份证"})
    html = page.content.decode()
    assert page.status_code == 200 and "西城区政务服务中心" in html and "<script" not in html.split("<main")[1]
    response = client.get("/center/", {"center": "DongCheng", "next": "/search/?q=身份证"})
    assert response.status_code == 302 and unquote(response["Location"]) == "/search/?q=身份证"
    assert response.cookies["gk_center"].value == "dongcheng" and response.cookies["gk_center"]["httponly"]
    search = client.get("/search/", {"q": "居民身份证"}).content.decode()
    assert "优先显示：东城区政务服务中心" in search and "更换中心" in search
    first = search.split('class="search-hit')[1]
    assert "东城区政务服务中心" in first.split("</p>")[0] and "其他中心也可办理" in first
    forget = client.get("/center/", {"center": "", "next": "/"})
    assert forget.status_code == 302 and forget.cookies["gk_center"].value == ""


def test_center_chooser_refuses_unknown_centers_and_foreign_redirects(client):
    assert client.get("/center/", {"center": "nowhere"}).status_code == 400
    response = client.get("/center/", {"center": "xicheng", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    client.cookies["gk_center"] = "nowhere"
    assert "优先显示：" not in client.get("/search/", {"q": "身份证"}).content.decode()


def test_every_page_links_to_the_center_chooser(client):
    assert "/center/?next=" in client.get("/").content.decode()


def test_phone_layout_puts_facets_behind_a_filter_button(client):
    html = client.get("/search/", {"q": "身份证"}).content.decode()
    mobile = html.index('<details class="facets-mobile">')
    assert mobile < html.index('class="result-list search-results"')
    assert "<summary>筛选" in html and 'class="filters search-facets facets-desktop"' in html


def test_default_lexicon_is_on_every_migrated_site():
    entries = lexicon.read()
    assert len(entries) >= 500
    domains = {entry.domain for entry in entries}
    assert {
        "证照",
        "户籍",
        "社保",
        "医保",
        "婚育",
        "住房",
        "车驾",
        "教育",
        "退休",
        "退役",
        "注销",
        "餐饮",
        "娱乐",
        "建设",
    } <= domains
    assert SynonymGroup.objects.filter(origin="lexicon", one_way=True).count() >= 500
    mapping = synonym_map()
    assert "互联网上网服务营业场所" in mapping["网吧"] and "养犬登记" in mapping["养狗"]
    assert "网吧" not in mapping.get("互联网上网服务营业场所", [])  # one way


def test_lexicon_reload_keeps_editors_deletions_and_check_reports_bad_lines(tmp_path):
    SynonymGroup.objects.filter(origin="lexicon", terms__startswith="网吧 =").delete()
    assert lexicon.load() == (0, False)  # this version was loaded: nothing comes back
    assert not SynonymGroup.objects.filter(terms__startswith="网吧 =").exists()
    added, _new = lexicon.load(force=True)
    assert added == 1 and SynonymGroup.objects.filter(terms__startswith="网吧 =").exists()
    bad = tmp_path / "bad.txt"
    bad.write_text("娱乐 | 网吧 | 网吧 | S3\n", encoding="utf-8")
    with pytest.raises(lexicon.LexiconError, match="bad.txt:1"):
        lexicon.read(bad)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="词库文件有误"):
        call_command("search_lexicon", "check", "--file", str(bad))


def test_init_site_loads_the_lexicon(capsys):
    SynonymGroup.objects.filter(origin="lexicon").delete()
    LexiconRelease.objects.all().delete()
    call_command("init_site")
    assert SynonymGroup.objects.filter(origin="lexicon").count() >= 500


def test_lexicon_words_find_official_items(client):
    data = client.get("/api/search/", {"q": "办营业执照"}).json()
    assert "设立" in data["results"][0]["title"]


def test_todo_lists_queries_that_found_nothing_and_adds_a_synonym(client, admin_client):
    client.get("/search/", {"q": "qqzzkk"})
    client.get("/search/", {"q": "网吧"})  # covered by the lexicon: not a to-do
    page = admin_client.get(reverse("search_report")).content.decode()
    todo = page.split('id="todo"')[1].split("热门搜索词")[0]
    assert "qqzzkk" in todo and ">网吧<" not in todo
    response = admin_client.post(reverse("search_add_synonym"), {"query": "qqzzkk", "official": "居民身份证"})
    assert response.status_code == 302
    group = SynonymGroup.objects.get(terms__startswith="qqzzkk")
    assert group.one_way and group.origin == "editor" and group.term_list() == ["qqzzkk", "居民身份证"]
    invalidate()
    assert client.get("/api/search/", {"q": "qqzzkk"}).json()["total"] > 0
    page = admin_client.get(reverse("search_report")).content.decode()
    assert "qqzzkk" not in page.split('id="todo"')[1].split("热门搜索词")[0]


def test_todo_refuses_bad_input_and_needs_permission(client, admin_client, django_user_model):
    QueryStat.record("两个 词", 0)
    response = admin_client.post(reverse("search_add_synonym"), {"query": "两个 词", "official": "x"}, follow=True)
    assert "多个词" in response.content.decode()
    assert not SynonymGroup.objects.filter(terms__startswith="两个").exists()
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("viewer", password="x")
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="view_querystat")
    )
    client.force_login(user)
    assert client.post(reverse("search_add_synonym"), {"query": "abc", "official": "x"}).status_code in (302, 403)
    assert not SynonymGroup.objects.filter(terms__startswith="abc").exists()
