"""The item page's presentation stored at publish time (guides/stored_presentation.py): what is
stored, when it is used, and that a visit never sees it once it is stale."""

import datetime

import pytest

from tests.guides.helpers import cold_cache

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    from guides.models import GuidePage

    return GuidePage.objects.live().filter(charges=True, fees__isnull=False).order_by("pk").first()


def _rows(item):
    from guides.stored_presentation import ItemPresentation

    return {row.language: row for row in ItemPresentation.objects.filter(page=item)}


def _mark_stored(item, text):
    """Put `text` into the stored body, so a page showing it was served from the stored row."""
    from guides.stored_presentation import MARKER, ItemPresentation

    row = ItemPresentation.objects.get(page=item, language="zh-hans")
    before, _marker, after = row.body.partition(MARKER)
    ItemPresentation.objects.filter(pk=row.pk).update(body=f"{before}<p>{text}</p>{MARKER}{after}")


def test_publishing_stores_every_language(item, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        revision = item.save_revision()
        revision.publish()
    item.refresh_from_db()
    rows = _rows(item)
    assert set(rows) == {"zh-hans", "en"}
    assert {row.revision_id for row in rows.values()} == {item.live_revision_id}
    assert item.title in rows["zh-hans"].body and "八公开完整度" in rows["zh-hans"].body
    assert "Completeness" in rows["en"].body or "8/8" in rows["en"].body
    assert '"@type":"GovernmentService"' in rows["zh-hans"].head
    assert rows["zh-hans"].breadcrumbs[-1]["title"] == item.title
    assert rows["zh-hans"].fees_day == datetime.date.today()  # an item with fees: fees in force by day


def test_cold_cache_visit_uses_the_stored_row(client, item, django_assert_max_num_queries):
    from guides import stored_presentation

    stored_presentation.build([item])
    _mark_stored(item, "来自已存呈现")
    cold_cache()
    with django_assert_max_num_queries(10):
        response = client.get(item.url)
    html = response.content.decode()
    assert response.status_code == 200 and "来自已存呈现" in html
    assert html.count('id="faq"') == 1 or "常见问题" in html  # the live parts sit between the halves


def test_new_revision_is_shown_not_the_stored_one(client, item):
    from guides import stored_presentation

    stored_presentation.build([item])
    _mark_stored(item, "旧的呈现")
    item.title = item.title + "（新版）"
    item.save_revision().publish()  # no commit in the test: the row is stale, not rebuilt
    html = client.get(item.url).content.decode()
    assert "旧的呈现" not in html and "（新版）" in html
    item.refresh_from_db()
    assert _rows(item)["zh-hans"].revision_id != item.live_revision_id  # a visit never writes
    assert stored_presentation.refresh_stale() >= 2  # the schedule stores it (and every other item)
    assert _rows(item)["zh-hans"].revision_id == item.live_revision_id


def test_shared_data_change_is_shown_at_once(client, item):
    from guides import stored_presentation

    stored_presentation.build([item])
    _mark_stored(item, "旧的呈现")
    department = item.department
    department.name = "更名后的部门"
    department.save()  # bumps the DATA generation (portal.pagecache.watch)
    html = client.get(item.url).content.decode()
    assert "旧的呈现" not in html and "更名后的部门" in html


def test_fees_are_worked_out_again_the_next_day(client, item):
    from guides import stored_presentation
    from guides.stored_presentation import ItemPresentation

    stored_presentation.build([item])
    _mark_stored(item, "昨天的呈现")
    ItemPresentation.objects.filter(page=item).update(fees_day=datetime.date.today() - datetime.timedelta(days=1))
    html = client.get(item.url).content.decode()
    assert "昨天的呈现" not in html


def test_feedback_parts_stay_live(client, item):
    """A published 常见问题 shows at once, without a publish of the item: the feedback box is
    rendered per visit around the stored body (and its bump drops the kept answer)."""
    from django.utils import timezone

    from disclosures.models import Feedback
    from guides import stored_presentation
    from guides.pagecache import bump_version

    stored_presentation.build([item])
    assert "停车要收费吗" not in client.get(item.url).content.decode()
    Feedback.objects.create(
        receipt_no="ZX-TEST-0001",
        kind=Feedback.CONSULT,
        status=Feedback.ANSWERED,
        center=item.center,
        department=item.department,
        item=item,
        content="停车要收费吗？",
        content_hash="test-stored-presentation",
        due_date=timezone.localdate(),
        answer="中心停车场免费。",
        answered_at=timezone.now(),
        faq_question="停车要收费吗？",
        faq_published=True,
    )
    bump_version()  # as disclosures.feedback.service.publish_faq
    html = client.get(item.url).content.decode()
    assert "停车要收费吗" in html and "中心停车场免费" in html


def test_preview_is_never_stored(admin_client, item):
    from guides.stored_presentation import ItemPresentation

    ItemPresentation.objects.filter(page=item).delete()
    response = admin_client.get(f"/admin/pages/{item.pk}/edit/preview/")
    assert response.status_code in (200, 405)
    assert not ItemPresentation.objects.filter(page=item).exists()


def test_refresh_stale_renders_only_what_is_stale(item):
    from guides import stored_presentation
    from guides.models import GuidePage
    from guides.stored_presentation import ItemPresentation

    live = GuidePage.objects.live().count()
    written = stored_presentation.refresh_stale()
    assert written == 2 * live
    assert stored_presentation.refresh_stale() == 0
    ItemPresentation.objects.filter(page=item, language="en").update(revision_id=0)
    assert stored_presentation.refresh_stale() == 2  # the item, in both languages


def test_build_presentations_command(item, capsys):
    from django.core.management import call_command

    call_command("build_presentations")
    out = capsys.readouterr().out
    assert "个事项页面呈现" in out


def test_schedule_renders_what_a_data_change_made_stale(item):
    """The `item-presentations` schedule (django-q2, created by ensure_schedules after migrate)
    re-renders the rows a shared-data change made stale, with the new data."""
    from django.utils.module_loading import import_string
    from django_q.models import Schedule

    from core import schedules
    from guides import stored_presentation
    from guides.stored_presentation import ItemPresentation

    spec = schedules.registered()[stored_presentation.SCHEDULE]
    assert spec["func"] == stored_presentation.FUNC and spec["minutes"] == stored_presentation.SCHEDULE_MINUTES
    schedules.ensure_schedules()
    assert Schedule.objects.filter(name=stored_presentation.SCHEDULE, func=stored_presentation.FUNC).exists()
    stored_presentation.refresh_stale()
    department = item.department
    department.name = "新部门名称"
    department.save()
    written = import_string(spec["func"])()
    assert written >= 2
    row = ItemPresentation.objects.get(page=item, language="zh-hans")
    assert "新部门名称" in row.body


def test_a_rolled_back_publish_is_not_carried_into_the_next(item, django_capture_on_commit_callbacks):
    """Ids of publishes whose transaction rolled back are dropped: the next transaction renders
    its own item at once instead of a batch swollen past INLINE_BATCH (sent to the queue)."""
    from django.db import transaction

    from guides import stored_presentation
    from guides.models import GuidePage
    from guides.stored_presentation import ItemPresentation

    others = list(GuidePage.objects.live().exclude(pk=item.pk).order_by("pk")[: stored_presentation.INLINE_BATCH + 2])
    with pytest.raises(RuntimeError), transaction.atomic():
        for other in others:
            stored_presentation.published(instance=other)
        raise RuntimeError("rolled back")
    ItemPresentation.objects.filter(page=item).delete()
    with django_capture_on_commit_callbacks(execute=True):
        stored_presentation.published(instance=item)
    assert set(_rows(item)) == {"zh-hans", "en"}


def test_a_release_that_changes_the_templates_renders_again(client, item, monkeypatch):
    """A row rendered by other templates or translations (an older release) is not used."""
    from guides import stored_presentation

    stored_presentation.build([item])
    _mark_stored(item, "旧版本的呈现")
    cold_cache()
    assert "旧版本的呈现" in client.get(item.url).content.decode()  # the same release: the row is used
    monkeypatch.setattr(stored_presentation, "code_fingerprint", lambda: "another-release")
    cold_cache()
    assert "旧版本的呈现" not in client.get(item.url).content.decode()
