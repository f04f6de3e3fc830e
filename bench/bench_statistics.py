"""Monthly statistics on PostgreSQL with 1,000,000 cases in the month being built.

A throwaway database (created and dropped) is migrated, given 8 centers x 12 departments x 5
items, and loaded with COPY: BENCH_CASES cases (default 1,000,000) received in March 2026
(the city's own center about 30 %, seven county centers 10 % each), plus BENCH_HISTORY cases
(default 50,000) per earlier month for the 12-month trend. Then a fresh process computes every
bulletin figure for one center (the city's, the largest) and for all centers; its wall time per
call and peak memory are reported. Targets: one center <= 5 s, all centers <= 15 s, < 300 MB.

Also usable as a script (the benchmark's subprocesses): `bench_statistics.py setup|load|measure`.
"""

import datetime
import io
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from common import manage, peak_memory, postgres_database, python, row, server_env  # noqa: E402

CASES = int(os.environ.get("BENCH_CASES", "1000000"))
HISTORY = int(os.environ.get("BENCH_HISTORY", "50000"))
PERIOD = datetime.date(2026, 3, 1)
CENTERS = 8
DEPARTMENTS = 12
ITEMS = 5


# --- subprocess side (Django set up from the environment) ---------------------------------


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")
    import django

    django.setup()


def setup_org():
    """Centers, departments and live items (GuidePages under a plain folder page)."""
    from wagtail.models import Page

    from guides.models import GuidePage
    from portal.models import Department, ServiceCenter

    root = Page.get_first_root_node()
    folder = root.add_child(instance=Page(title="bench", slug="bench"))
    rng = random.Random(1)
    for c in range(CENTERS):
        code = "city" if c == 0 else f"county{c}"
        center = ServiceCenter.objects.create(
            code=code, name=f"中心{c}", level="city" if c == 0 else "county", sort_order=c
        )
        for d in range(DEPARTMENTS):
            department = Department.objects.create(center=center, code=f"d{d:02d}", name=f"部门{d}")
            for i in range(ITEMS):
                folder.add_child(
                    instance=GuidePage(
                        title=f"事项{c}-{d}-{i}",
                        slug=f"i-{code}-{d}-{i}",
                        item_code=f"I{d:02d}{i}",
                        center=center,
                        department=department,
                        promised_days=0 if i == 0 else rng.choice([3, 5, 10]),
                        handling_type="immediate" if i == 0 else "promised",
                        entered=rng.random() > 0.05,
                        power_accept=True,
                        power_review=rng.random() > 0.2,
                        power_approve=rng.random() > 0.5,
                    )
                )


def _items():
    from guides.models import GuidePage

    by_center = {}
    for pk, center_id, code, department_id, promised in GuidePage.objects.values_list(
        "pk", "center_id", "item_code", "department_id", "promised_days"
    ):
        by_center.setdefault(center_id, []).append((pk, code, department_id, promised))
    return by_center


def _rows(month, count, centers, items, calendar, tz, start_no):
    """Tab-separated COPY lines for `count` cases received in `month`."""
    from disclosures.imports import derive

    rng = random.Random(f"{month}")
    days = []
    day = month
    while day.month == month.month:
        if calendar.is_workday(day):
            days.append(day)
        day += datetime.timedelta(days=1)
    weights = [3 if index == 0 else 1 for index in range(len(centers))]
    now = datetime.datetime.now(tz)
    center_choices = rng.choices(centers, weights=weights, k=count)
    for n, center_id in enumerate(center_choices):
        pk, code, department_id, promised = rng.choice(items[center_id])
        day = rng.choice(days)
        received = datetime.datetime.combine(day, datetime.time(rng.randint(8, 16), rng.randint(0, 59)), tzinfo=tz)
        roll = rng.random()
        if roll < 0.01:
            status, completed = "received", None
        elif promised == 0:
            status, completed = "completed", received + datetime.timedelta(minutes=rng.randint(5, 90))
        else:
            finish = calendar.add_working_days(day, rng.randint(0, promised + (2 if roll > 0.97 else 0)))
            completed = datetime.datetime.combine(finish, datetime.time(17), tzinfo=tz)
            status = "completed"
        if completed is not None and completed > now:
            status, completed = "received", None
        due, on_time, same_day = derive(calendar, received, completed, status, promised)
        sat = rng.choice(["good"] * 18 + ["neutral", "bad"]) if status == "completed" and roll < 0.8 else None
        fields = [
            f"B{start_no + n:09d}",
            str(center_id),
            str(pk),
            code,
            str(department_id),
            "online" if roll < 0.4 else "window",
            received.isoformat(),
            completed.isoformat() if completed else "\\N",
            status,
            str(promised) if promised is not None else "\\N",
            due.isoformat() if due else "\\N",
            "\\N" if on_time is None else ("t" if on_time else "f"),
            "\\N" if same_day is None else ("t" if same_day else "f"),
            sat or "\\N",
            "t" if rng.random() < 0.002 else "f",
            now.isoformat(),
        ]
        yield "\t".join(fields) + "\n"


