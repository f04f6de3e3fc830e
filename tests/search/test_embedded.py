"""Both search backends on a throwaway index: analysis, ranking, filters, hostile input, rebuild.

Tests that take the `backend` fixture describe behaviour and run against the embedded index
and a live Elasticsearch node (tests/search/live_es.py); those that take `embedded` test the
embedded index's own file layout and bookkeeping."""

import os
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.analysis import highlight, parse_query, pinyin_tokens
from search.backends.embedded import EmbeddedBackend
from search.documents import SearchDocument

from .live_es import BACKENDS, backend_named


def doc(pk, title, **kwargs):
    defaults = {
        "kind": "guide",
        "url": f"/g/{pk}/",
        "center": "city",
        "center_label": "市本级",
        "audience": "person",
        "item_type": "licensing",
        "charged": False,
        "online": True,
    }
    defaults.update(kwargs)
    return SearchDocument(key=f"guides.guidepage:{pk}", title=title, **defaults)


DOCS = [
    doc(
        1,
        "居民身份证办理（补领）",
        keywords="身份证 补办身份证 身份证丢了",
        department="gaj",
        department_label="公安局",
        themes=[("ids", "证件办理")],
        charged=True,
        summary="申报材料：居民户口簿、近期免冠证件照片。",
    ),
    doc(
        2,
        "企业设立登记（有限责任公司）",
        keywords="营业执照 开公司 注册公司",
        audience="legal",
        department="scjg",
        department_label="市场监督管理局",
        themes=[("setup", "设立变更")],
        summary="申报材料：公司章程、法定代表人身份证明。",
    ),
    doc(
        3,
        "食品经营许可（新办）",
        keywords="餐饮 饭店 小吃店",
        audience="legal",
        department="scjg",
        department_label="市场监督管理局",
        materials="营业执照；经营场所平面布局图",
        summary="申报材料：营业执照、经营场所平面布局图。",
        online=False,
    ),
    doc(
        4,
        "娱乐场所经营活动审批（新办）",
        keywords="台球室 桌球室 KTV",
        audience="legal",
        department="wgl",
        department_label="文化广电旅游局",
        center="dongcheng",
        center_label="东城区",
        materials="营业执照；消防安全检查合格证明",
        summary="申报材料：营业执照、消防安全检查合格证明。",
    ),
    doc(
        5,
        "婚姻登记（结婚登记）",
        keywords="结婚证 领证",
        department="mz",
        department_label="民政局",
        summary="双方当事人共同到婚姻登记机关提出申请。<script>alert(1)</script>",
    ),
    doc(
        6,
        "住房公积金提取（租房）",
        keywords="公积金 提公积金",
        department="gjj",
        department_label="公积金中心",
        summary="租房提取住房公积金。",
    ),
]


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path):
    with backend_named(request.param, tmp_path) as backend:
        backend.rebuild(DOCS)
        yield backend


@pytest.fixture
def embedded(tmp_path):
    backend = EmbeddedBackend(tmp_path / "index.sqlite3")
    backend.rebuild(DOCS)
    yield backend
    backend.destroy()


def titles(results):
    return [hit.title for hit in results.hits]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("身份证", "居民身份证办理（补领）"),
        ("份证", "居民身份证办理（补领）"),  # part of a word, through bigrams
        ("yyzz", "企业设立登记（有限责任公司）"),  # pinyin initials of 营业执照 (keywords)
        ("yingyezhizhao", "企业设立登记（有限责任公司）"),
        ("sfz", "居民身份证办理（补领）"),
        ("营业值照", "企业设立登记（有限责任公司）"),  # homophone typo
        ("身分证", "居民身份证办理（补领）"),
        ("桌球室", "娱乐场所经营活动审批（新办）"),
        ("ktv", "娱乐场所经营活动审批（新办）"),
        ("身份证丢了怎么办", "居民身份证办理（补领）"),
        ("gjj", "住房公积金提取（租房）"),
    ],
)
def test_finds_items_by_name_part_pinyin_and_typo(backend, query, expected):
    results = backend.search(query)
    assert results.hits, query
    assert results.hits[0].title == expected


