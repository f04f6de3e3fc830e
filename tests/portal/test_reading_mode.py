"""适老化 reading mode: a plain link sets a cookie (no JavaScript), pages carry the class, the page
cache keeps the two modes apart, and `next` cannot send the visitor off-site."""

import pytest
from django.core.cache import cache
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_link_switches_the_mode_and_back(client):
    home = client.get("/").content.decode()
    assert 'href="/reading-mode/?mode=large&amp;next=/"' in home and "large-text" not in home.split("<body", 1)[1][:200]
    response = client.get("/reading-mode/?mode=large&next=/guides/")
    assert response.status_code == 302 and response["Location"] == "/guides/"
    assert response.cookies["reading_mode"].value == "large" and response.cookies["reading_mode"]["httponly"]
    page = client.get("/guides/").content.decode()
    assert 'class=" large-text"' in page or "large-text" in page.split("<body", 1)[1][:200]
    assert "标准版" in page
    back = client.get("/reading-mode/?mode=standard&next=/guides/")
    assert back.cookies["reading_mode"].value == ""
    assert "large-text" not in client.get("/guides/").content.decode().split("<body", 1)[1][:200]


def test_next_must_stay_on_the_site(client):
    assert client.get("/reading-mode/?mode=large&next=https://evil.example/").headers["Location"] == "/"
    assert client.get("/reading-mode/?mode=large&next=//evil.example/").headers["Location"] == "/"


@override_settings(PAGE_CACHE_SECONDS=60)
def test_page_cache_keeps_modes_apart(client):
    from tests.portal.editorial_support import item_in

    cache.clear()
    url = item_in("city", "scjg").url
    assert "large-text" not in client.get(url).content.decode().split("<body", 1)[1][:200]
    client.cookies["reading_mode"] = "large"
    assert "large-text" in client.get(url).content.decode().split("<body", 1)[1][:200]
    del client.cookies["reading_mode"]
    assert "large-text" not in client.get(url).content.decode().split("<body", 1)[1][:200]
