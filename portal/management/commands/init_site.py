"""`manage.py init_site [--name NAME] [--hostname HOST] [--port N]`: the home page as the site root.

A new (or restored) database has, after `migrate`, only Wagtail's placeholder welcome page. The
catalog import puts the item pages under the home page (/guides/), so create it first: this
command adds the home page (首页) under the tree root, removes the placeholder page, points the
default site at the home page and at the public base URL (WAGTAILADMIN_BASE_URL, unless
--hostname/--port are given) and, with --name, sets the site name and the center name shown
in the footer. It also loads the search app's default everyday-language lexicon
(`search_lexicon load`). Idempotent; demo content is never added (that is `seed_demo`).
"""

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Collection, Locale, Page, Site

from portal import public_url
from portal.models import HomePage, PortalSettings


class Command(BaseCommand):
    help = "Create the home page and make it the default site's root (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--name", help="Site name and center name (门户设置 › 中心名称), e.g. 临江市政务服务中心")
        parser.add_argument(
            "--hostname", default=None, help="Default site host name (default: from WAGTAILADMIN_BASE_URL)"
        )
        parser.add_argument(
            "--port", type=int, default=None, help="Default site port (default: from WAGTAILADMIN_BASE_URL)"
        )

    @transaction.atomic
    def handle(self, *args, **options):
        Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
        if Collection.get_first_root_node() is None:  # migrate creates it; a flushed database has none
            Collection.add_root(name="Root")
        root = Page.get_first_root_node()
        if root is None:  # likewise the page tree's root
            root = Page.add_root(instance=Page(title="Root", slug="root", live=True))
        home = HomePage.objects.first()
        created = home is None
        if created:
            for page in root.get_children():
                if page.specific_class is Page:  # Wagtail's "Welcome to your new Wagtail site!"
                    page.delete()
            home = root.add_child(instance=HomePage(title="首页", slug="home"))
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            site = Site(is_default_site=True)
        site.root_page = home
        # Absolute links (permalinks, feeds, bulletins) follow the one public base URL setting.
        public_url.apply_to_site(site, options["hostname"], options["port"])
        if options["name"]:
            site.site_name = options["name"]
        site.save()
        if options["name"]:
            portal_settings = PortalSettings.for_site(site)
            portal_settings.center_name = options["name"]
            portal_settings.save()
        state = "已创建首页" if created else "首页已存在"
        self.stdout.write(self.style.SUCCESS(f"{state}（{home.url_path}），默认站点：{site.hostname}:{site.port}"))
        if apps.is_installed("search"):  # by command name: portal does not import the search app
            call_command("search_lexicon", "load", stdout=self.stdout)