def test_name_ranks_above_materials(backend):
    # 营业执照 is in doc 2's keywords (name fields) and only in doc 3's and 4's materials.
    results = backend.search("营业执照")
    assert titles(results)[0] == "企业设立登记（有限责任公司）"
    assert {"食品经营许可（新办）"} <= set(titles(results))


def test_all_terms_required_then_fallback_to_any(backend):
    both = backend.search("营业执照 餐饮")
    assert titles(both) == ["食品经营许可（新办）"] or titles(both)[0] == "食品经营许可（新办）"
    assert both.mode in {"all", "all+any"}
    neither = backend.search("结婚证 公积金")
    assert neither.mode == "any"
    assert set(titles(neither)) == {"婚姻登记（结婚登记）", "住房公积金提取（租房）"}


def test_quoted_phrase_must_appear_as_written(backend):
    assert titles(backend.search('"平面布局图"')) == ["食品经营许可（新办）"]
    assert backend.search('"布局平面图"').total == 0


def test_filters_and_facet_counts(backend):
    results = backend.search("营业执照")
    facets = {name: {v["value"]: v["count"] for v in values} for name, values in results.facets.items()}
    assert facets["audience"] == {"legal": 3}
    assert facets["center"] == {"city": 2, "dongcheng": 1}
    assert facets["online"] == {"yes": 2, "no": 1}
    assert facets["department"]["scjg"] == 2
    labels = {v["value"]: v["label"] for v in results.facets["department"]}
    assert labels["scjg"] == "市场监督管理局"
    filtered = backend.search("营业执照", filters={"center": ["dongcheng"]})
    assert titles(filtered) == ["娱乐场所经营活动审批（新办）"]
    assert backend.search("身份证", filters={"theme": ["ids"]}).total == 1
    assert backend.search("身份证", filters={"theme": ["setup"]}).total == 0
    assert backend.search("身份证", filters={"fee": ["charged"]}).total == 1
    assert backend.search("身份证", filters={"audience": ["legal"]}).total == 0


def test_snippets_are_escaped_and_marked(backend):
    hit = backend.search("结婚登记").hits[0]
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
    assert "<mark>" in hit.snippet
    assert highlight("a<b>营业执照</b>", ["营业执照"]) == "a&lt;b&gt;<mark>营业执照</mark>&lt;/b&gt;"


@pytest.mark.parametrize("name", BACKENDS)
def test_pagination(tmp_path, name):
    with backend_named(name, tmp_path) as backend:
        backend.rebuild([doc(i, f"测试事项{i:02d}", keywords="分页") for i in range(25)])
        first, third = backend.search("分页", page=1), backend.search("分页", page=3)
        assert first.total == 25 and first.pages == 3 and len(first.hits) == 10 and len(third.hits) == 5
        assert not set(titles(first)) & set(titles(third))
        every = [title for page in (1, 2, 3) for title in titles(backend.search("分页", page=page))]
        assert sorted(every) == sorted(f"测试事项{i:02d}" for i in range(25))
        assert backend.search("分页", page=10_000).hits == []


def test_index_delete_update(backend):
    backend.index([doc(99, "新增事项测试", keywords="独特词")])
    assert titles(backend.search("独特词")) == ["新增事项测试"]
    backend.delete(["guides.guidepage:99"])
    assert backend.search("独特词").total == 0
    result = backend.update(DOCS[:2])
    assert result == {"indexed": 2, "removed": 4}
    assert backend.count() == 2


def test_suggest_by_name_and_pinyin_prefix(backend):
    assert backend.suggest("居民")[0]["title"] == "居民身份证办理（补领）"
    assert "居民身份证办理（补领）" in [s["title"] for s in backend.suggest("jmsf")]
    assert "企业设立登记（有限责任公司）" in [s["title"] for s in backend.suggest("yyz")]
    assert backend.suggest('"*)(') == []


