"""Search quality: recall@10 and MRR.

1. The demo site (a private copy of the bench run's seeded state, bench/common.py): the embedded
   backend and Wagtail's stock database backend side by side on tests/search/relevance.py, and
   the issue's checks (营业执照, 办营业执照 and yyzz put a 设立登记 item first; 桌球室 puts the
   life event 开办台球室 in the top 3; no query lists the same item twice on page 1).
2. A catalog of real public item names (tests/search/relevance_real.py): 271 queries in six
   classes, tune and held-back splits, one result per item, with the default lexicon as the only
   synonyms (what a new site has). Both engines: Elasticsearch at BENCH_ELASTICSEARCH_URL, else
   the node scripts/services.sh runs (started for the bench when none answers; a throwaway index
   prefix is used and deleted afterwards).

Runs in a subprocess on the prepared state.
"""

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELD_RECALL, HELD_MRR = 0.95, 0.80


def _demo(payload):
    from django.core.management import call_command

    from guides.models import GuidePage
    from search import indexing, service
    from search.backends import get_backend
    from tests.search.relevance import RELEVANCE, evaluate

    indexing.rebuild()
    call_command("update_index", verbosity=0)
    backend = get_backend()

    def grouped_titles(query):
        results, _error = service.run_search(query, log=False)
        return [hit.title for hit in results.hits]

    embedded = evaluate(grouped_titles)

    def wagtail_titles(query):
        try:
            return [p.title for p in GuidePage.objects.live().search(query, backend="default")[:10]]
        except Exception:  # the stock backend's failures count as nothing found
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

    checks = {}
    for query in ("营业执照", "办营业执照", "yyzz"):
        titles = grouped_titles(query)
        checks[f"{query}: first result is a 设立登记 item"] = bool(titles) and "设立" in titles[0]
    checks["桌球室: 开办台球室 in the top 3"] = "开办台球室" in grouped_titles("桌球室")[:3]
    duplicates = [row[0] for row in embedded[2] if len(row[3]) != len(set(row[3]))]
    checks["no query lists the same item twice on page 1"] = not duplicates

    payload.update(
        {
            "queries": len(RELEVANCE),
            "documents": backend.count(),
            "guides": GuidePage.objects.live().count(),
            "embedded": embedded[:2],
            "wagtail": stock[:2],
            "embedded_kinds": by_kind(embedded),
            "wagtail_kinds": by_kind(stock),
            "embedded_missed": [r[0] for r in embedded[2] if r[1] < 1],
            "checks": checks,
            "duplicates": duplicates,
        }
    )


def _real(payload):
    from search import lexicon
    from search.backends.embedded import EmbeddedBackend
    from tests.search import relevance_real

    synonyms = lexicon.synonym_map()
    documents = relevance_real.documents()
    engines = {}
    directory = tempfile.mkdtemp(prefix="relevance-real-")
    embedded = EmbeddedBackend(Path(directory) / "index.sqlite3")
    embedded.rebuild(documents)
    engines["embedded"] = lambda q: [h.title for h in embedded.search(q, group=True, synonyms=synonyms).hits]
    es = None
    if os.environ.get("BENCH_ELASTICSEARCH_URL"):
        from search.backends.elasticsearch import ElasticsearchBackend

        es = ElasticsearchBackend(url=os.environ["BENCH_ELASTICSEARCH_URL"])
        es.rebuild(documents)
        engines["elasticsearch"] = lambda q: [h.title for h in es.search(q, group=True, synonyms=synonyms).hits]
    try:
        results = {}
        for name, search_titles in engines.items():
            rows = relevance_real.evaluate(search_titles)
            table = relevance_real.summarise(rows)
            results[name] = {
                "table": {"|".join(k) if isinstance(k, tuple) else k: v for k, v in table.items()},
                "missed_tune": [r[2] for r in rows if r[0] == "tune" and r[3] < 1],
                "duplicates": [r[2] for r in rows if r[6]],
            }
    finally:
        embedded.destroy()
        if es is not None:
            es._call(es.client.indices.delete, index=f"{es.alias}-*", ignore_unavailable=True)
    payload["real"] = {
        "items": len({row[1] for row in relevance_real.catalog()}),
        "documents": len(documents),
        "queries": len(relevance_real.queries()),
        "results": results,
    }


