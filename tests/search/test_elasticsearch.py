"""Elasticsearch backend: mappings and queries as data, and what only a recording server shows
(the exact requests of a rebuild, a closed port). Behaviour runs against a live node in
test_embedded.py, test_site.py and test_live_elasticsearch.py."""

import pytest
from django.test import override_settings

from search.analysis import parse_query
from search.backends import elasticsearch as es
from search.documents import SearchDocument

from .es_recorder import recording_server


def sample_documents():
    return [
        SearchDocument(
            key="guides.guidepage:1",
            kind="guide",
            title="居民身份证办理（补领）",
            url="/guides/city/gaj/gaj-006-02/",
            item_code="GAJ-006-02",
            center="city",
            center_label="市本级",
            department="gaj",
            department_label="公安局",
            audience="person",
            item_type="confirmation",
            themes=[("ids", "证件办理")],
            charged=True,
            online=True,
            keywords="身份证 补办身份证 身份证丢了",
            conditions="申请人符合条件",
            materials="居民户口簿",
            procedure="受理；办结",
            summary="申请人符合条件 申报材料：居民户口簿",
        ),
        SearchDocument(
            key="guides.feeitem:2",
            kind="fee",
            title="居民身份证工本费",
            url="/fees/#fee-SFZ-GB",
            center="city",
            charged=True,
            summary="20 元/证",
        ),
    ]


def test_mapping_indexes_pre_analysed_tokens_with_the_built_in_whitespace_analyzer():
    body = es.index_body()
    assert "analysis" not in body["settings"]  # nothing a minimal node lacks: no plugin, no module
    props = body["mappings"]["properties"]
    for field in (*es.SEARCHABLE, "plain", "title_grams"):
        assert props[field]["type"] == "text" and props[field]["analyzer"] == "whitespace", field
    for facet in ("center", "department", "audience", "item_type", "themes", "theme_labels", "fee", "online", "kind"):
        assert props[facet]["type"] == "keyword"
    assert body["mappings"]["dynamic"] == "strict"


def test_documents_carry_the_embedded_index_tokens():
    """Both engines index the same tokens: the columns of the embedded index, word for word."""
    from search.backends.embedded import COLUMNS, EmbeddedBackend

    for document in sample_documents():
        source = es.to_source(document)
        _doc, fts_row, _combo = EmbeddedBackend._rows(document)
        assert [source[column] for column in COLUMNS] == list(fts_row)
    first = es.to_source(sample_documents()[0])
    assert {"sfz", "jmsfz", "shenfen"} <= set(first["pinyin"].split())
    assert first["theme_labels"] == ["ids\x1f证件办理"] and first["fee"] == "charged"
    assert first["title_grams"].split()[:3] == ["居民", "民身", "身份"]


def test_term_queries_mirror_the_fts_expressions():
    parsed = parse_query('营业执照 yyzz "个体工商户"', synonyms={"营业执照": ["企业登记"]})
    by_text = {term.text: term for term in parsed.terms}
    exact = es.exact_query(by_text["营业执照"])
    words = [option["bool"]["should"] for option in exact["bool"]["should"]]
    assert [w[0]["multi_match"]["query"] for w in words] == ["营业执照", "企业登记"]
    assert words[0][1]["multi_match"] == {
        "query": "营业 业执 执照",
        "fields": es._fields(),
        "type": "cross_fields",
        "operator": "and",
    }
    assert es.pinyin_query(by_text["营业执照"]) == {
        "match": {"pinyin": {"query": "yezhi yingye zhizhao", "operator": "and", "boost": 3.0}}
    }
    assert es.pinyin_query(by_text["yyzz"]) is None
    prefix = es.exact_query(by_text["yyzz"])["bool"]["should"]
    assert {"prefix": {"pinyin": {"value": "yyzz", "boost": 0.3}}} in prefix[1:]
    assert prefix[0]["multi_match"]["query"] == "yyzz"  # the whole token, scored by BM25
    assert es.phrase_queries(parsed.phrases)[0]["multi_match"]["query"] == "个体 体工 工商 商户"
    assert es.filter_clauses({"audience": ["person"], "theme": ["ids"], "bogus": ["x"]}) == [
        {"terms": {"audience": ["both", "person"]}},
        {"terms": {"themes": ["ids"]}},
    ]


def test_rebuild_puts_template_bulk_indexes_and_swaps_alias_atomically():
    with recording_server() as server, override_settings(ELASTICSEARCH_INDEX_PREFIX="gk"):
        server.aliases["gk-items"] = ["gk-items-old"]
        backend = es.ElasticsearchBackend(url=server.url)
        result = backend.rebuild(sample_documents())
        template = server.find("PUT", "/_index_template/gk-items")[0]["body"]
        assert template["index_patterns"] == ["gk-items-*"]
        assert template["template"]["mappings"]["properties"]["pinyin"]["analyzer"] == "whitespace"
        new_index = result["index"]
        assert new_index.startswith("gk-items-")
        assert server.find("PUT", f"/{new_index}")
        bulk = [r for r in server.requests if "_bulk" in r["path"]][0]["lines"]
        assert bulk[0] == {"index": {"_index": new_index, "_id": "guides.guidepage:1"}}
        assert bulk[1]["title"] == "居民身份证办理（补领）" and "sfz" in bulk[1]["pinyin"].split()
        aliases = server.find("POST", "/_aliases")[0]["body"]["actions"]
        assert aliases == [
            {"remove": {"index": "gk-items-old", "alias": "gk-items"}},
            {"add": {"index": new_index, "alias": "gk-items"}},
        ]
        assert server.find("DELETE", "/gk-items-old")
        assert server.aliases["gk-items"] == [new_index]
        # Order: template, create, bulk, refresh, alias swap, delete old.
        order = [r["method"] + " " + r["path"].split("?")[0] for r in server.requests]
        assert (
            order.index(f"POST /{new_index}/_refresh")
            < order.index("POST /_aliases")
            < order.index("DELETE /gk-items-old")
        )


def test_unreachable_cluster_raises_search_unavailable():
    from search.backends import SearchUnavailable

    backend = es.ElasticsearchBackend(url="http://127.0.0.1:9")
    with pytest.raises(SearchUnavailable):
        backend.search("身份证")
    with pytest.raises(SearchUnavailable):
        backend.ping()