def test_rebuild_swaps_a_new_file_in_atomically(embedded):
    first = os.path.realpath(embedded.path)
    assert embedded.path.is_symlink()
    stop = threading.Event()
    seen = []

    def keep_searching():
        while not stop.is_set():
            seen.append(embedded.search("身份证").total)

    reader = threading.Thread(target=keep_searching)
    reader.start()
    try:
        for _ in range(3):
            embedded.rebuild(DOCS)
    finally:
        stop.set()
        reader.join()
    assert seen and min(seen) == 1  # never empty, never an error
    assert os.path.realpath(embedded.path) != first
    assert len(embedded._generations()) <= 2


def test_concurrent_writers_in_separate_processes(tmp_path):
    import multiprocessing

    path = tmp_path / "shared.sqlite3"
    EmbeddedBackend(path).rebuild([])
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_write_many, args=(str(path), start)) for start in (0, 1000, 2000)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    assert [p.exitcode for p in processes] == [0, 0, 0]
    assert EmbeddedBackend(path).count() == 60


def _write_many(path, start):
    backend = EmbeddedBackend(path)
    for i in range(20):
        backend.index([doc(start + i, f"并发写入{start + i}")])


def test_pinyin_tokens_hold_full_initials_and_pairs():
    tokens = pinyin_tokens("营业执照").split()
    assert {"yingyezhizhao", "yyzz", "yingye", "zhizhao", "yezhi"} <= set(tokens)


HOSTILE = [
    '"',
    '""',
    '营业执照"',
    "* OR 1=1",
    "NEAR(身份证 营业执照, 2)",
    "身份证 AND OR NOT",
    "((((",
    "'; DROP TABLE docs; --",
    "name:身份证",
    "{name}: x",
    "\x00\x01\x1b[31m",
    "😀🎉 身份证 🆔",
    "a" * 10_000,
    "身份证" * 4000,
    "^营业",
    "-",
    "+身份证 -营业",
]


# What each hostile query finds: operators and quotes are plain text, never syntax. None: nothing.
ID_CARD, COMPANY = "居民身份证办理（补领）", "企业设立登记（有限责任公司）"
HOSTILE_FINDS = {
    '"': None,
    '""': None,
    '营业执照"': COMPANY,
    "* OR 1=1": None,
    "NEAR(身份证 营业执照, 2)": ID_CARD,
    "身份证 AND OR NOT": ID_CARD,
    "((((": None,
    "'; DROP TABLE docs; --": None,
    "name:身份证": ID_CARD,
    "{name}: x": None,
    "\x00\x01\x1b[31m": None,
    "😀🎉 身份证 🆔": ID_CARD,
    "a" * 10_000: None,
    "身份证" * 4000: ID_CARD,
    "^营业": COMPANY,
    "-": None,
    "+身份证 -营业": ID_CARD,
}


def assert_well_formed(results):
    """Consistent results: a count, at most a page of hits from the indexed documents."""
    indexed = {document.title for document in DOCS}
    assert isinstance(results.total, int) and 0 <= results.total <= len(DOCS)
    assert len(results.hits) <= min(results.total, results.per_page)
    assert {hit.title for hit in results.hits} <= indexed
    assert (results.total == 0) == (results.hits == [])


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_error(backend, query):
    results = backend.search(query)
    assert_well_formed(results)
    expected = HOSTILE_FINDS[query]
    if expected is None:
        assert results.total == 0
    else:
        assert titles(results)[0] == expected
    assert titles(backend.search("身份证")) == [ID_CARD]  # the index is intact afterwards
    backend.suggest(query)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300)
    | st.sampled_from(HOSTILE)
    | st.lists(
        st.sampled_from(
            ['"', "*", "NEAR", "AND", "OR", "NOT", "(", ")", "身份证", "yyzz", ":", "^", "-", "+", "{", "}"]
        ),
        max_size=12,
    ).map(" ".join)
)
def test_any_text_is_a_valid_query(backend, query):
    assert_well_formed(backend.search(query))
    parsed = parse_query(query)
    assert len(parsed.terms) <= 12
    backend.suggest(query)


