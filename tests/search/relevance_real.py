"""Relevance set over a catalog of real public item names (tests/search/data/, sources in the
files' headers): 270 queries as citizens type them, in six classes, with a held-back split.

A query is found when one of its acceptable results is among the first 10 results (one result
per item: grouped, as the public sees them); recall@10 is the share of queries found, MRR the
mean of 1/rank of the first acceptable result. The catalog is indexed in three centers, so a
query that lists one item twice (a center copy) shows up as a duplicate.
Used by bench/bench_search_relevance.py and tests/search/test_relevance_real.py.
"""

from pathlib import Path

from search.documents import SearchDocument

DATA = Path(__file__).resolve().parent / "data"
CENTERS = [("city", "市本级政务服务中心"), ("east", "东区政务服务中心"), ("west", "西区政务服务中心")]
CLASSES = ["abbreviation", "colloquial", "pinyin", "typo", "multi", "life_event"]
SPLITS = ["tune", "held"]


def _lines(name):
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield [part.strip() for part in line.split(" | ")]


def catalog():
    """[(department, name, item type or bundled items, audience, source, kind)]."""
    rows = []
    for department, name, third, audience, source in _lines("real_catalog.txt"):
        kind = "life_event" if department == "一件事" else "guide"
        rows.append((department, name, third, audience, source, kind))
    return rows


def queries():
    """[(split, class, query, [acceptable titles])]."""
    return [
        (split, kind, query, [t.strip() for t in expected.split(" || ")])
        for split, kind, query, expected in _lines("relevance_real.txt")
    ]


def documents():
    docs = []
    for number, (department, name, third, audience, _source, kind) in enumerate(catalog()):
        if kind == "life_event":
            docs.append(
                SearchDocument(
                    key=f"guides.lifeeventpage:{number}",
                    kind=kind,
                    title=name,
                    url=f"/life/{number}/",
                    audience=audience,
                    keywords="一件事",
                    other=third.replace("、", " "),
                    summary=f"{name}：{third}",
                )
            )
            continue
        for code, label in CENTERS:
            docs.append(
                SearchDocument(
                    key=f"guides.guidepage:{code}-{number}",
                    kind=kind,
                    title=name,
                    url=f"/guides/{code}/{number}/",
                    item_code=f"{code.upper()}-{number:04d}",
                    center=code,
                    center_label=label,
                    department=department,
                    department_label=department,
                    audience=audience,
                    item_type=third,
                    other=department,
                    summary=f"{name}（{department}）",
                )
            )
    return docs


def evaluate(search_titles, rows=None):
    """{(split, class): [found, rr, n]} plus totals, and the per-query rows.

    `search_titles(query) -> [titles, best first]` (one per item)."""
    results = []
    for split, kind, query, expected in rows or queries():
        titles = search_titles(query)[:10]
        rank = next((i for i, title in enumerate(titles, 1) if title in expected), 0)
        duplicates = len(titles) - len(set(titles))
        results.append((split, kind, query, 1.0 if rank else 0.0, 1.0 / rank if rank else 0.0, titles, duplicates))
    return results


def summarise(results):
    """{"all"|split|(split, class)|class: (recall@10, MRR, n)}."""

    def figures(rows):
        n = len(rows)
        return (sum(r[3] for r in rows) / n, sum(r[4] for r in rows) / n, n) if n else (0.0, 0.0, 0)

    table = {"all": figures(results)}
    for split in SPLITS:
        table[split] = figures([r for r in results if r[0] == split])
        for kind in CLASSES:
            table[(split, kind)] = figures([r for r in results if r[0] == split and r[1] == kind])
    for kind in CLASSES:
        table[kind] = figures([r for r in results if r[1] == kind])
    return table
