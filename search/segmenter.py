"""jieba's word segmentation with its dictionary in a compact trie (memory per web worker).

jieba keeps its dictionary (about 350,000 words) as a Python dict of every word and every
prefix of a word, about 500,000 entries: some 60 MB in each process that loads it. Here the
same words and frequencies are held in a MARISA trie (marisa-trie) of a few MB, built once from
jieba's own dictionary file into a cache file and memory-mapped, so every process on the
machine shares the same pages through the page cache.

`CompactFrequencies` answers exactly what jieba's Tokenizer asks of its `FREQ` mapping: `frag
in FREQ` is true for a word or the prefix of a word, and `FREQ.get(frag)` is the word's
frequency, 0 for a prefix that is no word, else the default. The total of the frequencies is
the same too, so the segmentation is identical to jieba's with its own dictionary
(tests/search/test_segmenter.py compares them). Words added at run time (`add_word`) go to a
small dict on top of the trie.
"""

import hashlib
import logging
import os
import struct
import tempfile
import threading
from pathlib import Path

import marisa_trie

logger = logging.getLogger(__name__)

FORMAT = "<I"  # one unsigned 32-bit frequency per word
CACHE_VERSION = "1"


class CompactFrequencies:
    """A read-mostly stand-in for jieba's FREQ dict, backed by a marisa_trie.RecordTrie."""

    def __init__(self, trie, added=None):
        self.trie = trie
        self.added = dict(added or {})

    def get(self, key, default=None):
        value = self.added.get(key)
        if value is not None:
            return value
        found = self.trie.get(key)
        if found:
            return found[0][0]
        if self.trie.has_keys_with_prefix(key):
            return 0
        return default

    def __getitem__(self, key):
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key):
        return key in self.added or self.trie.has_keys_with_prefix(key)

    def __setitem__(self, key, value):
        self.added[key] = value

    def __len__(self):
        return len(self.trie) + len(self.added)


def _dictionary_source():
    """(bytes of jieba's default dictionary file, jieba's version)."""
    import jieba

    with jieba.dt.get_dict_file() as handle:
        return handle.read(), jieba.__version__


def _entries(data):
    """(word, frequency) of each line of a jieba dictionary file, and the total frequency."""
    words, total = {}, 0
    for number, line in enumerate(data.decode("utf-8").splitlines(), 1):
        parts = line.strip().split(" ")
        if not parts[0]:
            continue
        try:
            word, freq = parts[0], int(parts[1])
        except (IndexError, ValueError) as exc:
            raise ValueError(f"jieba dictionary line {number}: {line!r}") from exc
        words[word] = freq  # a repeated word keeps its last frequency, as jieba does
        total += freq
    return words, total


def cache_path(data, version, directory=None):
    digest = hashlib.sha256(data).hexdigest()[:16]
    folder = Path(directory or os.environ.get("JIEBA_TRIE_DIR") or tempfile.gettempdir())
    return folder / f"gongkai-jieba-{version}-{CACHE_VERSION}-{digest}.marisa"


def build(data, path):
    """Write the trie of a dictionary file's words to `path` (atomically); returns the total."""
    words, total = _entries(data)
    trie = marisa_trie.RecordTrie(FORMAT, ((word, (freq,)) for word, freq in words.items()))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    os.close(fd)
    try:
        trie.save(scratch)
        with open(scratch, "ab") as handle:
            handle.write(struct.pack("<Q", total))  # the total frequency, after the trie
        os.replace(scratch, path)
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)
    return total


def load(path):
    """(memory-mapped trie, total frequency) from a file written by `build`."""
    with open(path, "rb") as handle:
        handle.seek(-8, os.SEEK_END)
        (total,) = struct.unpack("<Q", handle.read(8))
    trie = marisa_trie.RecordTrie(FORMAT)
    trie.mmap(str(path))
    return trie, total


_lock = threading.Lock()
_tokenizer = None


def tokenizer():
    """A jieba Tokenizer with the compact dictionary (built into the cache on first use)."""
    global _tokenizer  # one tokenizer per process, made on first use
    if _tokenizer is not None:
        return _tokenizer
    with _lock:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            data, version = _dictionary_source()
            path = cache_path(data, version)
            if not path.exists():
                logger.info("search: building the compact jieba dictionary at %s", path)
                build(data, path)
            del data
            trie, total = load(path)
            segmenter = jieba.Tokenizer()
            segmenter.FREQ = CompactFrequencies(trie)
            segmenter.total = total
            segmenter.initialized = True
            _tokenizer = segmenter
    return _tokenizer
