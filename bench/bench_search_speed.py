"""Search speed: embedded index query latency at 10,000 and 100,000 items, indexing rate, and
the search page under load (gunicorn, 2 workers).

Searches run as the public search page runs them: one result per item (grouped across the 40
centers, search.grouping) and the default everyday-language lexicon plus the demo synonyms as
synonyms (search.lexicon), facet counts over all matches, snippets for the page shown.

Synthetic documents are built from the demo catalog's vocabulary (names, variants, keywords,
materials, legal basis) and indexed straight into a throwaway index file.
Tunable: BENCH_SEARCH_SIZES (default "10000,100000"), BENCH_CLIENTS, BENCH_DURATION.
"""

import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = [int(s) for s in os.environ.get("BENCH_SEARCH_SIZES", "10000,100000").split(",") if s]
TARGET_P95 = {10000: 30.0, 100000: 100.0}
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
DURATION = float(os.environ.get("BENCH_DURATION", "10"))
QUERIES = [
    "身份证",
    "营业执照",
    "yyzz",
    "sfz",
    "身份证丢了怎么办",
    "开饭店要什么证",
    "公积金提取",
    "营业值照",
    "许可",
    "消防 检查",
    "婚姻登记",
    "不动产登记 抵押",
    "社保卡",
    "gjj",
    '"平面布局图"',
    "网吧 变更",
    "施工许可",
    "低保",
    "养老保险 参保",
    "驾照 到期",
    "我想开个网吧",
    "残疾证",
    "桌球室",
]


def _django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")
    os.environ.setdefault("GONGKAI_LOCAL", "1")
    import django

    django.setup()


def synthetic_documents(count, seed=7):
    from guides.demo_catalog import CATALOG, THEMES
    from search.documents import SearchDocument

    rng = random.Random(seed)
    centers = [(f"c{i:02d}", f"第{i}区政务服务中心") for i in range(40)]
    for n in range(count):
        template = rng.choice(CATALOG)
        suffix = rng.choice(template.get("variants") or [("", 1)])[0]
        other = rng.choice(CATALOG)
        center, center_name = rng.choice(centers)
        materials = [m[0] for m in template["materials"]] + [
            m[0] for m in rng.sample(other["materials"], min(2, len(other["materials"])))
        ]
        basis = "；".join(f"《{b[0]}》{b[2]}" for b in template["basis"])
        yield SearchDocument(
            key=f"bench:{n}",
            kind="guide",
            title=template["name"] + suffix,
            url=f"/guides/{center}/{n}/",
            item_code=f"{template['dept'].upper()}-{n:06d}",
            center=center,
            center_label=center_name,
            department=template["dept"],
            department_label=template["dept"],
            audience=template["audience"],
            item_type=template["type"],
            themes=[(slug, name) for slug, name, _a in THEMES if slug in template["themes"]],
            charged=bool(template.get("fees")),
            online=rng.random() < 0.7,
            keywords=template.get("keywords", "") + f" {template['dept']}-{n}",
            conditions=f"申请人符合{basis}规定的条件，申请材料齐全、符合法定形式。",
            materials="；".join(materials),
            procedure="受理：窗口收取并审查申请材料；审查：对申请材料进行审查；决定：作出决定；送达：领取结果",
            other=f"{center_name} {basis}",
            summary=f"申报材料：{'、'.join(materials)}。",
        )


# Filters the search page sends when a visitor narrows the results (one set per round).
FILTER_ROUNDS = [
    None,
    {"audience": ["legal"]},
    None,
    {"center": ["c03"]},
    {"online": ["yes"], "fee": ["free"]},
    None,
    {"theme": ["permits"]},
    None,
    {"audience": ["person"], "center": ["c11"]},
    None,
]


