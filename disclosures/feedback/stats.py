"""Complaint counts for the monthly bulletin, per (center, department), in the database.

For a month M (start, end as aware datetimes):
- received: complaints (投诉) submitted in M, whatever their source (the form or a 差评 follow-up);
- answered: complaints answered in M;
- overdue: complaints answered in M after their deadline, plus those still unanswered at the end
  of M whose deadline had passed.
Feedback without a department yet counts under department None (the center's own).
"""

from django.db.models import Count, F, Q

from .models import Feedback


def complaint_counts(center, start, end):
    """{(center_id, department_id): {"received", "answered", "overdue"}} for the month [start, end); one query."""
    scope = Q(kind=Feedback.COMPLAINT, created_at__lt=end)
    if center is not None:
        scope &= Q(center_id=center.pk)
    received = Q(created_at__gte=start)
    answered = Q(answered_at__gte=start, answered_at__lt=end)
    overdue = Q(due_date__lt=end.date()) & (
        Q(answered_at__isnull=True) | Q(answered_at__gte=end) | (answered & Q(answered_at__date__gt=F("due_date")))
    )
    rows = (
        Feedback.objects.filter(scope)
        .filter(received | answered | overdue)
        .values("center_id", "department_id")
        .annotate(
            n_received=Count("id", filter=received),
            n_answered=Count("id", filter=answered),
            n_overdue=Count("id", filter=overdue),
        )
        .order_by()
    )
    return {
        (row["center_id"], row["department_id"]): {
            "received": row["n_received"],
            "answered": row["n_answered"],
            "overdue": row["n_overdue"],
        }
        for row in rows
    }
