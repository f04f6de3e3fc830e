"""Keeping content fresh: what each editor should look at, on the dashboard and in a weekly digest.

Three lists, always limited to the editor's own department or center (portal.roles.scope_for):
items not reviewed within settings.REVIEW_PERIOD_DAYS, items missing disclosures
(guides.completeness), and workflow reviews waiting for them.
"""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import TaskState

from .models import EditorialRole
from .roles import EditorialScope, scope_for

LIST_LIMIT = 20


def review_cutoff(today=None):
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=getattr(settings, "REVIEW_PERIOD_DAYS", 365))


def _items(scope):
    from guides.models import GuidePage

    if scope.empty:
        return GuidePage.objects.none()
    return GuidePage.objects.filter(scope.item_q())


def overdue_items(scope, today=None, limit=LIST_LIMIT):
    """(count, first items) of items whose last review is older than the review period, or never."""
    queryset = _items(scope).filter(Q(last_reviewed__lt=review_cutoff(today)) | Q(last_reviewed__isnull=True))
    queryset = queryset.select_related("department").order_by("last_reviewed", "pk")
    return queryset.count(), list(queryset[:limit])


def incomplete_items(scope, limit=LIST_LIMIT):
    """(count, first items with their completeness) of items missing any of the eight disclosures.

    Completeness is computed in Python from prefetched children, in chunks, so memory stays flat.
    """
    from guides.queries import items_for_display

    count, first = 0, []
    queryset = items_for_display(_items(scope).order_by("pk"))
    for item in queryset.iterator(chunk_size=500):
        result = item.completeness
        if not result["complete"]:
            count += 1
            if len(first) < limit:
                first.append({"item": item, "missing": result["missing_labels"], "present": result["present"]})
    return count, first


def pending_reviews_q(user):
    if user.is_superuser:
        return Q(status=TaskState.STATUS_IN_PROGRESS, task__active=True)
    return Q(
        status=TaskState.STATUS_IN_PROGRESS,
        task__active=True,
        task__groupapprovaltask__groups__in=user.groups.all(),
    )


def pending_reviews(q, limit=LIST_LIMIT):
    """(count, first task states) of workflow steps waiting for a decision. One query each."""
    queryset = (
        TaskState.objects.filter(q)
        .select_related("task", "revision", "workflow_state")
        .order_by("started_at", "pk")
        .distinct()
    )
    states = list(queryset[:limit])
    from wagtail.models import Page

    pages = Page.objects.in_bulk([int(s.workflow_state.object_id) for s in states if s.workflow_state.object_id])
    rows = []
    for state in states:
        page = pages.get(int(state.workflow_state.object_id))
        if page is not None:
            rows.append({"state": state, "page": page, "task": state.task})
    return queryset.count(), rows


def my_submissions(user, limit=LIST_LIMIT):
    """(count, rows) of the reviews this user started, newest first, each with where it stands now.

    Reviews still open (in review or sent back) count; finished ones from the last 30 days are
    listed after them so the submitter sees the outcome.
    """
    from wagtail.models import Page, Task, WorkflowState

    from .workflow_status import Position, short_task_name, where

    recent = timezone.now() - datetime.timedelta(days=30)
    queryset = (
        WorkflowState.objects.filter(requested_by=user)
        .filter(
            Q(status__in=[WorkflowState.STATUS_IN_PROGRESS, WorkflowState.STATUS_NEEDS_CHANGES])
            | Q(status=WorkflowState.STATUS_APPROVED, created_at__gte=recent)
        )
        .select_related("current_task_state__task")
        .order_by("-created_at", "-pk")
    )
    open_count = queryset.exclude(status=WorkflowState.STATUS_APPROVED).count()
    states = list(queryset[:limit])
    pages = Page.objects.in_bulk([int(state.object_id) for state in states if state.object_id.isdigit()])
    steps = {}
    for workflow_id in {state.workflow_id for state in states}:
        tasks = Task.objects.filter(workflow_tasks__workflow=workflow_id, active=True).order_by(
            "workflow_tasks__sort_order"
        )
        steps[workflow_id] = [task.pk for task in tasks]
    rows = []
    for state in states:
        page = pages.get(int(state.object_id)) if state.object_id.isdigit() else None
        if page is None:
            continue
        task_state = state.current_task_state
        if state.status == WorkflowState.STATUS_APPROVED:
            standing = _("已通过审核")
        elif state.status == WorkflowState.STATUS_NEEDS_CHANGES:
            standing = _("已退回修改，等待您修改后重新提交")
        elif task_state is not None:
            order = steps.get(state.workflow_id, [])
            position = Position(
                status=state.status,
                task=short_task_name(task_state.task),
                step=order.index(task_state.task_id) + 1 if task_state.task_id in order else 0,
                total=len(order),
            )
            standing = _("审核中：%(where)s") % {"where": where(position)}
        else:
            standing = state.get_status_display()
        rows.append({"page": page, "state": state, "standing": standing})
    return open_count, rows