# ---- large result sets, facet bookkeeping, schema -------------------------------------------


def _many(count):
    """`count` documents that all say 许可 somewhere; every third has it in its name."""
    centers = ["city", "east", "west", "north"]
    documents = []
    for i in range(count):
        in_name = i % 3 == 0
        documents.append(
            doc(
                1000 + i,
                f"测试许可事项{i:03d}" if in_name else f"测试事项{'甲' * (i % 7)}{i:03d}",
                materials="" if in_name else "许可证明材料",
                center=centers[i % 4],
                center_label=f"中心{i % 4}",
                audience=["person", "legal", "both"][i % 3],
                department=f"d{i % 5}",
                department_label=f"部门{i % 5}",
                themes=[(f"t{i % 2}", f"主题{i % 2}")] + ([("extra", "附加")] if i % 5 == 0 else []),
                charged=i % 2 == 0,
                online=None if i % 11 == 0 else i % 4 == 0,
            )
        )
    return documents


def _expected_facets(documents, keep=lambda d: True):
    from collections import Counter

    counts = {name: Counter() for name in ("center", "audience", "department", "theme", "fee", "online")}
    for d in documents:
        if not keep(d):
            continue
        counts["center"][d.center] += 1
        counts["audience"][d.audience] += 1
        counts["department"][d.department] += 1
        for slug, _label in d.themes:
            counts["theme"][slug] += 1
        counts["fee"]["charged" if d.charged else "free"] += 1
        if d.online is not None:
            counts["online"]["yes" if d.online else "no"] += 1
    return {name: dict(values) for name, values in counts.items()}


@pytest.fixture
def large(tmp_path, monkeypatch):
    """Sixty matches with a bm25 limit of 8, so every query goes through the tiered ranking."""
    from search.backends import embedded

    monkeypatch.setattr(embedded, "BM25_LIMIT", 8)
    documents = _many(60)
    backend = EmbeddedBackend(tmp_path / "large.sqlite3")
    backend.rebuild(documents)
    yield backend, documents
    backend.destroy()


def test_many_matches_name_matches_first_and_pages_cover_everything(large):
    backend, documents = large
    first = backend.search("许可", page=1)
    assert first.total == 60
    named = {d.title for d in documents if "许可" in d.title}
    assert len(named) == 20
    seen = []
    for page in range(1, 7):
        results = backend.search("许可", page=page)
        assert results.total == 60
        seen += titles(results)
    assert len(seen) == 60 and len(set(seen)) == 60  # every match once, none twice
    assert set(seen[:20]) == named  # all name matches before any body-only match
    # In the cheap order shorter titles come first within a tier.
    body = [len(t) for t in seen[20:]]
    assert body == sorted(body)


def test_many_matches_with_filters_paginate_across_tiers(large):
    backend, documents = large
    keep = [d for d in documents if d.center == "east"]  # 15 documents, 5 with 许可 in the name
    seen = []
    for page in (1, 2):
        results = backend.search("许可", filters={"center": ["east"]}, page=page)
        assert results.total == 15
        seen += titles(results)
    assert sorted(seen) == sorted(d.title for d in keep)
    assert set(seen[:5]) == {d.title for d in keep if "许可" in d.title}
    assert backend.search("许可", filters={"center": ["east"]}, page=3).hits == []


