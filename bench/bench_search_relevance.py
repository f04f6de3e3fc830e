"""Search quality: recall@10 and MRR of the embedded backend and of Wagtail's stock database
search backend (wagtail.search.backends.database on GuidePage), same data, same queries.

The data is a private copy of the bench run's seeded demo site (bench/common.py); the queries
are the relevance set in tests/search/relevance.py. Runs in a subprocess on that state.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def inner():
    import os

    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from django.core.management import call_command

    from guides.models import GuidePage
    from search import indexing
    from search.backends import get_backend
    from search.synonyms import synonym_map
    from tests.search.relevance import RELEVANCE, evaluate

    indexing.rebuild()
    call_command("update_index", verbosity=0)
    backend = get_backend()
    embedded = evaluate(lambda q: [h.title for h in backend.search(q, synonyms=synonym_map()).hits])

    def wagtail_titles(query):
        try:
            return [p.title for p in GuidePage.objects.live().search(query, backend="default")[:10]]
        except Exception:
            return []

    stock = evaluate(wagtail_titles)

    def by_kind(result):
        kinds = {}
        for (_query, _expected, kind), (_q, recall, rr, _titles) in zip(RELEVANCE, result[2], strict=True):
            kinds.setdefault(kind, []).append((recall, rr))
        return {
            kind: [sum(r for r, _ in rows) / len(rows), sum(rr for _, rr in rows) / len(rows), len(rows)]
            for kind, rows in kinds.items()
        }

    print(
        json.dumps(
            {
                "queries": len(RELEVANCE),
                "documents": backend.count(),
                "guides": GuidePage.objects.live().count(),
                "embedded": embedded[:2],
                "wagtail": stock[:2],
                "embedded_kinds": by_kind(embedded),
                "wagtail_kinds": by_kind(stock),
                "embedded_missed": [r[0] for r in embedded[2] if r[1] < 1],
            },
            ensure_ascii=False,
        )
    )


def side_by_side(data):
    """The two backends next to each other, overall and per kind of query."""
    lines = [
        f"    relevance set: {data['queries']} queries, {data['guides']} live guides"
        f" ({data['documents']} documents in the embedded index)",
        f"    {'queries':<22}{'embedded recall@10':>20}{'MRR':>8}{'Wagtail DB recall@10':>23}{'MRR':>8}",
    ]

    def line(label, ours, theirs):
        return f"    {label:<22}{ours[0]:>20.3f}{ours[1]:>8.3f}{theirs[0]:>23.3f}{theirs[1]:>8.3f}"

    lines.append(line("all", data["embedded"], data["wagtail"]))
    for kind, values in data["embedded_kinds"].items():
        lines.append(line(f"{kind} ({values[2]})", values, data["wagtail_kinds"][kind]))
    return "\n".join(lines)


def run():
    import subprocess

    from common import manage, prepared_state, python, row  # noqa: F401

    with prepared_state() as (_state, env):
        result = subprocess.run(
            [python(), __file__, "--inner"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800
        )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-4000:])
    data = json.loads(result.stdout.strip().splitlines()[-1])
    print(side_by_side(data))
    if data["embedded_missed"]:
        print("    embedded backend missed:", ", ".join(data["embedded_missed"]))
    n = data["queries"]
    return [
        row(
            f"relevance ({n} queries): embedded recall@10",
            round(data["embedded"][0], 3),
            "ratio",
            ">= 0.90",
            data["embedded"][0] >= 0.90,
        ),
        row(f"relevance ({n} queries): embedded MRR", round(data["embedded"][1], 3), "ratio"),
        row(f"relevance ({n} queries): Wagtail database backend recall@10", round(data["wagtail"][0], 3), "ratio"),
        row(f"relevance ({n} queries): Wagtail database backend MRR", round(data["wagtail"][1], 3), "ratio"),
    ]


if __name__ == "__main__" and "--inner" in sys.argv:
    inner()
