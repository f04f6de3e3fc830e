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
    from search.backends.embedded import EmbeddedBackend
    from search.backends.embedded_store import COLUMNS

    for document in sample_documents():
        source = es.to_source(document)
        _doc, fts_row, _combo = EmbeddedBackend._rows(document)
        assert [source[column] for column in COLUMNS] == list(fts_row)
    first = es.to_source(sample_documents()[0])
    assert {"sfz", "jmsfz", "shenfen"} <= set(first["pinyin"].split())
    assert first["theme_labels"] == ["ids\x1f证件办理"] and first["fee"] == "charged"
    assert first["title_grams"].split()[:3] == ["居民", "民身", "身份"]


def test_fts_expressions_translate_to_bool_queries():
    from search.backends.es_queries import fields, from_fts, token_query

    assert from_fts('"营业执照"') == token_query("营业执照")
    assert from_fts('"yyzz"*')["bool"]["should"][0]["multi_match"]["query"] == "yyzz"
    assert {"prefix": {"pinyin": {"value": "yyzz", "boost": 0.3}}} in from_fts('"yyzz"*')["bool"]["should"]
    # NOT binds tighter than AND, AND tighter than OR; neighbours are ANDed.
    query = from_fts('"a" OR "b" AND "c" NOT "d" "e"')
    first, second = query["bool"]["should"]
    assert first == token_query("a")
    assert second["bool"]["must"][0] == token_query("b")
    assert second["bool"]["must"][1] == {"bool": {"must": [token_query("c")], "must_not": [token_query("d")]}}
    assert second["bool"]["must"][2] == token_query("e")
    # Column filters apply to what follows them; a quoted run of tokens is a phrase.
    columns = from_fts('{name keywords pinyin}: ("身份" AND pinyin:"sfz")')
    assert columns["bool"]["must"][0]["multi_match"]["fields"] == fields(["name", "keywords", "pinyin"])
    assert columns["bool"]["must"][1]["multi_match"]["fields"] == fields(["pinyin"])
    assert from_fts('"平面 面布 布局"')["multi_match"]["type"] == "phrase"
    assert from_fts('"say ""hi"""') == {"multi_match": {"query": 'say "hi"', "fields": fields(), "type": "phrase"}}
    for broken in ['"a" AND (', "nonsense", 'bogus:"a"', ")"]:
        with pytest.raises(ValueError):
            from_fts(broken)


def test_every_term_alternative_of_the_analysis_translates():
    """What search.analysis produces for real queries (synonyms, pinyin, phrases, prefixes)
    is always valid input for the translator."""
    queries = [
        '营业执照 yyzz "个体工商户"',
        "身份证丢了怎么办",
        "营业值照",
        "iso9001认证 gjj",
        "开 桌球室 要 什么 手续",
    ]
    for text in queries:
        parsed = parse_query(text, synonyms={"营业执照": ["企业登记", "执照"], "桌球室": ["台球室"]})
        for term in parsed.terms:
            alternatives = es.term_alternatives(term, known=frozenset({"身份证"}))
            assert alternatives, term.text
    parsed = parse_query("营业执照", synonyms={"营业执照": ["企业登记"]})
    ladder = dict(es.term_alternatives(parsed.terms[0], known=frozenset()))
    assert list(ladder)[0] == "exact"  # strictest first, as search.analysis.term_ladder orders it
    exact = ladder["exact"]["bool"]["should"]
    assert exact[0]["bool"]["should"][0]["multi_match"]["query"] == "营业执照"
    assert "企业登记" in str(exact[1])
    assert ladder["pinyin"]["bool"]["should"][0]["multi_match"]["fields"] == ["pinyin^3.0"]


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