@pytest.mark.parametrize("bm25_limit", [8, 1000])
def test_facet_counts_equal_a_recount(tmp_path, monkeypatch, bm25_limit):
    from search.backends import embedded

    monkeypatch.setattr(embedded, "BM25_LIMIT", bm25_limit)
    documents = _many(60)
    backend = EmbeddedBackend(tmp_path / "facets.sqlite3")
    backend.rebuild(documents)
    try:
        results = backend.search("许可")
        got = {name: {v["value"]: v["count"] for v in values} for name, values in results.facets.items()}
        expected = _expected_facets(documents)
        for name, counts in expected.items():
            assert got[name] == counts, name
        assert got["kind"] == {"guide": 60} and got["type"] == {"licensing": 60}
        filtered = backend.search("许可", filters={"theme": ["extra"], "fee": ["charged"]})
        got = {name: {v["value"]: v["count"] for v in values} for name, values in filtered.facets.items()}
        expected = _expected_facets(documents, lambda d: d.charged and ("extra", "附加") in d.themes)
        assert filtered.total == sum(expected["fee"].values()) == 6
        for name, counts in expected.items():
            assert got[name] == counts, name
    finally:
        backend.destroy()


def test_facet_counts_follow_index_and_delete_in_another_connection(embedded):
    assert {v["value"] for v in embedded.search("营业执照").facets["center"]} == {"city", "dongcheng"}
    writer = EmbeddedBackend(embedded.path)
    writer.index([doc(77, "营业执照遗失补办", center="xicheng", center_label="西城区", themes=[("new", "新主题")])])
    results = embedded.search("营业执照")
    centers = {v["value"]: (v["label"], v["count"]) for v in results.facets["center"]}
    assert centers["xicheng"] == ("西城区", 1)
    assert {v["value"]: v["label"] for v in results.facets["theme"]}["new"] == "新主题"
    writer.delete(["guides.guidepage:77"])
    assert "xicheng" not in {v["value"] for v in embedded.search("营业执照").facets["center"]}


def test_combination_ids_skip_utf16_surrogates(embedded):
    import sqlite3

    connection = sqlite3.connect(os.path.realpath(embedded.path))
    connection.execute(
        "INSERT INTO combos(id, kind, audience, center, department, item_type, fee, online, themes)"
        " VALUES (55295, 'x', '', '', '', '', '', '', '')"
    )
    connection.commit()
    connection.close()
    embedded.index([doc(88, "独一无二的事项", center="surrogate", center_label="代理区")])
    results = embedded.search("独一无二")
    assert titles(results) == ["独一无二的事项"]
    assert results.facets["center"] == [{"value": "surrogate", "label": "代理区", "count": 1}]
    connection = sqlite3.connect(os.path.realpath(embedded.path))
    assert connection.execute("SELECT id FROM combos WHERE center = 'surrogate'").fetchone()[0] == 0xE000
    connection.close()


def test_same_key_twice_in_one_batch_keeps_the_last(backend):
    backend.index([doc(55, "第一版事项", keywords="版本"), doc(55, "第二版事项", keywords="版本")])
    assert titles(backend.search("版本")) == ["第二版事项"]
    backend.rebuild([*DOCS, doc(56, "旧名称", keywords="改名"), doc(56, "新名称", keywords="改名")])
    assert titles(backend.search("改名")) == ["新名称"]


def test_phrase_must_stay_inside_one_field(backend):
    # 营业执照 ends doc 3's materials list and 消防 begins doc 4's second material: the words are
    # next to each other only across a separator, which is not the phrase as written.
    assert backend.search('"执照经营"').total == 0
    assert titles(backend.search('"经营场所平面"')) == ["食品经营许可（新办）"]
    assert titles(backend.search('"消防安全 检查"')) == ["娱乐场所经营活动审批（新办）"]


def test_index_of_an_older_schema_asks_for_a_rebuild(embedded):
    import sqlite3

    from search.backends import SearchUnavailable

    connection = sqlite3.connect(os.path.realpath(embedded.path))
    connection.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
    connection.commit()
    connection.close()
    stale = EmbeddedBackend(embedded.path)
    with pytest.raises(SearchUnavailable, match="rebuild"):
        stale._writer().__enter__()
    result = stale.update(DOCS)
    assert result["indexed"] == len(DOCS) and result.get("rebuilt")
    assert titles(stale.search("身份证"))[0] == "居民身份证办理（补领）"
