"""Query understanding shared by the backends (search.analysis) and grouped results of the
embedded index, on a throwaway index file (no database)."""

import pytest

from search import analysis
from search.analysis import Term, merge_known, name_weights, parse_query, subword_synonyms, term_ladder
from search.backends.embedded import EmbeddedBackend
from search.documents import SearchDocument

SYNONYMS = {
    "驾照": ["驾驶证"],
    "桌球": ["台球"],
    "生孩子": ["出生", "生育登记"],
    "网吧": ["互联网上网服务营业场所"],
}


def doc(pk, title, center="city", **kwargs):
    defaults = {
        "kind": "guide",
        "url": f"/{center}/g/{pk}/",
        "center": center,
        "center_label": {"city": "市本级", "east": "东城区", "west": "西城区"}[center],
        "audience": "person",
        "item_type": "licensing",
        "department": "d",
        "department_label": "部门",
    }
    defaults.update(kwargs)
    return SearchDocument(key=f"guides.guidepage:{center}-{pk}", title=title, **defaults)


CATALOG = [
    ("居民身份证换领", "confirmation", "公安 身份证 户口簿"),
    ("居民身份证补领", "confirmation", "身份证 户口簿"),
    ("居民身份证首次申领", "confirmation", "身份证 户口簿"),
    ("残疾人证新办", "confirmation", "身份证 残疾评定"),
    ("残疾人证换领", "confirmation", "身份证"),
    ("个体工商户设立登记", "licensing", "身份证 经营场所"),
    ("个体工商户注销登记", "licensing", "身份证"),
    ("个体工商户变更登记", "licensing", "身份证"),
    ("巡游出租汽车经营许可", "licensing", "身份证 车辆"),
    ("耕地保护补偿", "payment", "身份证"),
    ("最低生活保障审核确认", "payment", "身份证 户口簿"),
    ("机动车驾驶证换证", "licensing", "身份证"),
    ("机动车驾驶证初次申领", "licensing", "身份证 体检"),
    ("社会保障卡补领、换领、换发", "public_service", "身份证"),
    ("婚姻登记证补领", "confirmation", "身份证"),
    ("台球室经营备案", "other_power", "身份证 场所"),
]


def build(tmp_path, centers=("city", "east", "west")):
    backend = EmbeddedBackend(tmp_path / "idx.sqlite3")
    docs, pk = [], 0
    for center in centers:
        for title, item_type, materials in CATALOG:
            pk += 1
            docs.append(doc(pk, title, center=center, item_type=item_type, materials=materials, summary=title))
    docs.append(
        doc(
            999,
            "开办台球室",
            kind="life_event",
            keywords="台球室（桌球室） 一件事",
            summary="台球室（桌球室）开办一件事",
        )
    )
    backend.rebuild(docs)
    return backend


@pytest.fixture
def backend(tmp_path):
    index = build(tmp_path)
    yield index
    index.destroy()


def titles(results):
    return [hit.title for hit in results.hits]


# ---- analysis (pure) -------------------------------------------------------------------


def test_adjacent_words_that_form_a_known_phrase_stay_one_term():
    assert merge_known(["生", "孩子"], {"生孩子": []}) == ["生孩子"]
    assert merge_known(["办", "营业执照", "要", "啥"], {"办营业执照": []}) == ["办营业执照", "要", "啥"]
    assert merge_known(["我想生", "孩子"], {"生孩子": []}) == ["我", "想", "生孩子"]
    assert merge_known(["居民身份证"], {"身份证": []}) == ["居民身份证"]
    assert merge_known(["身份证", "补办"], {}) == ["身份证", "补办"]
    assert [t.text for t in parse_query("我想生孩子", SYNONYMS).terms] == ["生孩子"]


def test_synonyms_reach_words_inside_a_longer_token():
    assert subword_synonyms("考驾照", SYNONYMS) == [("驾照", ["驾驶证"])]
    assert subword_synonyms("桌球室", SYNONYMS) == [("桌球", ["台球"])]
    term = parse_query("考驾照", SYNONYMS).terms[0]
    assert "驾驶证" in term.fts_subwords() and "驾驶证" in term.title_words()


