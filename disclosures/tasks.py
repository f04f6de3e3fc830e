"""Scheduled bulletin builds (django-q2).

Why a frequent check instead of a cron-like monthly schedule: the check is idempotent (it only
builds bulletins of last month that do not exist yet), so it survives downtime on the build day,
picks up a changed build day or hour without touching the schedule, and naturally retries a
failed build at the next check. Each bulletin builds in its own task, retried a few times with a
pause before the failure is recorded for editors (BulletinBuildFailure, shown in the admin).
"""

import logging
import time
import traceback

from django.conf import settings
from django.utils import timezone

from . import bulletins

logger = logging.getLogger(__name__)

CHECK_SCHEDULE = "disclosures-monthly-bulletins"
CHECK_FUNC = "disclosures.tasks.check_monthly_bulletins"
CHECK_MINUTES = 30


def retry_delays():
    """Pauses (seconds) between attempts of one build; settings.BULLETIN_BUILD_RETRY_DELAYS."""
    return list(getattr(settings, "BULLETIN_BUILD_RETRY_DELAYS", (30, 120)))


def bulletin_settings():
    from wagtail.models import Site

    from .models import BulletinSettings

    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site is None:
        return BulletinSettings(build_day=3, build_hour=6, publish_directly=False)
    return BulletinSettings.for_site(site)


def is_due(now, config):
    """True once this month's build day and hour have passed (local time)."""
    local = timezone.localtime(now)
    return (local.day, local.hour) >= (config.build_day, config.build_hour)


def missing_targets(period):
    """Codes ('all' for the city) whose bulletin of `period` does not exist yet."""
    from .models import BulletinPage

    existing = set(BulletinPage.objects.filter(period=period).values_list("center__code", flat=True))
    return [code for code in bulletins.targets() if (None if code == bulletins.ALL else code) not in existing]


def check_monthly_bulletins(now=None, sync=False):
    """Queue a build of last month's missing bulletins when the configured time has come.

    Returns the codes queued (or built, with sync=True).
    """
    now = now or timezone.now()
    config = bulletin_settings()
    if not is_due(now, config):
        return []
    period = bulletins.previous_period(timezone.localtime(now).date())
    codes = missing_targets(period)
    publish = bool(config.publish_directly)
    for code in codes:
        if sync:
            build_with_retries(bulletins.format_period(period), code, publish)
        else:
            from django_q.tasks import async_task

            async_task(
                "disclosures.tasks.build_with_retries",
                bulletins.format_period(period),
                code,
                publish,
                task_name=f"bulletin-{code}-{bulletins.format_period(period)}",
                group="bulletins",
            )
    return codes


def build_with_retries(period, code, publish):
    """Build one bulletin; retry after each pause in retry_delays(); record the failure last.

    Raises the last error after recording it, so django-q2 also marks the task as failed.
    """
    delays = retry_delays()
    attempts = len(delays) + 1
    for attempt in range(1, attempts + 1):
        try:
            page, revision = bulletins.build_bulletin(period, code, publish=publish)
            return {"page": page.pk, "revision": revision.pk, "attempts": attempt}
        except Exception as exc:
            logger.warning("bulletin %s %s: attempt %s of %s failed: %s", code, period, attempt, attempts, exc)
            if attempt == attempts:
                bulletins.record_failure(period, code, exc, traceback.format_exc())
                raise
            time.sleep(delays[attempt - 1])
    return None