def edit_url(page_id):
    return reverse("wagtailadmin_pages:edit", args=[page_id])


def dashboard_context(user, today=None):
    """The dashboard panel's lists for this user, or None when the user has no editorial role."""
    scope = scope_for(user)
    if scope.empty:
        return None
    overdue_count, overdue = overdue_items(scope, today)
    incomplete_count, incomplete = incomplete_items(scope)
    reviews_count, reviews = pending_reviews(pending_reviews_q(user))
    submitted_count, submitted = my_submissions(user)
    return {
        "submitted_count": submitted_count,
        "submitted": submitted,
        "review_period_days": getattr(settings, "REVIEW_PERIOD_DAYS", 365),
        "cutoff": review_cutoff(today),
        "overdue_count": overdue_count,
        "overdue": overdue,
        "incomplete_count": incomplete_count,
        "incomplete": incomplete,
        "reviews_count": reviews_count,
        "reviews": reviews,
    }


def department_digest(department, today=None):
    """The three lists for one department (what its reviewers get by e-mail)."""
    scope = EditorialScope(department_ids=frozenset([department.pk]))
    overdue_count, overdue = overdue_items(scope, today, limit=50)
    incomplete_count, incomplete = incomplete_items(scope, limit=50)
    reviews_count, reviews = pending_reviews(
        Q(
            status=TaskState.STATUS_IN_PROGRESS,
            task__active=True,
            task__groupapprovaltask__groups__editorial_role__role=EditorialRole.REVIEWER,
            task__groupapprovaltask__groups__editorial_role__department=department,
        ),
        limit=50,
    )
    return {
        "department": department,
        "review_period_days": getattr(settings, "REVIEW_PERIOD_DAYS", 365),
        "overdue_count": overdue_count,
        "overdue": overdue,
        "incomplete_count": incomplete_count,
        "incomplete": incomplete,
        "reviews_count": reviews_count,
        "reviews": reviews,
        "admin_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/"),
    }


def send_review_digests(today=None):
    """E-mail each department's reviewers their weekly digest. Returns the number of e-mails sent.

    A department with nothing to report, or without reviewers who have an e-mail address, gets
    no e-mail.
    """
    from django.contrib.auth import get_user_model

    User = get_user_model()
    sent = 0
    roles = (
        EditorialRole.objects.filter(role=EditorialRole.REVIEWER, department__isnull=False)
        .select_related("department__center")
        .order_by("department__center__sort_order", "department__code")
    )
    for role in roles:
        recipients = sorted(
            set(
                User.objects.filter(groups=role.group_id, is_active=True)
                .exclude(email="")
                .values_list("email", flat=True)
            )
        )
        if not recipients:
            continue
        context = department_digest(role.department, today)
        if not (context["overdue_count"] or context["incomplete_count"] or context["reviews_count"]):
            continue
        subject = _(
            "【每周提醒】%(department)s：%(overdue)s 项待复核，%(incomplete)s 项要素不全，%(reviews)s 项待审核"
        ) % {
            "department": f"{role.department.center.name}{role.department.name}",
            "overdue": context["overdue_count"],
            "incomplete": context["incomplete_count"],
            "reviews": context["reviews_count"],
        }
        body = render_to_string("portal/email/review_digest.txt", context)
        sent += send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False)
    return sent


def next_weekly_run(now=None, weekday=0, hour=8):
    """The next Monday 08:00 local time (the digest's slot)."""
    now = timezone.localtime(now or timezone.now())
    days_ahead = (weekday - now.weekday()) % 7
    candidate = now.replace(hour=hour, minute=0, second=0, microsecond=0) + datetime.timedelta(days=days_ahead)
    if candidate <= now:
        candidate += datetime.timedelta(days=7)
    return candidate