def test_ladder_is_strictest_first_and_pinyin_is_whole_word_only():
    modes = [mode for mode, _expression in term_ladder(Term("残疾证"))]
    assert modes == ["exact", "subwords", "characters", "pinyin", "partial"]
    assert Term("低保").fts_whole_pinyin() == 'pinyin:"dibao"*'
    assert Term("yyzz", ascii=True).fts_whole_pinyin() == ""
    assert Term("证").fts_characters() == ""  # one character: nothing to fall back to


def test_generic_queries_prefer_new_items_unless_they_ask_for_a_change():
    preferred, demoted = parse_query("营业执照").variant_preference()
    assert "设立" in preferred and "变更" in demoted and "注销" in demoted
    for query in ("身份证补办", "营业执照注销", "驾照到期换证", "社保卡丢了"):
        assert parse_query(query).variant_preference() == ((), ()), query


def test_name_weights_favour_the_word_that_identifies_an_item():
    names = ["居民身份证换领", "社会保障卡补领", "婚姻登记证补领", "残疾人证补领", "驾驶证补领", "出生医学证明补领"]
    strong, weak = name_weights(parse_query("身份证 补领").terms, names)
    assert strong == 1.0 and weak < strong


# ---- the embedded index ------------------------------------------------------------------


def test_one_result_per_item_with_every_center_behind_it(backend):
    results = backend.search("身份证", group=True)
    assert results.grouped and results.documents == 3 * results.total
    assert len(titles(results)) == len(set(titles(results)))
    first = results.hits[0]
    assert [c["center"] for c in first.copies] == ["city", "east", "west"]
    assert {c["url"] for c in first.copies} >= {first.url}


def test_the_chosen_center_comes_first(backend):
    results = backend.search("身份证换领", group=True, prefer_center="west")
    hit = results.hits[0]
    assert hit.title == "居民身份证换领" and hit.center == "west" and hit.url.startswith("/west/")
    assert [c["center"] for c in hit.copies] == ["west", "city", "east"]
    assert [c["center"] for c in hit.other_copies] == ["city", "east"]


def test_grouped_pages_do_not_repeat_items(backend):
    page1 = backend.search("身份证", group=True, per_page=5)
    page2 = backend.search("身份证", group=True, per_page=5, page=2)
    assert not set(titles(page1)) & set(titles(page2))
    assert page1.total == len(CATALOG)


def test_abbreviation_falls_back_to_partial_matches_ranked_by_coverage(backend):
    assert titles(backend.search("残疾证", group=True))[:2] == ["残疾人证新办", "残疾人证换领"]
    assert titles(backend.search("个体户", group=True))[0] == "个体工商户设立登记"
    assert titles(backend.search("出租车", group=True))[0] == "巡游出租汽车经营许可"


def test_pinyin_fallback_never_matches_across_word_boundaries(backend):
    found = titles(backend.search("低保", group=True))
    assert "耕地保护补偿" not in found
    assert titles(backend.search("最低生活保张", group=True))[0] == "最低生活保障审核确认"  # homophone typo


def test_strong_word_in_the_title_beats_the_weak_one(backend):
    # No item has both words: the items named for the rarer word (驾驶证, in 2 names) come
    # before those with the common one (补领, in 3 names), whatever bm25 says about the body.
    results = backend.search("驾驶证 补领", group=True)
    assert results.mode == "any"
    assert set(titles(results)[:2]) == {"机动车驾驶证换证", "机动车驾驶证初次申领"}


def test_sub_word_synonyms_and_new_before_change(backend):
    found = titles(backend.search("考驾照", group=True, synonyms=SYNONYMS))
    assert found[0] == "机动车驾驶证初次申领"
    found = titles(backend.search("个体户", group=True))
    assert found.index("个体工商户设立登记") < found.index("个体工商户注销登记")


def test_life_event_comes_up_for_its_everyday_name(backend):
    found = titles(backend.search("桌球室", group=True, synonyms=SYNONYMS))
    assert "开办台球室" in found[:3]


def test_flat_results_keep_every_copy(backend):
    flat = backend.search("居民身份证换领")
    assert not flat.grouped and [h.title for h in flat.hits].count("居民身份证换领") == 3


def test_shared_analysis_is_what_the_backend_uses(backend):
    # The same parse gives the same plan whichever backend asks (Elasticsearch reuses it).
    parsed = analysis.parse_query("桌球室", SYNONYMS)
    assert parsed.terms[0].subword_synonyms == [("桌球", ["台球"])]
    assert backend.search(parsed, group=True).total >= 1
