"""热门事项: item views counted without a write per request (cache buckets, bots and editors
skipped, cached pages counted), flushed exactly once into ItemViewDay; the ranking (with the
search counts, search/popular.py) on the home page and a center's page within their query
budgets; the 常办事项 fallback and silence when there is nothing to show."""

import datetime
import time

import pytest
from django.core.cache import caches
from django.utils import timezone

from core import schedules
from guides import viewcounts
from guides.models import GuidePage
from guides.popularity import ItemPopularity, ItemViewDay
from portal import pagecache
from search import popular
from search.models import QueryStat

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile"
LATER = 3 * viewcounts.BUCKET_SECONDS  # far enough ahead that the current bucket is closed


@pytest.fixture(autouse=True)
def empty_counters():
    """Drain what earlier tests left in the buffer. Never cache.clear(): on Redis that is a
    FLUSHDB, which would also wipe the keys of parallel test workers and other runs."""
    viewcounts.flush(now=time.time() + LATER)
    caches["counters"].delete(f"{viewcounts.PREFIX}:flush-lock")
    # The drain wrote earlier tests' views (e.g. a browser test's, left in Redis) into this test's
    # database: start from none.
    ItemViewDay.objects.all().delete()
    ItemPopularity.objects.all().delete()
    QueryStat.objects.all().delete()  # and no searches a transactional test may have left
    yield
    viewcounts.flush(now=time.time() + LATER)


def items(center="city", count=3):
    return list(GuidePage.objects.live().filter(center__code=center).order_by("pk")[:count])


def view(client, item, times=1, agent=BROWSER):
    for _ in range(times):
        assert client.get(item.url, HTTP_USER_AGENT=agent).status_code == 200


def flush():
    return viewcounts.flush(now=time.time() + LATER)


def test_views_are_buffered_not_written_per_request_and_flushed_once(client):
    item = items()[0]
    view(client, item, 3)
    assert not ItemViewDay.objects.exists()  # the request wrote nothing to the database
    assert viewcounts.flush() == 0  # the current bucket is still open
    assert flush() == 3
    assert ItemViewDay.objects.get(page=item, day=timezone.localdate()).views == 3
    assert flush() == 0  # a flushed bucket is gone: never counted twice
    view(client, item, 2)
    assert flush() == 2
    assert ItemViewDay.objects.get(page=item).views == 5


@pytest.mark.parametrize(
    "agent",
    [
        "",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; Baiduspider/2.0)",
        "curl/8.5.0",
        "python-requests/2.32",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0",
    ],
)
def test_robots_are_not_counted(client, agent):
    view(client, items()[0], 2, agent=agent)
    assert flush() == 0


def test_editors_and_head_requests_are_not_counted(client, django_user_model):
    from .helpers import sign_in

    item = items()[0]
    client.head(item.url, HTTP_USER_AGENT=BROWSER)
    sign_in(client, django_user_model.objects.create_superuser("views-editor", "v@example.com", "pw-Views-123"))
    view(client, item)
    assert flush() == 0


def test_cached_pages_are_counted_too(client, settings):
    settings.PAGE_CACHE_SECONDS = 60
    item = items()[0]
    first = client.get(item.url, HTTP_USER_AGENT=BROWSER)
    second = client.get(item.url, HTTP_USER_AGENT=BROWSER)
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert flush() == 2


def test_a_cache_outage_never_breaks_the_page(client, settings):
    settings.CACHES = {
        **settings.CACHES,
        "counters": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    view(client, items()[0])  # DummyCache.incr raises ValueError: logged, page still 200


def test_ranking_combines_views_and_searches_and_is_shown_on_home_and_center_pages(
    client, django_assert_max_num_queries
):
    viewed, searched, quiet = items("city")
    view(client, viewed, 4)
    flush()
    today = timezone.localdate()
    QueryStat.objects.create(week=today - datetime.timedelta(days=today.weekday()), query=searched.title, searches=5)
    assert popular.rebuild() >= 2
    ranking = {row.page_id: row for row in ItemPopularity.objects.all()}
    assert ranking[viewed.pk].views == 4 and ranking[viewed.pk].score == 4
    assert ranking[searched.pk].searches > 0 and ranking[searched.pk].score > ranking[viewed.pk].score
    assert quiet.pk not in ranking or ranking[quiet.pk].score < ranking[viewed.pk].score

    with django_assert_max_num_queries(16):
        html = client.get("/").content.decode()
    panel = html.split('id="panel-popular-title"')[1].split("</section>")[0]
    assert "热门事项" in panel and "近 30 天浏览和搜索最多" in panel
    assert panel.index(searched.title) < panel.index(viewed.title)
    assert "浏览 4 次" in panel
    assert "最近更新的办事指南" not in html

    with django_assert_max_num_queries(20):  # the browse budget of test_pages.py
        html = client.get("/guides/?center=city").content.decode()
    section = html.split('id="popular-center-title"')[1].split("</section>")[0]
    assert "本中心热门事项" in html and searched.title in section and viewed.title in section
    # A search names an item, not a center: the same item elsewhere counts it too, views do not.
    other = client.get("/guides/?center=dongcheng").content.decode()
    section = other.split('id="popular-center-title"')[1].split("</section>")[0]
    assert searched.title in section and "浏览 4 次" not in section and viewed.title not in section
    assert client.get("/guides/?center=nosuch").status_code in (200, 400)


def test_views_older_than_thirty_days_do_not_count(client):
    item = items()[0]
    ItemViewDay.objects.create(page=item, day=timezone.localdate() - datetime.timedelta(days=31), views=50)
    ItemViewDay.objects.create(page=item, day=timezone.localdate() - datetime.timedelta(days=29), views=2)
    popular.rebuild()
    assert ItemPopularity.objects.get(page=item).views == 2


def test_unpublished_items_leave_the_list(client):
    item = items()[0]
    ItemViewDay.objects.create(page=item, day=timezone.localdate(), views=9)
    popular.rebuild()
    item.unpublish()
    html = client.get("/").content.decode()
    assert "热门事项" not in html


def test_without_data_the_curated_items_show_and_otherwise_nothing(client):
    html = client.get("/").content.decode()
    assert "热门事项" not in html and "常办事项" not in html and "最近更新的办事指南" not in html
    featured = items()[1]
    GuidePage.objects.filter(pk=featured.pk).update(featured=True)
    pagecache.bump_now()  # an editor's publish does this; update() sends no signal
    html = client.get("/").content.decode()
    panel = html.split('id="panel-popular-title"')[1].split("</section>")[0]
    assert "常办事项" in panel and featured.title in panel and "浏览" not in panel
    center = client.get("/guides/?center=city").content.decode()
    assert "本中心常办事项" in center


def test_schedule_is_registered_and_refresh_flushes_then_ranks():
    spec = schedules.registered()[popular.SCHEDULE]
    assert spec["func"] == "search.popular.refresh" and spec["minutes"] == popular.POPULAR_MINUTES
    item = items()[0]
    viewcounts.record(item.pk, now=time.time() - LATER)  # a closed bucket
    result = popular.refresh()
    assert result == {"views_flushed": 1, "items_ranked": 1}
    assert ItemPopularity.objects.get().page_id == item.pk
