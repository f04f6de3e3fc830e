"""Keeping content fresh: the dashboard panel and the weekly digest, each limited to the editor's
own department or center."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from guides.models import GuidePage
from portal.editorial import dashboard_context, send_review_digests
from portal.models import EditorialRole
from tests.portal.editorial_support import editorial_roles, item_in, make_editor  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("editorial_roles")]


def start_review(page, user):
    revision = page.save_revision(user=user)
    page.get_workflow().start(page, user)
    return revision


def test_dashboard_lists_only_own_department(client):
    overdue = item_in("city", "scjg")
    GuidePage.objects.filter(pk=overdue.pk).update(last_reviewed=datetime.date(2000, 1, 1))
    other = item_in("city", "gaj")
    GuidePage.objects.filter(pk=other.pk).update(last_reviewed=datetime.date(2000, 1, 1))
    window = make_editor("d_window", EditorialRole.WINDOW, "city", "scjg")
    reviewer = make_editor("d_reviewer", EditorialRole.REVIEWER, "city", "scjg")
    pending = item_in("city", "scjg", offset=1)
    start_review(pending, window)

    context = dashboard_context(reviewer)
    assert all(item.department.code == "scjg" and item.center.code == "city" for item in context["overdue"])
    assert overdue.pk in [item.pk for item in context["overdue"]]
    assert [row["page"].pk for row in context["reviews"]] == [pending.pk]
    assert dashboard_context(window)["reviews_count"] == 0  # window staff do not review

    client.force_login(reviewer)
    body = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "内容保鲜" in body
    assert overdue.title in body and pending.title in body
    assert other.title not in body


def test_incomplete_items_are_listed(client):
    item = item_in("city", "scjg", offset=2)
    item.legal_basis.all().delete()
    admin = make_editor("d_admin", EditorialRole.CENTER_ADMIN, "city")
    context = dashboard_context(admin)
    assert context["incomplete_count"] >= 1
    row = next(row for row in context["incomplete"] if row["item"].pk == item.pk)
    assert "设立依据" in row["missing"]
    district_admin = make_editor("d_admin_dc", EditorialRole.CENTER_ADMIN, "dongcheng")
    assert item.pk not in [row["item"].pk for row in dashboard_context(district_admin)["incomplete"]]


def test_users_without_a_role_get_no_panel(django_user_model):
    user = django_user_model.objects.create_user("norole", "n@example.org", "x")
    assert dashboard_context(user) is None


def test_dashboard_query_count_does_not_grow_with_items(django_assert_max_num_queries):
    admin = make_editor("d_admin_q", EditorialRole.CENTER_ADMIN, "city")
    # A fixed number of queries (counts, first rows, prefetches per chunk of 500 items).
    with django_assert_max_num_queries(40):
        dashboard_context(admin)


def test_weekly_digest_goes_to_each_departments_reviewers():
    GuidePage.objects.filter(center__code="city", department__code="scjg").update(
        last_reviewed=datetime.date(2000, 1, 1)
    )
    reviewer = make_editor("dg_reviewer", EditorialRole.REVIEWER, "city", "scjg", email="scjg-review@example.org")
    make_editor("dg_reviewer_noemail", EditorialRole.REVIEWER, "city", "scjg", email="")
    window = make_editor("dg_window", EditorialRole.WINDOW, "city", "scjg", email="window@example.org")
    pending = item_in("city", "scjg", offset=1)
    start_review(pending, window)
    mail.outbox = []

    sent = send_review_digests()
    assert sent == len(mail.outbox) >= 1
    [message] = [m for m in mail.outbox if "scjg-review@example.org" in m.to]
    assert "scjg-review@example.org" in message.to and "" not in message.to
    assert "市场监督管理局" in message.subject and "待复核" in message.subject
    assert item_in("city", "scjg").title in message.body
    assert pending.title in message.body
    assert "/admin/pages/" in message.body
    gaj_titles = GuidePage.objects.filter(center__code="city", department__code="gaj").values_list("title", flat=True)
    assert not any(f"- {title}（" in message.body for title in gaj_titles)
    assert all("window@example.org" not in m.to for m in mail.outbox)
    assert reviewer.email in message.to


def test_digest_is_a_weekly_schedule():
    from django_q.models import Schedule

    from core.schedules import ensure_schedules

    ensure_schedules()
    schedule = Schedule.objects.get(name="editorial-review-digest")
    assert schedule.func == "portal.editorial.send_review_digests"
    assert schedule.schedule_type == Schedule.WEEKLY
    ensure_schedules()
    assert Schedule.objects.filter(name="editorial-review-digest").count() == 1


def test_send_review_digest_command(capsys):
    from django.core.management import call_command

    call_command("send_review_digest")
    assert "e-mails sent" in capsys.readouterr().out
