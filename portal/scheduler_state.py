"""Is the task cluster running? A heartbeat every minute, read by the dashboard and /healthz.

The `scheduler-heartbeat` schedule runs `beat()` in a worker every minute, so a recent heartbeat
means the scheduler picked the schedule up, the queue delivered it and a worker ran it: the
same path scheduled publishing, expiry and the monthly bulletins take. Without one for
STALE_AFTER, nothing scheduled happens, and editors are told so.
"""

import os
import socket
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

STALE_AFTER = timedelta(minutes=2)
HEARTBEAT_SCHEDULE = "scheduler-heartbeat"
HEARTBEAT_FUNC = "portal.scheduler_state.beat"


def cluster_name():
    return settings.Q_CLUSTER.get("name", "default")


def beat():
    """Record that this cluster is alive (run by the cluster every minute)."""
    from .models import SchedulerHeartbeat

    now = timezone.now()
    SchedulerHeartbeat.objects.update_or_create(
        name=cluster_name(), defaults={"seen_at": now, "host": socket.gethostname()[:255], "pid": os.getpid()}
    )
    return now.isoformat()


def state(now=None):
    """{"running": bool, "last_heartbeat": datetime or None, "age_seconds": int or None}."""
    from .models import SchedulerHeartbeat

    now = now or timezone.now()
    last = SchedulerHeartbeat.objects.filter(name=cluster_name()).values_list("seen_at", flat=True).first()
    age = None if last is None else max(0, int((now - last).total_seconds()))
    return {"running": last is not None and now - last <= STALE_AFTER, "last_heartbeat": last, "age_seconds": age}