def inner():
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")
    if os.environ.get("BENCH_ELASTICSEARCH_URL"):
        os.environ["ELASTICSEARCH_INDEX_PREFIX"] = f"gongkai-bench-relevance-{os.getpid()}"
    django.setup()
    payload = {}
    _demo(payload)
    _real(payload)
    print(json.dumps(payload, ensure_ascii=False))


def side_by_side(data):
    """The two backends next to each other, overall and per kind of query."""
    lines = [
        f"    demo site: {data['queries']} queries, {data['guides']} live guides"
        f" ({data['documents']} documents in the embedded index), one result per item",
        f"    {'queries':<22}{'embedded recall@10':>20}{'MRR':>8}{'Wagtail DB recall@10':>23}{'MRR':>8}",
    ]

    def line(label, ours, theirs):
        return f"    {label:<22}{ours[0]:>20.3f}{ours[1]:>8.3f}{theirs[0]:>23.3f}{theirs[1]:>8.3f}"

    lines.append(line("all", data["embedded"], data["wagtail"]))
    for kind, values in data["embedded_kinds"].items():
        lines.append(line(f"{kind} ({values[2]})", values, data["wagtail_kinds"][kind]))
    for check, ok in data["checks"].items():
        lines.append(f"    {'ok  ' if ok else 'FAIL'} {check}")
    return "\n".join(lines)


def real_table(real):
    from tests.search.relevance_real import CLASSES, SPLITS

    engines = list(real["results"])
    lines = [
        f"    real catalog: {real['items']} public item names in 3 centers ({real['documents']} documents),"
        f" {real['queries']} queries, default lexicon only",
        "    " + f"{'split / class':<26}" + "".join(f"{e + ' recall@10':>24}{'MRR':>8}" for e in engines),
    ]
    for split in SPLITS:
        for key, label in [(split, f"{split} (all)"), *[(f"{split}|{c}", f"{split} {c}") for c in CLASSES]]:
            cells = ""
            for engine in engines:
                recall, mrr, n = real["results"][engine]["table"][key]
                cells += f"{recall:>24.3f}{mrr:>8.3f}"
            n = real["results"][engines[0]]["table"][key][2]
            lines.append(f"    {label + f' ({n})':<26}{cells}")
    for engine in engines:
        missed = real["results"][engine]["missed_tune"]
        if missed:
            lines.append(f"    {engine} missed (tune split): {', '.join(missed)}")
    return "\n".join(lines)


def run():
    import subprocess

    from bench_elasticsearch import es_node
    from common import prepared_state, python, row
    from relevance_rows import recall_mrr_rows

    with es_node() as url, prepared_state(BENCH_ELASTICSEARCH_URL=url) as (_state, env):
        result = subprocess.run(
            [python(), __file__, "--inner"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800
        )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-4000:])
    data = json.loads(result.stdout.strip().splitlines()[-1])
    print(side_by_side(data))
    if data["embedded_missed"]:
        print("    embedded backend missed (demo):", ", ".join(data["embedded_missed"]))
    print(real_table(data["real"]))
    n = data["queries"]
    rows = recall_mrr_rows(f"demo relevance ({n} queries): embedded", *data["embedded"][:2], min_recall=0.90)
    rows += recall_mrr_rows(f"demo relevance ({n} queries): Wagtail database backend", *data["wagtail"][:2])
    for check, ok in data["checks"].items():
        rows.append(row(f"demo: {check}", ok, "", "yes", ok))
    for engine, result in data["real"]["results"].items():
        table = result["table"]
        for split in ("tune", "held"):
            recall, mrr, count = table[split]
            held = split == "held"
            rows += recall_mrr_rows(
                f"real catalog {split} ({count} q): {engine}",
                recall,
                mrr,
                min_recall=HELD_RECALL if held else None,
                min_mrr=HELD_MRR if held else None,
            )
        rows.append(
            row(
                f"real catalog: {engine} queries listing an item twice",
                len(result["duplicates"]),
                "queries",
                "0",
                not result["duplicates"],
            )
        )
    return rows


if __name__ == "__main__" and "--inner" in sys.argv:
    inner()
