"""Elasticsearch backend: mappings and queries as data, HTTP traffic against a recording server."""

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


def test_default_mapping_uses_cjk_analysis_pinyin_and_keywords():
    body = es.index_body()
    analysis = body["settings"]["analysis"]
    assert analysis["analyzer"]["zh_index"] == {
        "type": "custom",
        "tokenizer": "standard",
        "filter": ["cjk_width", "lowercase", "cjk_bigram"],
    }
    props = body["mappings"]["properties"]
    assert props["title"]["analyzer"] == "zh_index" and props["title"]["search_analyzer"] == "zh_search"
    assert props["title"]["fields"]["raw"]["type"] == "keyword"
    assert props["pinyin"]["analyzer"] == "pinyin_plain"
    for facet in ("center", "department", "audience", "item_type", "themes", "fee", "online", "kind"):
        assert props[facet]["type"] == "keyword"


def test_synonyms_become_a_search_time_synonym_graph_filter():
    body = es.index_body(synonyms=[["身份证", "居民身份证"], ["营业执照", "企业登记"]])
    analysis = body["settings"]["analysis"]
    assert analysis["filter"]["zh_synonyms"] == {
        "type": "synonym_graph",
        "synonyms": ["営业执照, 企业登记".replace("営", "营"), "身份证, 居民身份证"],
        "lenient": True,
    }
    assert "zh_synonyms" in analysis["analyzer"]["zh_search"]["filter"]
    assert "zh_synonyms" not in analysis["analyzer"]["zh_index"]["filter"]


@pytest.mark.parametrize(
    ("choice", "index_tokenizer", "search_tokenizer"),
    [("smartcn", "smartcn_tokenizer", "smartcn_tokenizer"), ("ik", "ik_max_word", "ik_smart")],
)
def test_plugin_analyzers_chosen_in_settings(choice, index_tokenizer, search_tokenizer):
    with override_settings(ELASTICSEARCH_ANALYZER=choice):
        analysis = es.index_body()["settings"]["analysis"]
    assert analysis["analyzer"]["zh_index"]["tokenizer"] == index_tokenizer
    assert analysis["analyzer"]["zh_search"]["tokenizer"] == search_tokenizer


def test_search_body_requires_every_term_with_pinyin_alternative_and_filters():
    parsed = parse_query('营业执照 yyzz "个体工商户"', synonyms={"营业执照": ["企业登记"]})
    body = es.search_body(parsed, {"audience": ["person"], "center": ["city"]}, page=2)
    query = body["query"]["function_score"]["query"]["bool"]
    assert len(query["must"]) == 4  # three terms (个体工商户 from the phrase too) + the phrase
    first = query["must"][0]["bool"]["should"]
    assert {s["multi_match"]["query"] for s in first if "multi_match" in s} >= {"个体工商户"}
    texts = [s for q in query["must"] if "bool" in q for s in q["bool"]["should"]]
    assert {"match": {"pinyin": {"query": "yingye yezhi zhizhao", "operator": "and", "boost": 3}}} in texts
    assert {"prefix": {"pinyin": {"value": "yyzz", "boost": 3}}} in texts
    assert any(s.get("multi_match", {}).get("query") == "企业登记" for s in texts)
    assert {"terms": {"audience": ["both", "person"]}} in query["filter"]
    assert {"terms": {"center": ["city"]}} in query["filter"]
    assert body["from"] == 10 and body["size"] == 10
    assert body["highlight"]["encoder"] == "html" and body["highlight"]["pre_tags"] == ["<mark>"]
    assert set(body["aggs"]) == set(es.FACET_FIELDS)
    assert "title^10" in query["must"][0]["bool"]["should"][0]["multi_match"]["fields"]


def test_any_mode_body_uses_should():
    body = es.search_body(parse_query("桌球室 许可证"), mode="any")
    query = body["query"]["function_score"]["query"]["bool"]
    assert query["minimum_should_match"] == 1 and len(query["should"]) == 2


def test_rebuild_puts_template_bulk_indexes_and_swaps_alias_atomically():
    with recording_server() as server, override_settings(ELASTICSEARCH_INDEX_PREFIX="gk"):
        server.aliases["gk-items"] = ["gk-items-old"]
        backend = es.ElasticsearchBackend(url=server.url)
        result = backend.rebuild(sample_documents())
        template = server.find("PUT", "/_index_template/gk-items")[0]["body"]
        assert template["index_patterns"] == ["gk-items-*"]
        assert template["template"]["mappings"]["properties"]["pinyin"]["analyzer"] == "pinyin_plain"
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


def test_search_sends_query_and_parses_hits_facets_and_highlight():
    with recording_server() as server, override_settings(ELASTICSEARCH_INDEX_PREFIX="gk"):
        server.search_response = {
            "took": 3,
            "hits": {
                "total": {"value": 1, "relation": "eq"},
                "hits": [
                    {
                        "_id": "guides.guidepage:1",
                        "_score": 7.5,
                        "_source": {
                            "kind": "guide",
                            "title": "居民身份证办理（补领）",
                            "url": "/g/1/",
                            "center": "city",
                            "item_code": "GAJ-006-02",
                        },
                        "highlight": {"summary": ["补领<mark>身份证</mark>"]},
                    }
                ],
            },
            "aggregations": {
                "center": {"buckets": [{"key": "city", "doc_count": 1}]},
                "fee": {"buckets": [{"key": "charged", "doc_count": 1}]},
            },
        }
        backend = es.ElasticsearchBackend(url=server.url)
        results = backend.search("身份证 补办", filters={"center": ["city"]})
        request = server.find("POST", "/gk-items/_search")[0]["body"]
        assert request["query"]["function_score"]["query"]["bool"]["filter"] == [{"terms": {"center": ["city"]}}]
        assert results.total == 1 and results.hits[0].snippet == "补领<mark>身份证</mark>"
        assert results.hits[0].as_json()["item_code"] == "GAJ-006-02"
        assert results.facets["center"] == [{"value": "city", "label": "city", "count": 1}]
        assert results.facets["fee"][0]["label"] == "收费"


def test_unreachable_cluster_raises_search_unavailable():
    from search.backends import SearchUnavailable

    backend = es.ElasticsearchBackend(url="http://127.0.0.1:9")
    with pytest.raises(SearchUnavailable):
        backend.search("身份证")
    with pytest.raises(SearchUnavailable):
        backend.ping()
