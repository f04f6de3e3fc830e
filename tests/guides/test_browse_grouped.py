"""Browse lists: one entry per item across centers, the visitor's chosen center first, the
other centers behind "其他中心也可办理"; the page cache keeps one copy per chosen center."""

import pytest

pytestmark = pytest.mark.django_db


def test_each_item_is_listed_once_with_the_other_centers(client):
    from guides.models import GuidePage

    response = client.get("/guides/")
    items = response.context["items"]
    titles = [(item.title, item.item_type) for item in items]
    assert len(titles) == len(set(titles))
    shared = next(item for item in items if item.other_copies)
    assert {copy.center.code for copy in shared.other_copies} | {shared.center.code} == set(
        GuidePage.objects.live().filter(title=shared.title).values_list("center__code", flat=True)
    )
    html = response.content.decode()
    assert "其他中心也可办理" in html and "/center/?next=" in html


def test_chosen_center_comes_first_and_is_cached_separately(client, settings):
    first = client.get("/guides/").context["items"][0]
    other = next(copy for copy in first.other_copies)
    client.cookies["gk_center"] = other.center.code
    chosen = client.get("/guides/").context["items"][0]
    assert chosen.title == first.title and chosen.center.code == other.center.code
    assert first.center.code in {copy.center.code for copy in chosen.other_copies}
    html = client.get("/guides/").content.decode()  # served from the page cache, still this center
    first_entry = html.split("result-list")[1].split("</li>")[0]
    assert other.center.name in first_entry.split("其他中心")[0]


def test_filtered_center_shows_its_copy_and_still_links_the_others(client):
    response = client.get("/guides/?center=dongcheng")
    items = response.context["items"]
    assert items and all(item.center.code == "dongcheng" for item in items)
    assert any(copy.center.code == "city" for item in items for copy in item.other_copies)
