"""Backup and restore through the portable files (docs/operations.md, "Portable export and restore").

From the seeded demo site: export the organisation, the reference data (themes, holidays), the
catalog and the cases; empty the database; restore in the documented order; and check that the
catalog (every item's API JSON, the catalog export) and the bulletin figures
(`statistics.compute` for several centers and months, a rebuilt bulletin's frozen figures) are
the same as before.
"""

import io
import json
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_q.models import Schedule
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Collection, Locale, Page, Site

from disclosures import bulletins, statistics
from disclosures.models import BulletinPage, Case, Holiday
from guides.models import FeeItem, GuidePage, Material, Theme
from portal.models import Department, HomePage, ServiceCenter
from search.models import SynonymGroup

pytestmark = pytest.mark.django_db(transaction=True)

CASE_FIELDS = (
    "case_no",
    "center__code",
    "item__center__code",
    "item__item_code",
    "item_code",
    "department__center__code",
    "department__code",
    "channel",
    "received_at",
    "completed_at",
    "status",
    "promised_days",
    "due_date",
    "completed_on_time",
    "completed_same_day",
    "satisfaction",
    "complaint",
)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def org_state():
    centers = sorted(
        ServiceCenter.objects.values_list(
            "code", "name", "level", "parent__code", "address", "hours", "phone", "sort_order"
        )
    )
    departments = sorted(Department.objects.values_list("center__code", "code", "name"))
    return centers, departments


def item_json(client):
    """Every live item's API JSON (by center and code); the URLs and paths must match as well."""
    items = {}
    for center, code in GuidePage.objects.live().values_list("center__code", "item_code"):
        response = client.get(f"/api/items/{center}/{code}/")
        assert response.status_code == 200, (center, code, response.content[:200])
        items[(center, code)] = response.json()
    return items


def figures(periods, centers):
    return {(center, period): statistics.compute(center, period) for center in centers for period in periods}


def frozen(page):
    return {
        "title": page.title,
        "url_path": page.url_path,
        "counts": page.counts,
        "figures": page.figures,
        "ranking": page.ranking,
        "departments": page.departments,
        "trend": page.trend,
        "extra": page.extra,
    }


def seed_subset(last):
    """The parts of `seed_demo --small` this test needs, idempotently.

    Transactional tests run last: the database is the session's seeded demo site, or empty when
    an earlier transactional test flushed it. Either way this leaves the same data: two centers'
    items with their fees and themes, the holidays, the search synonyms, a year of cases and last
    month's city bulletin.
    """
    from disclosures import demo as disclosures_demo
    from disclosures import workdays
    from guides import demo as guides_demo
    from portal import demo as portal_demo
    from search.demo import DEMO_SYNONYMS

    portal_demo.seed()
    guides_demo.seed(small=True)
    for terms in DEMO_SYNONYMS:
        group = SynonymGroup(terms=terms, note="演示数据")
        group.clean()
        SynonymGroup.objects.get_or_create(terms=group.terms, defaults={"note": group.note})
    workdays.seed_official_holidays()
    disclosures_demo.seed_cases(small=True)
    if not BulletinPage.objects.filter(center__code="city", period=last).exists():
        bulletins.build_bulletin(last, "city", publish=True)


