"""build_bulletin: one page per center and month, revisions on rebuild, PDF document, errors."""

import pytest
from django.core.management import CommandError, call_command
from wagtail.documents import get_document_model

from disclosures import bulletins
from disclosures.models import BulletinBuildFailure, BulletinPage

from .bulletin_helpers import empty_stats, fake_stats

pytestmark = pytest.mark.django_db


@pytest.fixture
def stats(monkeypatch):
    """Known statistics, so these tests pin the build logic, not the case aggregation."""
    calls = []

    def compute(center, period):
        calls.append((center.code if center else "all", period))
        return fake_stats(center.code if center else "all", period)

    monkeypatch.setattr(bulletins, "compute", compute)
    return calls


def test_parse_period_accepts_yyyy_mm_and_rejects_the_rest():
    assert bulletins.parse_period("2024-10").isoformat() == "2024-10-01"
    for bad in ("2024-13", "2026/10", "26-10", "", "2026-1", "abcd-ef", None):
        with pytest.raises(bulletins.BulletinError) as info:
            bulletins.parse_period(bad)
        assert "YYYY-MM" in str(info.value) or "不存在" in str(info.value)


def test_previous_period_crosses_the_year():
    import datetime

    assert bulletins.previous_period(datetime.date(2027, 1, 3)) == datetime.date(2026, 12, 1)
    assert bulletins.previous_period(datetime.date(2026, 11, 30)) == datetime.date(2026, 10, 1)


def test_build_creates_a_draft_page_with_frozen_figures_and_a_pdf(stats):
    page, revision = bulletins.build_bulletin("2024-10", "city", publish=False)
    assert page.center.code == "city"
    assert page.period.isoformat() == "2024-10-01"
    assert page.get_parent().specific.__class__.__name__ == "BulletinIndexPage"
    assert page.get_parent().url_path.endswith("/bulletins/")
    assert not page.live
    assert revision.pk == page.latest_revision_id
    frozen = revision.as_object()
    assert frozen.counts["completed_on_time"] == 499
    assert frozen.figures["on_time_rate"] == 76.77
    assert frozen.extra["complaints"] == 3
    assert frozen.pdf is not None and frozen.pdf.file.size > 10_000
    assert frozen.pdf.file.read(5) == b"%PDF-"


def test_rebuild_makes_a_new_revision_of_the_same_page_and_replaces_the_pdf(stats):
    Document = get_document_model()
    documents_before = Document.objects.count()
    page, first = bulletins.build_bulletin("2024-10", "city", publish=True)
    pdf_id = page.pdf_id
    page2, second = bulletins.build_bulletin("2024-10", "city", publish=True)
    assert page2.pk == page.pk
    assert second.pk != first.pk
    assert BulletinPage.objects.filter(center__code="city", period="2024-10-01").count() == 1
    assert page2.revisions.count() == 2
    assert page2.live and page2.live_revision_id == second.pk
    assert page2.pdf_id == pdf_id  # the same document, its file replaced
    assert Document.objects.count() == documents_before + 1


def test_draft_rebuild_of_a_live_bulletin_keeps_the_public_figures(stats, monkeypatch):
    page, _ = bulletins.build_bulletin("2024-10", "city", publish=True)
    monkeypatch.setattr(
        bulletins, "compute", lambda center, period: fake_stats("city", period, completed=700, on_time=600)
    )
    page2, draft = bulletins.build_bulletin("2024-10", "city", publish=False)
    page2.refresh_from_db()
    assert page2.counts["completed"] == 650  # what the public sees is unchanged
    assert page2.has_unpublished_changes
    assert draft.as_object().counts["completed"] == 700
    assert draft.as_object().pdf_id != page2.pdf_id  # the draft's PDF is a separate file
    draft.publish()
    page2.refresh_from_db()
    assert page2.counts["completed"] == 700


def test_city_bulletin_uses_all_and_null_center(stats):
    page, _ = bulletins.build_bulletin("2024-10", "all", publish=True)
    assert page.center is None
    assert page.slug == "all-2024-10"
    assert bulletins.page_data(page)["center"] == "all"


def test_build_month_without_center_builds_every_center_and_the_city(stats):
    results = bulletins.build_month("2024-09", publish=False)
    codes = sorted(code for code, _period in stats)
    assert codes == sorted([*bulletins.targets()])
    assert "all" in codes and "city" in codes and "dongcheng" in codes
    assert len(results) == BulletinPage.objects.filter(period="2024-09-01").count()


def test_publish_default_follows_bulletin_settings(stats):
    from wagtail.models import Site

    from disclosures.models import BulletinSettings

    settings_obj = BulletinSettings.for_site(Site.objects.get(is_default_site=True))
    settings_obj.publish_directly = True
    settings_obj.save()
    page, _ = bulletins.build_bulletin("2024-08", "dongcheng")
    assert page.live
    settings_obj.publish_directly = False
    settings_obj.save()
    page, _ = bulletins.build_bulletin("2024-07", "dongcheng")
    assert not page.live


def test_month_without_cases_gives_a_bulletin_that_says_so(monkeypatch, client):
    monkeypatch.setattr(bulletins, "compute", lambda center, period: empty_stats("city", period))
    page, _ = bulletins.build_bulletin("2024-06", "city", publish=True)
    assert page.figures["on_time_rate"] is None
    response = client.get(page.url)
    assert response.status_code == 200
    text = response.content.decode()
    assert "2024年6月没有办件记录" in text
    assert "—" in text


def test_successful_build_resolves_earlier_failures(stats):
    bulletins.record_failure("2024-10", "city", RuntimeError("boom"))
    assert BulletinBuildFailure.objects.filter(resolved=False).count() == 1
    bulletins.build_bulletin("2024-10", "city", publish=False)
    assert BulletinBuildFailure.objects.filter(resolved=False).count() == 0


def test_command_builds_and_rebuilds_the_same_page(stats):
    call_command("build_bulletin", "--period", "2024-10", "--center", "city", "--publish", verbosity=0)
    call_command("build_bulletin", "--period", "2024-10", "--center", "city", verbosity=0)
    page = BulletinPage.objects.get(center__code="city", period="2024-10-01")
    assert page.revisions.count() == 2


def test_command_rejects_bad_period_and_unknown_center_without_writing(stats):
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("build_bulletin", "--period", "2026-1", verbosity=0)
    with pytest.raises(CommandError, match="nowhere"):
        call_command("build_bulletin", "--period", "2024-10", "--center", "nowhere", verbosity=0)
    assert not BulletinPage.objects.filter(period="2024-10-01").exists()
    assert stats == []
