"""Case progress for the public, and ratings (好差评) with their follow-ups."""

import secrets

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from ..feedback import service as feedback_service
from ..feedback.models import Feedback
from ..models import Case
from .models import BAD_LEVELS, LEVELS, SATISFACTION_OF_LEVEL, CaseRating

SUMMARY_MIN_RATINGS = 10


class RatingError(ValueError):
    """A rating the rules refuse; the message is fit for the applicant."""


def find_case(case_no, last4):
    """The case matching the number and the phone's last four digits, or None (never without a phone)."""
    case_no = str(case_no or "").strip()
    last4 = str(last4 or "").strip()
    if not case_no or len(case_no) > 64 or len(last4) != 4:
        return None
    case = Case.objects.select_related("center", "department", "item").filter(case_no=case_no).first()
    if case is None or not case.phone_last4 or not secrets.compare_digest(case.phone_last4, last4):
        return None
    return case


def progress(case, today=None):
    """What the applicant may see: status, steps with times, promised date, overdue. Nothing personal."""
    today = today or timezone.localdate()
    steps = [{"label": _("受理"), "at": case.received_at, "done": True}]
    if case.status == Case.STATUS_COMPLETED:
        steps.append({"label": _("审查办理"), "at": None, "done": True})
        steps.append({"label": _("办结"), "at": case.completed_at, "done": True})
    elif case.status == Case.STATUS_RETURNED:
        steps.append({"label": _("退回"), "at": case.completed_at, "done": True})
    else:
        steps.append({"label": _("审查办理"), "at": None, "done": False, "current": True})
        steps.append({"label": _("办结"), "at": None, "done": False})
    return {
        "case_no": case.case_no,
        "item": case.item.title if case.item_id else case.item_code,
        "item_url": case.item.url if case.item_id else "",
        "center": case.center.name,
        "department": case.department.name,
        "channel": case.get_channel_display(),
        "status": case.status,
        "status_label": case.get_status_display(),
        "received_at": case.received_at,
        "completed_at": case.completed_at,
        "promised_days": case.promised_days,
        "due_date": case.due_date,
        "overdue": case.is_overdue,
        "steps": steps,
        "can_rate": case.status == Case.STATUS_COMPLETED and not CaseRating.objects.filter(case=case).exists(),
    }


@transaction.atomic
def rate(case, level, comment=""):
    """Record the rating; a 差评 (不满意/非常不满意) opens a follow-up for the department."""
    if case.status != Case.STATUS_COMPLETED:
        raise RatingError(_("办件办结后才能评价。"))
    if CaseRating.objects.filter(case=case).exists():
        raise RatingError(_("该办件已评价过，每件只能评价一次。"))
    if level not in dict(LEVELS):
        raise RatingError(_("请选择评价等级。"))
    rating = CaseRating.objects.create(case=case, item=case.item, level=level, comment=comment.strip())
    Case.objects.filter(pk=case.pk).update(satisfaction=SATISFACTION_OF_LEVEL[level], updated_at=timezone.now())
    if level in BAD_LEVELS:
        label = dict(LEVELS)[level]
        content = _("办件 %(no)s 评价为“%(level)s”。") % {"no": case.case_no, "level": label}
        if rating.comment:
            content += "\n" + _("申请人意见：") + rating.comment
        rating.follow_up = feedback_service.submit(
            kind=Feedback.COMPLAINT,
            source=Feedback.SOURCE_RATING,
            center=case.center,
            department=case.department,
            item=case.item,
            subject=case.item.title if case.item_id else case.item_code,
            content=content,
            contact_phone="",
        )
        Feedback.objects.filter(pk=rating.follow_up.pk).update(phone_last4=case.phone_last4)
        rating.save(update_fields=["follow_up"])
    from guides.pagecache import bump_version

    bump_version()  # the item page's rating summary changes
    return rating


def item_summary(item):
    """Rating counts of an item's cases, shown once there are SUMMARY_MIN_RATINGS; else None."""
    counts = dict(CaseRating.objects.filter(item=item).values_list("level").annotate(n=Count("id")).order_by())
    total = sum(counts.values())
    if total < SUMMARY_MIN_RATINGS:
        return None
    from ..statistics import rate as percentage

    good = counts.get(5, 0) + counts.get(4, 0)
    return {
        "total": total,
        "good": good,
        "rate": percentage(good, total),
        "levels": [{"level": level, "label": str(label), "count": counts.get(level, 0)} for level, label in LEVELS],
    }