def measure(size, tmp):
    """Rebuild rate, then p50/p95 of searches as the search page runs them (facet counts,
    snippets for the page shown, filters in some rounds, pages 1 and 2), then the rate of
    incremental index() calls into the live index (what publishing does)."""
    from common import percentile, row

    from search import lexicon
    from search.backends.embedded import EmbeddedBackend
    from search.demo import DEMO_SYNONYMS
    from search.models import SynonymGroup
    from search.synonyms import build_map

    demo = [(SynonymGroup(terms=terms).term_list(), False) for terms in DEMO_SYNONYMS]
    lexicon_groups = [([e.everyday, *e.official], True) for e in lexicon.read()]
    synonyms = build_map(demo + lexicon_groups)
    backend = EmbeddedBackend(Path(tmp) / f"bench-{size}.sqlite3")
    documents = list(synthetic_documents(size))
    backend.rebuild([])  # jieba and pypinyin warm-up outside the timing
    backend.index(documents[:10])
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    backend.rebuild(documents)
    seconds = time.perf_counter() - started
    rate = size / seconds
    for query in QUERIES:  # warm the page cache
        backend.search(query, group=True, synonyms=synonyms)
    timings = []
    facets = 0
    for round_number, filters in enumerate(FILTER_ROUNDS):
        for query in QUERIES:
            began = time.perf_counter()
            results = backend.search(
                query,
                filters=filters,
                page=1 + round_number % 2,
                synonyms=synonyms,
                group=True,
                prefer_center="c05" if round_number % 3 == 0 else "",
            )
            timings.append((time.perf_counter() - began) * 1000)
            facets += sum(len(values) for values in results.facets.values())
    timings.sort()
    p95 = percentile(timings, 0.95)
    target = TARGET_P95.get(size)
    extra = list(synthetic_documents(1000, seed=11))
    for document in extra:
        document.key = document.key.replace("bench:", "bench-extra:")
    started = time.perf_counter()
    for start in range(0, len(extra), 50):  # 50 documents per call, each call its own transaction
        backend.index(extra[start : start + 50])
    incremental = len(extra) / (time.perf_counter() - started)
    load_after = os.getloadavg()[0]
    size_mib = sum(p.stat().st_size for p in Path(tmp).glob(f"bench-{size}.sqlite3.gen-*")) / 2**20
    backend.destroy()
    assert facets, "searches returned no facet counts"
    return [
        row(f"embedded search, {size:,} items: indexing rate (rebuild)", round(rate), "items/s", ">= 500", rate >= 500),
        row(
            f"embedded search, {size:,} items: indexing rate (index() into the live index, 50 per call)",
            round(incremental),
            "items/s",
            ">= 500",
            incremental >= 500,
        ),
        row(
            f"embedded search, {size:,} items: query p50 ({len(timings)} grouped searches, lexicon on)",
            round(percentile(timings, 0.5), 1),
            "ms",
        ),
        row(
            f"embedded search, {size:,} items: query p95 ({len(timings)} grouped searches, lexicon on)",
            round(p95, 1),
            "ms",
            f"<= {target:g}" if target else "report",
            p95 <= target if target else None,
        ),
        row(f"embedded search, {size:,} items: index file", round(size_mib, 1), "MiB"),
        row(
            f"embedded search, {size:,} items: load average (1 min) before / after",
            f"{load_before:.2f} / {load_after:.2f}",
            "",
            "report",
        ),
    ]


def run():
    from common import load, row, serve

    _django()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-search-", dir=os.environ.get("BENCH_TMP")) as tmp:
        for size in SIZES:
            rows += measure(size, tmp)
    paths = [
        f"/search/?q={q}"
        for q in (
            "%E8%BA%AB%E4%BB%BD%E8%AF%81",
            "yyzz",
            "%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7",
            "%E5%85%AC%E7%A7%AF%E9%87%91",
        )
    ]
    with serve(RATE_LIMIT_SEARCH="100000000") as server:
        load(server.url, paths, clients=2, duration=2)
        result = load(server.url, paths, clients=CLIENTS, duration=DURATION)
    name = f"search page /search/ (gunicorn 2 workers, SQLite, {CLIENTS} clients)"
    rows.append(row(f"{name}: throughput", result["rps"], "req/s"))
    rows.append(row(f"{name}: p95 latency", result["p95_ms"], "ms"))
    rows.append(
        row(f"{name}: errors of {result['requests']}", result["errors"], "requests", "= 0", result["errors"] == 0)
    )
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    for r in run():
        print(r)
