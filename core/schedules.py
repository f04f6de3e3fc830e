"""The registry of recurring jobs (django-q2 schedules), so no cron is needed.

Each app declares its own schedules with `register()` (in its AppConfig.ready() or its
schedules module: portal/schedules.py, disclosures/apps.py, …); `ensure_schedules()` (run after every migrate and by
`manage.py setup_schedules`) creates or updates them idempotently, by name.
"""

from django.utils import timezone
from django_q.models import Schedule

_REGISTRY = {}


def register(name, func, *, schedule_type="I", minutes=1, cron=None, **kwargs):
    """Declare a schedule; `schedule_type` is one of django-q2's codes (I = every `minutes`)."""
    _REGISTRY[name] = {"func": func, "schedule_type": schedule_type, "minutes": minutes, "cron": cron, **kwargs}


def registered():
    return dict(_REGISTRY)


def ensure_schedules():
    for name, spec in _REGISTRY.items():
        spec = dict(spec)
        defaults = {
            "func": spec.pop("func"),
            "schedule_type": spec.pop("schedule_type"),
            "minutes": spec.pop("minutes"),
            "cron": spec.pop("cron"),
            "repeats": -1,
        }
        defaults.update(spec)
        schedule, created = Schedule.objects.get_or_create(name=name, defaults={**defaults, "next_run": timezone.now()})
        changed = [key for key, value in defaults.items() if getattr(schedule, key) != value]
        if changed:
            for key in changed:
                setattr(schedule, key, defaults[key])
            schedule.save(update_fields=changed)


def ensure_schedules_after_migrate(**kwargs):
    ensure_schedules()