def load_cases():
    """COPY the month's cases and the history into disclosures_case, then ANALYZE."""
    from django.db import connection

    from core import timezones
    from disclosures import workdays
    from portal.models import ServiceCenter

    workdays.seed_official_holidays()
    calendar = workdays.get_calendar()
    calendar.is_workday(datetime.date(PERIOD.year - 1, 1, 1))  # load the holidays now: no query during COPY
    calendar.add_working_days(PERIOD, 30)
    tz = timezones.local_tz()
    items = _items()
    centers = list(ServiceCenter.objects.order_by("sort_order").values_list("pk", flat=True))
    columns = (
        "case_no, center_id, item_id, item_code, department_id, channel, received_at, completed_at, status, "
        "promised_days, due_date, completed_on_time, completed_same_day, satisfaction, complaint, updated_at"
    )
    plan = [(PERIOD, CASES)]
    for back in range(1, 12):
        index = PERIOD.year * 12 + PERIOD.month - 1 - back
        plan.append((datetime.date(index // 12, index % 12 + 1, 1), HISTORY))
    started = time.perf_counter()
    number = 0
    connection.ensure_connection()
    raw = connection.connection  # psycopg 3
    with raw.cursor() as cursor:
        for month, count in plan:
            with cursor.copy(f"COPY disclosures_case ({columns}) FROM STDIN") as copy:
                buffer = io.StringIO()
                for line in _rows(month, count, centers, items, calendar, tz, number):
                    buffer.write(line)
                    if buffer.tell() > 4_000_000:
                        copy.write(buffer.getvalue())
                        buffer = io.StringIO()
                copy.write(buffer.getvalue())
            number += count
        cursor.execute("ANALYZE disclosures_case")
    raw.commit()
    print(json.dumps({"cases": number, "seconds": round(time.perf_counter() - started, 1)}))


def measure():
    """Time compute() for the city's center and for all centers, in this fresh process."""

    from disclosures import statistics

    timings = {}
    for label, code in (("center", "city"), ("all", "all")):
        began = time.perf_counter()
        data = statistics.compute(code, PERIOD)
        timings[label] = round(time.perf_counter() - began, 2)
        timings[f"{label}_received"] = data["counts"]["received"]
        timings[f"{label}_completed"] = data["counts"]["completed"]
    print(json.dumps(timings))


# --- benchmark side ---------------------------------------------------------------------


def _script(env, command):
    result = peak_memory([python(), __file__, command], env=env)
    if result["returncode"] != 0:
        raise RuntimeError(f"{command} failed:\n{result['output'][-3000:]}")
    last = [line for line in result["output"].splitlines() if line.startswith("{")]
    return result, (json.loads(last[-1]) if last else {})


def prepared(env):
    """Migrate the empty database and create the organisation and items."""
    manage(env, "migrate", "--no-input", "-v0")
    _script(env, "setup")


def run():
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-stats-") as state, postgres_database(prefix="bench_stats") as url:
        env = server_env(state, url)
        prepared(env)
        loaded, info = _script(env, "load")
        rows.append(row(f"statistics: COPY load of {info.get('cases', 0):,} cases", info.get("seconds"), "s"))
        for attempt in ("first", "second"):
            result, timings = _script(env, "measure")
            name = f"statistics ({CASES:,} cases in the month, PostgreSQL, {attempt} run)"
            rows.append(row(f"{name}: one center (city)", timings["center"], "s", "<= 5", timings["center"] <= 5))
            rows.append(row(f"{name}: all centers", timings["all"], "s", "<= 15", timings["all"] <= 15))
            rows.append(row(f"{name}: peak memory", result["peak_mib"], "MiB", "< 300", result["peak_mib"] < 300))
        print(
            f"    city: received {timings['center_received']:,}, completed {timings['center_completed']:,}; "
            f"all: received {timings['all_received']:,}, completed {timings['all_completed']:,}"
        )
    return rows


if __name__ == "__main__":
    _django()
    {"setup": setup_org, "load": load_cases, "measure": measure}[sys.argv[1]]()
