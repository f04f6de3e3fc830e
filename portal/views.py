"""Thin site-wide views: health check, error pages and the choice of service center."""

import time

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.registries import health_checks


@never_cache
def healthz(request):
    """200 when the database and the search backend answer; 503 otherwise, saying which.

    `scheduler` says whether the task cluster has sent a heartbeat within the last 2 minutes;
    it does not change the status (the site serves pages without it), monitoring reads it.
    """
    checks = {}
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
        checks["database"] = {"ok": False, "error": str(exc)}
    for name, check in health_checks().items():  # registered by the apps (search: its backend)
        try:
            checks[name] = check()
        except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
            checks[name] = {"ok": False, "error": str(exc)}
    ok = all(check["ok"] for check in checks.values())
    body = {
        "status": "ok" if ok else "error",
        "checks": checks,
        # Reported, not part of the status: the web serves pages without the task cluster.
        "scheduler": _scheduler_state() if checks["database"]["ok"] else {"running": None},
        "took_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    return JsonResponse(body, status=200 if ok else 503, json_dumps_params={"ensure_ascii": False})


def _scheduler_state():
    from .scheduler_state import STALE_AFTER, state

    current = state()
    last = current["last_heartbeat"]
    return {
        "running": current["running"],
        "last_heartbeat": last.isoformat() if last else None,
        "age_seconds": current["age_seconds"],
        "stale_after_seconds": int(STALE_AFTER.total_seconds()),
    }


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)


@require_GET
def choose_center(request):
    """Choose the service center whose copy of an item comes first (cookie, no sign-in).

    `?center=CODE&next=/path` remembers CODE and goes back; `?center=` forgets it; without
    `center` the page lists the centers as plain links (works without JavaScript)."""
    from .centerpref import chosen_center, remember, safe_next
    from .models import ServiceCenter

    next_url = safe_next(request, request.GET.get("next", "/"))
    centers = list(ServiceCenter.objects.order_by("sort_order", "code"))
    if "center" in request.GET:
        code = str(request.GET.get("center", "")).strip().lower()[:32]
        known = {center.code.lower() for center in centers}
        if code and code not in known:
            return render(
                request,
                "portal/choose_center.html",
                {"centers": centers, "next": next_url, "error": True, "current": chosen_center(request)},
                status=400,
            )
        return remember(redirect(next_url), code)
    context = {"centers": centers, "next": next_url, "current": chosen_center(request)}
    return render(request, "portal/choose_center.html", context)