def test_portable_export_restores_the_same_catalog_and_bulletin_figures(tmp_path, client):
    last = bulletins.previous_period()
    seed_subset(last)
    periods = [f"{statistics.add_months(last, offset):%Y-%m}" for offset in (-14, -11, -6, -1, 0, 1)]
    centers = ["all", "city", "dongcheng", "xicheng"]
    assert Case.objects.filter(center__code="dongcheng").exists()

    before_org = org_state()
    before_items = item_json(client)
    before_figures = figures(periods, centers)
    before_cases = list(Case.objects.order_by("case_no").values_list(*CASE_FIELDS))
    before_bulletin = frozen(BulletinPage.objects.get(center__code="city", period=last))
    before_themes = sorted(Theme.objects.values_list("slug", "name", "audience", "sort_order"))
    before_holidays = sorted(Holiday.objects.values_list("date", "name", "is_workday"))
    before_synonyms = sorted(SynonymGroup.objects.values_list("terms", "note"))
    before_fees = sorted(FeeItem.objects.values_list("department__center__code", "code", "effective_from", "amount"))
    assert len(before_items) > 100 and len(before_cases) > 1000 and before_synonyms
    before_forms = sorted(
        Material.objects.filter(blank_form__isnull=False).values_list("page__slug", "name", "blank_form__file")
    )
    assert before_forms, "the demo links blank forms to application materials"
    assert before_figures[("all", periods[3])]["counts"]["completed"] > 0

    # Back up: the commands of docs/operations.md.
    org, reference = tmp_path / "org.csv", tmp_path / "reference.json"
    catalog = {fmt: tmp_path / f"catalog.{fmt}" for fmt in ("json", "csv", "xlsx")}
    cases, cases_xlsx = tmp_path / "cases.csv", tmp_path / "cases.xlsx"
    run("export_org", "-o", str(org))
    run(
        "dumpdata",
        "guides.theme",
        "disclosures.holiday",
        "search.synonymgroup",
        "wagtailcore.collection",
        "wagtaildocs.document",
        "--indent",
        "1",
        "-o",
        str(reference),
    )
    for path in catalog.values():
        run("export_catalog", "-o", str(path))
    assert f"已导出 {len(before_cases)} 条办件" in run("export_cases", str(cases))
    run("export_cases", str(cases_xlsx))

    # An empty database. `flush` empties every table; put back what `migrate` leaves in a new
    # database (Wagtail's initial data: the locale, the page tree root, a welcome page as the
    # default site's root, the root collection). The schedules come back with flush's post_migrate.
    call_command("flush", interactive=False, verbosity=0)
    assert not GuidePage.objects.exists() and not ServiceCenter.objects.exists() and not Case.objects.exists()
    Locale.objects.create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    root = Page.add_root(instance=Page(title="Root", slug="root", live=True))
    welcome = root.add_child(instance=Page(title="Welcome to your new Wagtail site!", slug="home"))
    Site.objects.create(hostname="localhost", port=80, root_page=welcome, is_default_site=True)
    Collection.add_root(name="Root")
    assert Schedule.objects.exists() and not HomePage.objects.exists()

    # Restore, in the order of docs/operations.md.
    assert "已创建首页" in run("init_site", "--name", "临江市政务服务中心")
    assert not Page.objects.filter(pk=welcome.pk).exists()
    assert "新增" in run("import_org", str(org))
    run("loaddata", str(reference))
    result = run("import_catalog", str(catalog["json"]))
    assert f"新增 {len(before_items)}" in result, result
    result = run("import_cases", str(cases))
    assert f"新增 {len(before_cases)} 条" in result, result
    run("build_bulletin", "--period", f"{last:%Y-%m}", "--center", "city", "--publish")
    run("search_index", "rebuild")

    assert org_state() == before_org
    assert sorted(Theme.objects.values_list("slug", "name", "audience", "sort_order")) == before_themes
    assert sorted(Holiday.objects.values_list("date", "name", "is_workday")) == before_holidays
    assert sorted(SynonymGroup.objects.values_list("terms", "note")) == before_synonyms
    assert (
        sorted(FeeItem.objects.values_list("department__center__code", "code", "effective_from", "amount"))
        == before_fees
    )

    after_items = item_json(client)
    after_forms = sorted(
        Material.objects.filter(blank_form__isnull=False).values_list("page__slug", "name", "blank_form__file")
    )
    assert after_forms == before_forms
    assert after_items.keys() == before_items.keys()
    for key, before in before_items.items():
        assert after_items[key] == before, key

    assert list(Case.objects.order_by("case_no").values_list(*CASE_FIELDS)) == before_cases
    after_figures = figures(periods, centers)
    for key, before in before_figures.items():
        assert after_figures[key] == before, key
    assert frozen(BulletinPage.objects.get(center__code="city", period=last)) == before_bulletin

    # The other lossless catalog formats and the case XLSX match the restored data exactly:
    # importing them changes nothing, and exporting again gives the same files.
    for fmt in ("csv", "xlsx"):
        result = run("import_catalog", str(catalog[fmt]))
        assert f"新增 0，更新 0，未变 {len(before_items)}" in result, (fmt, result)
    assert f"新增 0 条，更新 {len(before_cases)} 条" in run("import_cases", str(cases_xlsx))
    again = tmp_path / "again"
    again.mkdir()
    run("export_catalog", "-o", str(again / "catalog.json"))
    assert json.loads((again / "catalog.json").read_bytes()) == json.loads(catalog["json"].read_bytes())
    run("export_cases", str(again / "cases.csv"))
    assert (again / "cases.csv").read_bytes() == cases.read_bytes()
    run("export_org", "-o", str(again / "org.csv"))
    assert (again / "org.csv").read_bytes() == org.read_bytes()

    # The rebuilt search index finds a restored item, and the site answers.
    name, url = next(iter((item["name"], item["url"]) for item in after_items.values()))
    found = client.get("/api/search/", {"q": name}).json()
    assert urlsplit(url).path in [urlsplit(hit["url"]).path for hit in found["results"]], (name, found["results"][:3])
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 200
    connection.close()
