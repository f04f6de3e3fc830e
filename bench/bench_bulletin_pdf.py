"""Bulletin PDF: WeasyPrint render of the city center's bulletin from the seeded demo cases.

Works on a private copy of the run's seeded SQLite state (prepared_state()). A fresh process
(as a django-q2 worker task would be) loads the last month's city bulletin, renders its PDF
once cold (fonts loaded on first use) and then twice warm; peak memory is the whole process's
(Django + WeasyPrint + fonts). A second process runs `build_bulletin` end to end (statistics,
freeze, PDF, document, revision) for the same bulletin. Targets: PDF ≤ 3 s, peak < 300 MiB.
"""

import json

from common import peak_memory, prepared_state, python, row

SCRIPT = r"""
import json, time
import django
django.setup()
from django.utils import translation
translation.activate("zh-hans")
from disclosures import bulletins, pdf
from disclosures.models import BulletinPage
period = bulletins.previous_period()
page = BulletinPage.objects.get(center__code="city", period=period)
context = bulletins.page_presentation(page)
timings = []
for _ in range(3):
    began = time.perf_counter()
    data = pdf.render_pdf(context)
    timings.append(time.perf_counter() - began)
print(json.dumps({"timings": timings, "bytes": len(data), "departments": len(page.departments),
                  "period": bulletins.format_period(period)}))
"""


def run():
    rows = []
    with prepared_state() as (_state, env):
        result = peak_memory([python(), "-c", SCRIPT], env=env)
        if result["returncode"] != 0:
            raise RuntimeError(result["output"][-4000:])
        figures = json.loads(result["output"].strip().splitlines()[-1])
        cold, *warm = figures["timings"]
        label = f"bulletin PDF, city center {figures['period']} ({figures['departments']} departments)"
        rows.append(row(f"{label}: first render in a fresh process", round(cold, 2), "s", "≤ 3", cold <= 3))
        rows.append(row(f"{label}: warm render", round(min(warm), 2), "s", "≤ 3", min(warm) <= 3))
        rows.append(row(f"{label}: size", round(figures["bytes"] / 1024, 1), "KiB"))
        rows.append(row(f"{label}: process peak memory", result["peak_mib"], "MiB", "< 300", result["peak_mib"] < 300))

        built = peak_memory(
            [python(), "manage.py", "build_bulletin", "--period", figures["period"], "--center", "city", "--draft"],
            env=env,
        )
        if built["returncode"] != 0:
            raise RuntimeError(built["output"][-4000:])
        rows.append(row("build_bulletin --center city (process, end to end): wall time", built["seconds"], "s"))
        rows.append(
            row(
                "build_bulletin --center city: peak memory",
                built["peak_mib"],
                "MiB",
                "< 300",
                built["peak_mib"] < 300,
            )
        )
    return rows
