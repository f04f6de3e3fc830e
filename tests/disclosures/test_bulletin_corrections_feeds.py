"""Corrections of published bulletins (new version, public change note, old version kept, feed
entry) and the feeds: per center, ordered by period; notices per center; item changes."""

import csv
import datetime
import io
import xml.etree.ElementTree as ET

import pytest

from disclosures import bulletins, statistics
from disclosures.models import BulletinPage, Case

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def period():
    return bulletins.previous_period()


def _entries(response):
    assert response.status_code == 200
    return ET.fromstring(response.content).findall(f"{ATOM}entry")


def _late_cases(center_code, period, n):
    """A corrected import: n cases of the month turn out to have been completed late."""
    start, end = statistics.month_bounds(period)
    ids = list(
        Case.objects.filter(
            center__code=center_code,
            completed_at__gte=start,
            completed_at__lt=end,
            completed_on_time=True,
            status=Case.STATUS_COMPLETED,
        ).values_list("pk", flat=True)[:n]
    )
    assert len(ids) == n
    Case.objects.filter(pk__in=ids).update(completed_on_time=False)


def test_rebuild_with_changed_figures_publishes_a_correction(client, period):
    page = BulletinPage.objects.live().get(center__code="dongcheng", period=period)
    month = bulletins.format_period(period)
    old = client.get(f"/api/bulletins/dongcheng/{month}/").json()
    # A rebuild with the same data is not a correction (its PDF is re-rendered in place).
    bulletins.build_bulletin(period, "dongcheng", publish=True)
    assert client.get(f"/api/bulletins/dongcheng/{month}/").json().get("version") == 1
    old_pdf = b"".join(client.get(f"/api/bulletins/dongcheng/{month}.pdf").streaming_content)

    _late_cases("dongcheng", period, 3)
    bulletins.build_bulletin(period, "dongcheng", publish=True)
    new = client.get(f"/api/bulletins/dongcheng/{month}/").json()
    assert new["version"] == 2
    assert new["counts"]["completed_on_time"] == old["counts"]["completed_on_time"] - 3
    note = new["corrections"][-1]
    assert note["version"] == 2 and note["previous_version"] == 1
    on_time = next(c for c in note["changes"] if c["metric"] == "on_time_rate" and "·" not in c["subject"])
    old_rate = bulletins.tables.format_rate(old["figures"]["on_time_rate"])
    assert on_time["old"].startswith(old_rate) and on_time["new"].startswith(
        bulletins.tables.format_rate(new["figures"]["on_time_rate"])
    )

    # The old version stays downloadable, with its own figures and its own PDF.
    v1 = client.get(f"/api/bulletins/dongcheng/{month}/v1.json").json()
    assert v1["counts"] == old["counts"]
    rows = list(
        csv.DictReader(io.StringIO(client.get(f"/api/bulletins/dongcheng/{month}/v1.csv").content.decode("utf-8-sig")))
    )
    first = next(r for r in rows if r["metric"] == "on_time_rate" and not r["department_code"])
    assert int(first["numerator"]) == old["counts"]["completed_on_time"]
    v1_pdf = b"".join(client.get(f"/api/bulletins/dongcheng/{month}/v1.pdf").streaming_content)
    assert v1_pdf == old_pdf
    current_pdf = b"".join(client.get(f"/api/bulletins/dongcheng/{month}.pdf").streaming_content)
    assert current_pdf.startswith(b"%PDF-") and current_pdf != old_pdf
    assert client.get(f"/api/bulletins/dongcheng/{month}/v2.json").json()["version"] == 2
    assert client.get(f"/api/bulletins/dongcheng/{month}/v3.json").status_code == 404

    # The page shows the change note and links the old version; the feed announces it.
    html = client.get(page.url).content.decode()
    assert "第2版" in html and "更正内容" in html and f"/api/bulletins/dongcheng/{month}/v1.pdf" in html
    assert f"{old_rate}" in html
    titles = [e.find(f"{ATOM}title").text for e in _entries(client.get("/feeds/bulletins/?center=dongcheng"))]
    assert titles[0].startswith("【更正】") and "第2版" in titles[0]


def test_bulletin_feed_honours_center_and_orders_by_period(client, period):
    earlier = statistics.add_months(period, -1)
    bulletins.build_bulletin(earlier, "dongcheng", publish=True)  # published after last month's
    entries = _entries(client.get("/feeds/bulletins/?center=dongcheng"))
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert titles == [
        bulletins.bulletin_title("东城区政务服务中心", period),
        bulletins.bulletin_title("东城区政务服务中心", earlier),
    ]
    everything = [e.find(f"{ATOM}title").text for e in _entries(client.get("/feeds/bulletins/"))]
    assert everything.index(titles[1]) == len(everything) - 1  # newest period first, not newest build
    city_only = _entries(client.get("/feeds/bulletins/?center=all"))
    assert [e.find(f"{ATOM}title").text for e in city_only] == [bulletins.bulletin_title("全市", period)]
    assert client.get("/feeds/bulletins/?center=nowhere").status_code == 404


def test_notice_feed_per_center(client):
    from portal.models import NoticeIndexPage, NoticePage

    for code, title in (("city", "市本级的通知"), ("dongcheng", "东城区的通知")):
        index = NoticeIndexPage.objects.get(center__code=code)
        notice = NoticePage(title=title, slug=f"feed-{code}", category="notice", date=datetime.date.today())
        index.add_child(instance=notice)
        notice.save_revision().publish()
    titles = [e.find(f"{ATOM}title").text for e in _entries(client.get("/feeds/notices/?center=dongcheng"))]
    assert any("东城区的通知" in t for t in titles) and not any("市本级的通知" in t for t in titles)
    assert client.get("/feeds/notices/?center=nowhere").status_code == 404


def test_item_changes_feed_lists_time_limit_and_fee_changes_per_center(client):
    from guides.models import FeeItem, GuidePage

    item = GuidePage.objects.live().filter(center__code="dongcheng", promised_days__gt=1).first()
    assert item is not None
    other = GuidePage.objects.live().filter(center__code="city", promised_days__gt=1).first()
    for page in (item, other):
        page = page.specific
        page.save_revision().publish()  # a first logged publication
        page.promised_days -= 1
        page.save_revision().publish()
    fee = FeeItem.objects.filter(department__center__code="dongcheng", amount__isnull=False).first()
    if fee is not None:
        FeeItem.objects.create(
            code=fee.code,
            name=fee.name,
            department=fee.department,
            amount=fee.amount + 5,
            unit=fee.unit,
            effective_from=fee.effective_from + datetime.timedelta(days=400),
        )
    entries = _entries(client.get("/feeds/changes/?center=dongcheng"))
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert any(item.title in t and "承诺办结时限" in t for t in titles)
    authors = {e.find(f"{ATOM}author/{ATOM}name").text for e in entries}
    assert authors == {"东城区政务服务中心"}  # the city's change is in the city's feed only
    city = _entries(client.get("/feeds/changes/?center=city"))
    assert any(other.title in e.find(f"{ATOM}title").text for e in city)
    if fee is not None:
        assert any(fee.name in t and "→" in t for t in titles)
    assert client.get("/feeds/changes/?center=nowhere").status_code == 404
