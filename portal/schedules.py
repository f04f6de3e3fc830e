"""The portal's recurring jobs: Wagtail's scheduled publishing and the scheduler heartbeat.

The registry itself is core/schedules.py; the task paths below are stored in django-q2's
Schedule rows, so they keep naming this module.
"""

import logging
import time

from django.apps import apps
from django.db import OperationalError, transaction
from django.utils import timezone
from wagtail.models import DraftStateMixin, Page, Revision

from core.schedules import register

logger = logging.getLogger(__name__)


class ScheduledWorkFailed(Exception):
    """Some scheduled changes could not be made this run; they stay scheduled for the next."""


def publish_scheduled(attempts=4, pause=1.0):
    """Wagtail's scheduled expiry and publishing, run every minute by the cluster.

    The same steps as Wagtail's `publish_scheduled` command (public `unpublish()` and
    `Revision.publish()`), but each object in its own transaction: Wagtail clears a revision's
    go-live time before it saves the page, so a lock or a crash between the two lost the
    schedule. Here either both happen or neither; a locked database is retried `attempts`
    times, and whatever still fails stays scheduled for the next run (idempotent: each object is
    looked up again inside its transaction). Raises ScheduledWorkFailed after trying them all.
    """
    now = timezone.now()
    failed = []
    models = [Page] + [m for m in apps.get_models() if issubclass(m, DraftStateMixin) and not issubclass(m, Page)]
    for model in models:
        for pk in model.objects.filter(live=True, expire_at__lt=now).order_by("expire_at").values_list("pk", flat=True):
            _each(failed, f"expire {model._meta.label} {pk}", attempts, pause, _expire, model, pk, now)
    due = Revision.objects.filter(approved_go_live_at__lt=now).order_by("approved_go_live_at")
    for pk in due.values_list("pk", flat=True):
        _each(failed, f"publish revision {pk}", attempts, pause, _publish, pk, now)
    if failed:
        raise ScheduledWorkFailed("; ".join(failed))


def _expire(model, pk, now):
    obj = model.objects.filter(pk=pk, live=True, expire_at__lt=now).first()
    if obj is not None:
        obj.unpublish(set_expired=True, log_action="wagtail.unpublish.scheduled")


def _publish(pk, now):
    revision = Revision.objects.filter(pk=pk, approved_go_live_at__lt=now).first()
    if revision is not None:
        revision.publish(log_action="wagtail.publish.scheduled")


def _each(failed, what, attempts, pause, func, *args):
    """Run func(*args) in one transaction; retry while the database is locked."""
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic():
                func(*args)
            return
        except OperationalError as exc:
            if attempt == attempts or "locked" not in str(exc).lower():
                logger.warning("%s: %s (attempt %s); it stays scheduled", what, exc, attempt)
                failed.append(f"{what}: {exc}")
                return
            time.sleep(pause * attempt)
        except Exception as exc:
            logger.exception("%s failed; it stays scheduled", what)
            failed.append(f"{what}: {exc}")
            return


register("wagtail-publish-scheduled", "portal.schedules.publish_scheduled", schedule_type="I", minutes=1)
register("scheduler-heartbeat", "portal.scheduler_state.beat", schedule_type="I", minutes=1)
