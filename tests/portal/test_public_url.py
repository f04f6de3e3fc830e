"""One public base URL (WAGTAILADMIN_BASE_URL) for every absolute link: init_site and seed_demo
write it into the default site, and permalinks, feeds, the bulletin citation and the PDF cover
(both from bulletins.permalink) follow it."""

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings
from wagtail.models import Site

from portal import public_url

pytestmark = pytest.mark.django_db


def test_site_address_from_the_base_url():
    assert public_url.site_address("https://zwfw.example.gov.cn") == ("zwfw.example.gov.cn", 443)
    assert public_url.site_address("http://127.0.0.1:8765/") == ("127.0.0.1", 8765)
    assert public_url.site_address("http://gov.example") == ("gov.example", 80)
    with pytest.raises(ImproperlyConfigured):
        public_url.site_address("zwfw.example.gov.cn")


@override_settings(WAGTAILADMIN_BASE_URL="https://zwfw.example.gov.cn")
def test_links_in_feeds_permalinks_and_bulletins_use_the_configured_host(client):
    from disclosures import bulletins
    from guides.models import GuidePage
    from portal.models import NoticePage

    call_command("init_site", stdout=io.StringIO())
    site = Site.objects.get(is_default_site=True)
    assert site.root_url == "https://zwfw.example.gov.cn"

    item = GuidePage.objects.live().first()
    assert item.full_url.startswith("https://zwfw.example.gov.cn/guides/")

    notice = NoticePage.objects.live().first()
    feed = client.get("/feeds/notices/").content.decode()
    assert f"https://zwfw.example.gov.cn{notice.url_path[len(site.root_page.url_path) - 1 :]}" in feed
    assert "http://localhost" not in feed

    index = bulletins.bulletin_index()
    assert bulletins.permalink(index, "all-2026-03").startswith("https://zwfw.example.gov.cn/")


@override_settings(WAGTAILADMIN_BASE_URL="http://127.0.0.1:8765")
def test_seed_demo_follows_the_port_make_run_serves_on():
    from guides.models import GuidePage
    from portal import demo

    demo.seed()
    assert Site.objects.get(is_default_site=True).root_url == "http://127.0.0.1:8765"
    assert GuidePage.objects.live().first().full_url.startswith("http://127.0.0.1:8765/")


@override_settings(WAGTAILADMIN_BASE_URL="http://127.0.0.1:8000")
def test_init_site_hostname_and_port_still_override():
    call_command("init_site", "--hostname", "gov.example", "--port", "8443", stdout=io.StringIO())
    assert Site.objects.get(is_default_site=True).root_url == "http://gov.example:8443"
