"""The pinyin of synonym groups is stored with them (SynonymGroup.pinyin), so that a
Latin-letter query (dibao → 低保) never computes pinyin in a web worker (docs/deploy.md,
"Memory per worker")."""

import pytest

from search import analysis


def test_a_latin_letter_query_uses_the_stored_pinyin_of_the_synonyms():
    # The stored syllables are used as they are (a deliberately odd reading proves no recomputation).
    assert analysis.pinyin_phrases(("低保", "营业执照"), {"低保": "di bao", "营业执照": "ying ye zhi zhao"}) == {
        "dibao": "低保",
        "yingyezhizhao": "营业执照",
        "yyzz": "营业执照",
    }
    assert analysis.pinyin_phrases(("低保",), {"低保": "xx yy"}) == {"xxyy": "低保"}
    # A word without stored pinyin has it computed.
    assert analysis.pinyin_phrases(("低保",)) == {"dibao": "低保"}
    synonyms = analysis.Synonyms({"低保": ["最低生活保障"]}, {"低保": "di bao"})
    term = analysis.parse_query("dibao", synonyms).terms[0]
    assert term.ascii and term.synonyms == ["低保", "最低生活保障"]


@pytest.mark.django_db
def test_synonym_groups_store_the_pinyin_of_their_chinese_words():
    from search.models import SynonymGroup
    from search.synonyms import invalidate, synonym_map

    group = SynonymGroup.objects.create(terms="残疾证 = 残疾人证 = cjz")
    assert group.pinyin == {"残疾证": "can ji zheng", "残疾人证": "can ji ren zheng"}
    group.terms = "残疾证 = 残疾人证明"
    group.save(update_fields=["terms"])
    group.refresh_from_db()
    assert group.pinyin == {"残疾证": "can ji zheng", "残疾人证明": "can ji ren zheng ming"}
    # The default lexicon's groups (bulk-created) carry it too, and so does the cached map.
    lexicon_group = SynonymGroup.objects.filter(origin=SynonymGroup.ORIGIN_LEXICON).first()
    assert lexicon_group is not None and lexicon_group.pinyin
    assert set(lexicon_group.pinyin) <= set(lexicon_group.term_list())
    invalidate()
    mapping = synonym_map()
    assert mapping.sounds["残疾证"] == "can ji zheng"
