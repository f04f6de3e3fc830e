"""Embedded backend on a throwaway index file: analysis, ranking, filters, hostile input, rebuild."""

import os
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.analysis import highlight, parse_query, pinyin_tokens
from search.backends.embedded import EmbeddedBackend
from search.documents import SearchDocument


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


@pytest.fixture
def backend(tmp_path):
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


def test_pagination(tmp_path):
    backend = EmbeddedBackend(tmp_path / "paged.sqlite3")
    backend.rebuild([doc(i, f"测试事项{i:02d}", keywords="分页") for i in range(25)])
    first, third = backend.search("分页", page=1), backend.search("分页", page=3)
    assert first.total == 25 and first.pages == 3 and len(first.hits) == 10 and len(third.hits) == 5
    assert not set(titles(first)) & set(titles(third))
    assert backend.search("分页", page=10_000).hits == []
    backend.destroy()


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


def test_rebuild_swaps_a_new_file_in_atomically(backend):
    first = os.path.realpath(backend.path)
    assert backend.path.is_symlink()
    stop = threading.Event()
    seen = []

    def keep_searching():
        while not stop.is_set():
            seen.append(backend.search("身份证").total)

    reader = threading.Thread(target=keep_searching)
    reader.start()
    try:
        for _ in range(3):
            backend.rebuild(DOCS)
    finally:
        stop.set()
        reader.join()
    assert seen and min(seen) == 1  # never empty, never an error
    assert os.path.realpath(backend.path) != first
    assert len(backend._generations()) <= 2


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


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_error(backend, query):
    results = backend.search(query)
    assert results.total >= 0
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
    results = backend.search(query)
    assert results.total >= 0
    parsed = parse_query(query)
    assert len(parsed.terms) <= 12
    backend.suggest(query)
