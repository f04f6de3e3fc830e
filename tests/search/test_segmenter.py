"""jieba with its dictionary in a compact trie (search/segmenter.py): the same words as jieba's
own dictionary, a fraction of the memory, built once into a cache file."""

import logging

import jieba
import pytest

from search import analysis, segmenter

SAMPLES = [
    "营业执照办理",
    "我想开个饭店要什么手续",
    "个体工商户设立登记",
    "食品（含保健食品）经营许可核发",
    "不动产首次登记和抵押权注销",
    "残疾人证补办需要带哪些材料？",
    "出入境证件办理：往来港澳通行证、护照",
    "重新申领机动车驾驶证",
    "互联网上网服务营业场所经营单位设立审批",
    "最低生活保障金申请，低保户认定",
    "办理结婚登记需要户口本和身份证吗",
    "养犬登记 ABC123 二〇二六年",
    "长江大桥 市长江大桥",
    "",
]


@pytest.fixture(scope="module")
def full_jieba():
    """jieba's own tokenizer with its full dictionary (the reference)."""
    jieba.setLogLevel(logging.WARNING)
    reference = jieba.Tokenizer()
    reference.initialize()
    return reference


@pytest.mark.parametrize("text", SAMPLES)
def test_same_segmentation_as_jieba_with_its_own_dictionary(full_jieba, text):
    compact = segmenter.tokenizer()
    assert compact.lcut(text) == full_jieba.lcut(text)
    assert compact.lcut(text, HMM=False) == full_jieba.lcut(text, HMM=False)
    assert compact.lcut_for_search(text) == full_jieba.lcut_for_search(text)
    assert compact.total == full_jieba.total


@pytest.mark.django_db
def test_same_segmentation_on_every_item_name_of_the_demo_site(full_jieba):
    from guides.models import GuidePage

    titles = list(GuidePage.objects.values_list("title", flat=True))
    assert len(titles) > 50
    compact = segmenter.tokenizer()
    for title in titles:
        assert compact.lcut_for_search(title) == full_jieba.lcut_for_search(title), title
        assert compact.lcut(title) == full_jieba.lcut(title), title


def test_frequencies_answer_as_jiebas_dict(full_jieba):
    freq = segmenter.tokenizer().FREQ
    for word in ["营业执照", "营业", "饭店", "执照"]:
        assert word in freq
        assert freq[word] == full_jieba.FREQ[word] > 0
    # A prefix that is no word: present, frequency 0 (jieba's DAG walks on through it).
    prefixes = [w[:n] for w in ["中华人民共和国", "个体工商户"] for n in range(2, len(w))]
    prefixes = [p for p in prefixes if full_jieba.FREQ.get(p) == 0]
    assert prefixes
    for prefix in prefixes:
        assert prefix in freq and freq[prefix] == 0 and freq.get(prefix) == 0
    # Neither word nor prefix.
    assert "营业值照" not in freq and freq.get("营业值照") is None and freq.get("营业值照", 1) == 1
    with pytest.raises(KeyError):
        freq["营业值照"]


def test_cache_is_built_once_and_reused(tmp_path, monkeypatch):
    data = "营业执照 300 n\n营业 2000 n\n执照 800 n\n开饭店 5 v\n".encode()
    path = segmenter.cache_path(data, "test", directory=tmp_path)
    total = segmenter.build(data, path)
    assert total == 3105
    built = path.stat().st_mtime_ns
    trie, stored, loaded_total = segmenter.load(path)
    assert loaded_total == total
    frequencies = segmenter.CompactFrequencies(trie, stored)
    assert frequencies["执照"] == 800 and frequencies.get("开饭") == 0 and "开饭" in frequencies
    # The same dictionary maps to the same file; another one to another file.
    assert segmenter.cache_path(data, "test", directory=tmp_path) == path
    assert segmenter.cache_path(data + "饭店 9 n\n".encode(), "test", directory=tmp_path) != path
    assert path.stat().st_mtime_ns == built
    # The trie and its frequencies, no scratch file left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, path.with_suffix(".freq").name])


def test_a_word_added_at_run_time_is_segmented_whole(tmp_path):
    data = "营业 2000 n\n执照 800 n\n".encode()
    path = segmenter.cache_path(data, "test", directory=tmp_path)
    segmenter.build(data, path)
    trie, stored, total = segmenter.load(path)
    tokenizer = segmenter._tokenizer_class()()
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = segmenter.CompactFrequencies(trie, stored), total, True
    assert tokenizer.lcut("营业执照", HMM=False) == ["营业", "执照"]
    tokenizer.add_word("营业执照", freq=100000)
    assert tokenizer.lcut("营业执照", HMM=False) == ["营业执照"]
    tokenizer.del_word("营业执照")  # jieba sets its frequency to 0
    assert tokenizer.lcut("营业执照", HMM=False) == ["营业", "执照"]


def test_a_malformed_dictionary_line_is_named(tmp_path):
    with pytest.raises(ValueError, match="line 2"):
        segmenter.build("营业 20 n\n执照 many n\n".encode(), tmp_path / "bad.marisa")


def test_search_analysis_uses_the_compact_dictionary():
    assert analysis._jieba() is segmenter.tokenizer()
    assert isinstance(segmenter.tokenizer().FREQ, segmenter.CompactFrequencies)
    assert analysis.cut_search("营业执照办理") == ("营业", "执照", "营业执照", "办理")
