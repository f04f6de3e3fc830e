"""The page cache (portal.pagecache): on by default, never for signed-in editors or answers with
cookies, keyed by language/center/reading mode, and never stale: each event that changes what a
public page shows is followed by a fetch that sees the new value at once (the first fetch is a
cache hit, so the second proves the purge). Runs on local memory and, in CI, on Redis."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from guides.models import GuidePage, Theme
from portal.models import Department, NoticeIndexPage, NoticePage, PortalSettings, ServiceCenter

pytestmark = pytest.mark.django_db


def fetch(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response


def cached(client, url):
    """Fetch twice: the second answer comes from the cache."""
    fetch(client, url)
    response = fetch(client, url)
    assert response["X-Page-Cache"] == "hit", url
    return response.content.decode()


@pytest.fixture
def item():
    return GuidePage.objects.live().filter(charges=True, fees__isnull=False).order_by("pk").first()


def publish(page, **fields):
    page = page.specific
    for name, value in fields.items():
        setattr(page, name, value)
    page.save_revision().publish()
    return page


def test_public_pages_are_cached_by_default(client, item, settings):
    from disclosures.models import BulletinIndexPage, BulletinPage
    from guides.models import LifeEventPage

    assert settings.PAGE_CACHE_SECONDS > 0
    urls = [
        "/",
        "/guides/",
        item.url,
        "/fees/",
        NoticeIndexPage.objects.live().first().url,
        NoticePage.objects.live().first().url,
        BulletinIndexPage.objects.live().first().url,
        LifeEventPage.objects.live().first().url,
        BulletinPage.objects.live().first().url,
    ]
    for url in urls:
        first = fetch(client, url)
        assert first["X-Page-Cache"] == "miss", url
        second = fetch(client, url)
        assert second["X-Page-Cache"] == "hit", url
        assert second.content == first.content
        assert "csrfmiddlewaretoken" not in second.content.decode()
        assert not second.cookies, "a cached page sets no cookie"


def test_signed_in_editors_and_other_variants_are_kept_apart(client, item, django_user_model):
    assert "缓存" not in cached(client, item.url)
    editor = django_user_model.objects.create_superuser("cache-editor", "e@example.org", "pw-Xy12345!")
    client.force_login(editor)
    assert "X-Page-Cache" not in client.get(item.url), "never served from, nor stored in, the cache"
    client.logout()
    client.cookies.pop("sessionid", None)

    # The language: the English page is its own entry, not the Chinese one.
    chinese = cached(client, "/guides/")
    client.cookies["django_language"] = "en"
    english = fetch(client, "/guides/")
    assert english["X-Page-Cache"] == "miss"
    assert english.content.decode() != chinese
    assert 'lang="en"' in english.content.decode()
    del client.cookies["django_language"]
    # The chosen center and the reading mode.
    client.cookies["gk_center"] = "dongcheng"
    assert fetch(client, "/guides/")["X-Page-Cache"] == "miss"
    client.cookies["reading_mode"] = "large"
    assert fetch(client, "/guides/")["X-Page-Cache"] == "miss"
    assert "large-text" in fetch(client, "/guides/").content.decode()


def test_language_switch_is_a_plain_get_and_pages_carry_no_token(client):
    html = cached(client, "/")
    assert 'action="/i18n/switch/"' in html and 'method="get"' in html
    response = client.get("/i18n/switch/", {"language": "en", "next": "/guides/"})
    assert response.status_code == 302 and response["Location"] == "/guides/"
    assert response.cookies["django_language"].value == "en"
    assert 'lang="en"' in fetch(client, "/guides/").content.decode()
    # An unknown language or a foreign next changes nothing.
    response = client.get("/i18n/switch/", {"language": "xx", "next": "https://evil.example/"})
    assert response["Location"] == "/" and "django_language" not in response.cookies


def test_answers_with_cookies_or_tokens_are_not_stored(client):
    # The feedback form carries a CSRF token: never cached.
    response = client.get("/feedback/new/")
    assert "X-Page-Cache" not in response
    # A 404 is not stored either.
    assert "X-Page-Cache" not in client.get("/guides/no/such/item/")


# --- every event purges what it changes -----------------------------------------------------


def test_publish_and_unpublish_an_item(client, item):
    listing = f"/guides/?center={item.center.code}&department={item.department.code}"
    assert "缓存失效测试时间" not in cached(client, item.url)
    assert "缓存新标题" not in cached(client, listing)
    publish(item, hours="缓存失效测试时间", title="缓存新标题")
    assert "缓存失效测试时间" in fetch(client, item.url).content.decode()
    assert "缓存新标题" in fetch(client, listing).content.decode()
    GuidePage.objects.get(pk=item.pk).unpublish()
    assert client.get(item.url).status_code == 404


def test_unpublish_removes_an_item_from_the_listing(client, item):
    url = f"/guides/?center={item.center.code}&department={item.department.code}"
    assert item.title in cached(client, url)
    GuidePage.objects.get(pk=item.pk).unpublish()
    assert item.title not in fetch(client, url).content.decode()


def test_move_and_delete(client):
    notice_index = NoticeIndexPage.objects.live().filter(center__code="city").first()
    notice = NoticePage(title="缓存移动测试公告", category="notice")
    notice_index.add_child(instance=notice)
    notice.save_revision().publish()
    old_url = notice.url
    assert "缓存移动测试公告" in cached(client, old_url)
    assert "缓存移动测试公告" in cached(client, notice_index.url)
    other = NoticeIndexPage.objects.live().exclude(pk=notice_index.pk).first()
    NoticePage.objects.get(pk=notice.pk).move(other, pos="last-child")
    moved = client.get(old_url)
    assert moved.status_code == 301 and moved["Location"] != old_url, "Wagtail's redirect, not the cached page"
    assert "缓存移动测试公告" not in fetch(client, notice_index.url).content.decode()
    assert "缓存移动测试公告" in cached(client, other.url)
    NoticePage.objects.get(pk=notice.pk).delete()
    assert "缓存移动测试公告" not in fetch(client, other.url).content.decode()


def test_fee_item_change(client, item):
    fee = item.fees.first().fee_item
    assert "缓存收费名称" not in cached(client, item.url)
    assert "缓存收费名称" not in cached(client, "/fees/")
    fee.name = "缓存收费名称"
    fee.amount = Decimal("12.34")
    fee.save()
    assert "缓存收费名称" in fetch(client, item.url).content.decode()
    assert "缓存收费名称" in fetch(client, "/fees/").content.decode()


def test_center_and_department_change(client, item):
    assert "缓存中心新名" not in cached(client, item.url)
    center = ServiceCenter.objects.get(pk=item.center_id)
    center.name = "缓存中心新名"
    center.save()
    assert "缓存中心新名" in fetch(client, item.url).content.decode()
    assert "缓存部门新名" not in cached(client, item.url)
    department = Department.objects.get(pk=item.department_id)
    department.name = "缓存部门新名"
    department.save()
    assert "缓存部门新名" in fetch(client, item.url).content.decode()


def test_theme_change(client, item):
    theme = Theme.objects.create(name="缓存主题甲", slug="cache-theme", audience=item.audience or "person")
    page = GuidePage.objects.get(pk=item.pk)
    page.themes.add(theme)
    page.save_revision().publish()
    assert "缓存主题甲" in cached(client, item.url)
    theme.name = "缓存主题乙"
    theme.save()
    assert "缓存主题乙" in fetch(client, item.url).content.decode()


def test_site_settings_change(client, item):
    settings_row = PortalSettings.for_site(item.get_site())
    assert "缓存热线" not in cached(client, "/")
    settings_row.hotline = "缓存热线 12345"
    settings_row.save()
    assert "缓存热线 12345" in fetch(client, "/").content.decode()


def test_synonyms_change_search_at_once(client, item):
    """Search answers are never page-cached (rate limits, live index): a new synonym is found
    at once; no cached page shows synonyms, so adding one purges nothing."""
    from portal import pagecache
    from search.models import SynonymGroup

    assert "X-Page-Cache" not in client.get("/search/", {"q": "缓存同义词测试"})
    before = pagecache.generation()
    SynonymGroup.objects.create(terms=f"缓存同义词测试,{item.title}")
    assert pagecache.generation() == before
    assert item.title in client.get("/search/", {"q": "缓存同义词测试"}).content.decode()


def test_scheduled_publish(client):
    from portal.schedules import publish_scheduled

    notice_index = NoticeIndexPage.objects.live().filter(center__code="city").first()
    notice = NoticePage(title="缓存定时草稿", category="notice", live=False)
    notice_index.add_child(instance=notice)
    notice.save_revision()
    assert "缓存定时公告" not in cached(client, notice_index.url)
    notice = NoticePage.objects.get(pk=notice.pk)
    notice.title = "缓存定时公告"
    revision = notice.save_revision(approved_go_live_at=timezone.now() - datetime.timedelta(minutes=1))
    assert revision.approved_go_live_at
    publish_scheduled(attempts=1, pause=0)
    assert "缓存定时公告" in fetch(client, notice_index.url).content.decode()


def test_bulletin_generation(client, monkeypatch):
    from disclosures import bulletins
    from tests.disclosures.bulletin_helpers import fake_stats

    monkeypatch.setattr(
        bulletins, "compute", lambda center, period: fake_stats(center.code if center else "all", period)
    )
    index = bulletins.bulletin_index()
    assert "2024年10月" not in cached(client, index.url)
    bulletins.build_bulletin("2024-10", "city", publish=True)
    assert "2024年10月" in fetch(client, index.url).content.decode()


def test_catalog_import(client):
    """Imports write pages in bulk (guides.bulk), even without page signals: the listing they
    change is purged."""
    from guides.bulk import create_pages
    from guides.demo import folder_for
    from guides.models import GuideIndexPage, GuideStep

    center = ServiceCenter.objects.get(code="dongcheng")
    department = Department.objects.get(center=center, code="mz")
    url = f"/guides/?center=dongcheng&department={department.code}"
    assert "缓存导入事项" not in cached(client, url)
    folder = folder_for(GuideIndexPage.objects.get(), center, department)
    page = GuidePage(
        title="缓存导入事项", slug="cache-import", item_code="CACHE-IMPORT-1", center=center, department=department
    )
    page.steps = [GuideStep(name="受理", sort_order=0)]
    create_pages([(folder, page)], log=False, send_signals=False)
    assert "缓存导入事项" in fetch(client, url).content.decode()


def test_cache_down_serves_pages(client, item, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert fetch(client, item.url).status_code == 200


def test_unreachable_redis_still_serves_item_pages(client, item, settings):
    """Redis down (nothing listens on port 1; django-redis ignores the errors, as configured for
    production): no generation can be read, so the item page is rendered afresh — not taken from
    a stored presentation whose freshness is unknown — and served."""
    from django.core.cache import caches

    from guides import stored_presentation
    from guides.stored_presentation import MARKER, ItemPresentation

    stored_presentation.build([item])
    row = ItemPresentation.objects.get(page=item, language="zh-hans")
    ItemPresentation.objects.filter(pk=row.pk).update(body=row.body.replace(MARKER, "<p>已存旧呈现</p>" + MARKER))
    url, title = item.url, item.title
    down = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
    }
    settings.CACHES = {"default": down, "ratelimit": down}
    settings.DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    try:
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200 and title in html
        assert "已存旧呈现" not in html
    finally:
        for alias in ("default", "ratelimit"):
            caches[alias].close()


# --- HTTP caching ----------------------------------------------------------------------------


def test_validators_and_304_on_a_repeat_visit(client, item):
    first = fetch(client, item.url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and modified.endswith("GMT")
    assert first["Cache-Control"] == "public, max-age=0, s-maxage=10"
    assert "Cookie" in first["Vary"]
    hit = fetch(client, item.url)
    assert hit["ETag"] == etag and hit["Last-Modified"] == modified
    again = client.get(item.url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and "s-maxage" in again["Cache-Control"]
    assert client.get(item.url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    # After a publish the old validator no longer matches: the new page, not a 304.
    publish(item, hours="缓存验证器时间")
    changed = client.get(item.url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and "缓存验证器时间" in changed.content.decode()
    assert changed["ETag"] != etag


def test_no_http_caching_headers_for_editors_or_forms(client, item, django_user_model):
    assert "s-maxage" not in client.get("/feedback/new/").get("Cache-Control", "")
    editor = django_user_model.objects.create_superuser("cache-editor2", "e2@example.org", "pw-Xy12345!")
    client.force_login(editor)
    response = client.get(item.url)
    assert "ETag" not in response and "s-maxage" not in response.get("Cache-Control", "")


# --- the item page kept per revision (guides/item_page.py) -----------------------------------


def test_item_page_survives_a_publish_elsewhere_but_not_a_shared_change(client, item):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as full:
        fetch(client, item.url)
    other = GuidePage.objects.live().exclude(pk=item.pk).order_by("pk").first()
    publish(other, hours="别的事项的时间")
    with CaptureQueriesContext(connection) as kept:
        response = fetch(client, item.url)
    assert response["X-Page-Cache"] == "miss", "the page cache was purged by the publish"
    assert len(kept) < len(full) / 2, (len(kept), len(full))
    # A change to shared data (the department's name) renders it again.
    department = Department.objects.get(pk=item.department_id)
    department.name = "按修订缓存部门"
    department.save()
    assert "按修订缓存部门" in fetch(client, item.url).content.decode()


def test_a_replaced_blank_form_shows_at_once(client, item):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    document = Document(title="缓存申请表")
    document.file.save("cache-form.docx", ContentFile(b"x" * 2048), save=False)
    document.file_size = 2048
    document.save()
    material = item.materials.first()
    material.blank_form = document
    material.save()
    assert "2.0\xa0KB" in cached(client, item.url)
    document.file_size = 4096
    document.save()
    assert "4.0\xa0KB" in fetch(client, item.url).content.decode()
    document.file.delete(save=False)


# --- media handed to nginx after the app's check (MEDIA_ACCEL_REDIRECT) ------------------------


def test_media_leave_through_x_accel_redirect_after_the_check(client, settings):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model
    from wagtail.models import Collection, CollectionViewRestriction

    settings.MEDIA_ACCEL_REDIRECT = "/_media/"
    Document = get_document_model()
    public = Document(title="公开表格")
    public.file.save("accel-public.txt", ContentFile(b"public"), save=True)
    response = client.get("/media/" + public.file.name)
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == "/_media/" + public.file.name
    assert response["Content-Type"].startswith("text/plain")
    # A private collection's file is still a 404: nginx never sees the request.
    private = Collection.get_first_root_node().add_child(name="内部资料（加速）")
    CollectionViewRestriction.objects.create(collection=private, restriction_type="login")
    hidden = Document(title="内部", collection=private)
    hidden.file.save("accel-internal.txt", ContentFile(b"internal"), save=True)
    refused = client.get("/media/" + hidden.file.name)
    assert refused.status_code == 404 and "X-Accel-Redirect" not in refused
    public.file.delete(save=False)
    hidden.file.delete(save=False)
