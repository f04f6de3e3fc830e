"""The item route remembered after a visit (guides/item_page.py): the next visit of the same URL
is answered without a query, and every change that could make it wrong is seen at once."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    from guides.models import GuidePage

    return GuidePage.objects.live().filter(fees__isnull=False).order_by("pk").first()


def _visit_twice(client, url):
    first = client.get(url)
    assert first.status_code == 200
    return first


def test_second_visit_needs_no_query(client, item, django_assert_num_queries, settings):
    settings.PAGE_CACHE_SECONDS = 0  # the page cache off: this is the item's own render path
    first = _visit_twice(client, item.url)
    client.get(item.url)  # the first visit may have rendered; the second keeps the route
    with django_assert_num_queries(0):
        again = client.get(item.url)
    assert again.status_code == 200 and again.content == first.content


def test_a_publish_of_the_item_is_seen_at_once(client, item, settings, django_capture_on_commit_callbacks):
    settings.PAGE_CACHE_SECONDS = 0
    _visit_twice(client, item.url)
    client.get(item.url)
    item.title = item.title + "（已更新）"
    with django_capture_on_commit_callbacks(execute=True):
        item.save_revision().publish()
    assert "（已更新）" in client.get(item.url).content.decode()


def test_unpublishing_answers_404_at_once(client, item, settings):
    settings.PAGE_CACHE_SECONDS = 0
    _visit_twice(client, item.url)
    client.get(item.url)
    item.unpublish()
    assert client.get(item.url).status_code == 404


def test_a_renamed_folder_moves_the_item(client, item, settings, django_capture_on_commit_callbacks):
    settings.PAGE_CACHE_SECONDS = 0
    old_url = item.url
    _visit_twice(client, old_url)
    client.get(old_url)
    folder = item.get_parent().specific
    folder.slug = folder.slug + "-renamed"
    with django_capture_on_commit_callbacks(execute=True):
        folder.save_revision().publish()
    item.refresh_from_db()
    assert item.url != old_url
    moved = client.get(old_url)  # Wagtail's redirect from the old slug, not the remembered page
    assert moved.status_code in (301, 404)
    if moved.status_code == 301:
        assert moved["Location"] == item.url
    assert client.get(item.url).status_code == 200


def test_a_view_restriction_applies_at_once(client, item, settings):
    from wagtail.models import PageViewRestriction

    settings.PAGE_CACHE_SECONDS = 0
    _visit_twice(client, item.url)
    client.get(item.url)
    PageViewRestriction.objects.create(page=item, restriction_type=PageViewRestriction.PASSWORD, password="secret")
    response = client.get(item.url)
    assert response.status_code == 200 and item.title.encode() not in response.content.split(b"<main")[-1][:4000]
    assert b'name="password"' in response.content


def test_editors_are_routed_through_wagtail(admin_client, item, settings, django_assert_max_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    admin_client.get(item.url)
    admin_client.get(item.url)
    response = admin_client.get(item.url)
    assert response.status_code == 200
    assert response.get("X-Page-Cache") is None


def test_remembered_visits_still_count_views(client, item, settings):
    from guides import viewcounts

    settings.PAGE_CACHE_SECONDS = 0
    counted = []
    original = viewcounts.count_view
    from portal import pagecache

    pagecache.register_serve_hook(viewcounts.SERVE_EVENT, lambda request, pk: counted.append(pk))
    try:
        for _ in range(3):
            client.get(item.url, HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14) Mobile")
    finally:
        pagecache.register_serve_hook(viewcounts.SERVE_EVENT, original)
    assert counted == [item.pk] * 3
