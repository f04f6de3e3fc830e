"""jieba's word segmentation with its dictionary in a compact trie (memory per web worker).

jieba keeps its dictionary (about 350,000 words) as a Python dict of every word and every
prefix of a word, about 500,000 entries: some 60 MB in each process that loads it. Here the
same words are held in a MARISA trie (marisa-trie) and their frequencies in an array indexed by
the trie's key ids, about 4 MB in all, built once from jieba's own dictionary file into cache
files (JIEBA_TRIE_DIR, default the temporary directory) and memory-mapped, so every process on
the machine shares the same pages through the page cache.

`CompactFrequencies` answers exactly what jieba's Tokenizer asks of its `FREQ` mapping: `frag
in FREQ` is true for a word or the prefix of a word, and `FREQ.get(frag)` is the word's
frequency, 0 for a prefix that is no word, else the default; the total of the frequencies is
jieba's too. The tokenizer reads each position's words from the trie in one lookup (`get_DAG`)
and is otherwise jieba's own, so the segmentation is identical to jieba's with its own
dictionary (tests/search/test_segmenter.py compares them), at about twice its time. Words
added at run time (`add_word`) go to a small dict on top of the trie.
"""

import array
import hashlib
import logging
import mmap
import os
import struct
import tempfile
import threading
from pathlib import Path

import marisa_trie

logger = logging.getLogger(__name__)

CACHE_VERSION = "3"
HEADER = 8  # the frequencies file: the total (uint64), then one uint32 per word by key id
_NONE = object()
LONGEST_WORD = 32  # longer than any word of jieba's dictionary (16 characters)


class CompactFrequencies:
    """A read-mostly stand-in for jieba's FREQ dict: the words in a marisa_trie.Trie, their
    frequencies in an array indexed by the trie's key ids (both memory-mapped)."""

    def __init__(self, trie, frequencies, added=None):
        self.trie = trie
        self.frequencies = frequencies
        self.added = {}
        self.longest = LONGEST_WORD
        for key, value in (added or {}).items():
            self[key] = value

    def _is_prefix(self, key):
        """Whether some word starts with `key` (the word itself included)."""
        return next(self.trie.iterkeys(key), _NONE) is not _NONE

    def get(self, key, default=None):
        if self.added and key in self.added:
            return self.added[key]
        key_id = self.trie.get(key)
        if key_id is not None:
            return self.frequencies[key_id]
        if self._is_prefix(key):
            return 0
        return default

    def __getitem__(self, key):
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key):
        return key in self.added or self._is_prefix(key)

    def word_ends(self, sentence, start):
        """End positions (inclusive) of the words of frequency > 0 that start at `start`."""
        window = sentence[start : start + self.longest]
        words = self.trie.prefixes(window)
        if self.added:
            words = {*words, *(word for word in self.added if window.startswith(word))}
            words = sorted((word for word in words if self.get(word)), key=len)
        return [start + len(word) - 1 for word in words]

    def __setitem__(self, key, value):
        self.added[key] = value
        self.longest = max(self.longest, len(key))

    def __len__(self):
        return len(self.trie) + len(self.added)


def _dictionary_source():
    """(bytes of jieba's default dictionary file, jieba's version)."""
    import jieba

    with jieba.dt.get_dict_file() as handle:
        return handle.read(), jieba.__version__


def _entries(data):
    """({word: frequency}, total) of a jieba dictionary file: a repeated word keeps its last
    frequency and the total counts every line, as in jieba; raises ValueError naming a
    malformed line."""
    words, total = {}, 0
    for number, line in enumerate(data.decode("utf-8").splitlines(), 1):
        parts = line.strip().split(" ")
        if not parts[0]:
            continue
        try:
            words[parts[0]] = freq = int(parts[1])
        except (IndexError, ValueError) as exc:
            raise ValueError(f"jieba dictionary line {number}: {line!r}") from exc
        total += freq
    return words, total


def cache_path(data, version, directory=None):
    """The trie file for a dictionary (its frequencies beside it, suffix .freq)."""
    digest = hashlib.sha256(data).hexdigest()[:16]
    folder = Path(directory or os.environ.get("JIEBA_TRIE_DIR") or tempfile.gettempdir())
    return folder / f"gongkai-jieba-{version}-{CACHE_VERSION}-{digest}.marisa"


def _frequencies_path(path):
    return path.with_suffix(".freq")


def _write_atomically(path, write):
    fd, scratch = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    os.close(fd)
    try:
        write(scratch)
        os.replace(scratch, path)
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)


def build(data, path):
    """Write the trie of a dictionary file's words to `path` and their frequencies beside it
    (each file atomically, the trie last: it marks the cache as complete); returns the total."""
    words, total = _entries(data)
    trie = marisa_trie.Trie(words)
    frequencies = array.array("I", bytes(4 * len(trie)))
    for word, freq in words.items():
        frequencies[trie[word]] = freq
    path.parent.mkdir(parents=True, exist_ok=True)

    def write_frequencies(name):
        with open(name, "wb") as handle:
            handle.write(struct.pack("<Q", total))
            frequencies.tofile(handle)

    _write_atomically(_frequencies_path(path), write_frequencies)
    _write_atomically(path, trie.save)
    return total


def load(path):
    """(memory-mapped trie, memory-mapped frequencies, total) from the files `build` wrote."""
    trie = marisa_trie.Trie()
    trie.mmap(str(path))
    with open(_frequencies_path(path), "rb") as handle:
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    (total,) = struct.unpack_from("<Q", mapped)
    frequencies = memoryview(mapped)[HEADER:].cast("I")
    if len(frequencies) != len(trie):
        raise ValueError(f"{path}: {len(trie)} words but {len(frequencies)} frequencies")
    return trie, frequencies, total


def _tokenizer_class():
    import jieba

    class CompactTokenizer(jieba.Tokenizer):
        """jieba's Tokenizer reading each position's words from the trie in one lookup (jieba's
        own DAG walk asks its dict about every prefix, one call each: slow on a trie)."""

        def get_DAG(self, sentence):
            self.check_initialized()
            word_ends = self.FREQ.word_ends
            return {start: word_ends(sentence, start) or [start] for start in range(len(sentence))}

    return CompactTokenizer


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
            try:
                trie, frequencies, total = load(path)
            except (OSError, ValueError):  # a cache file from a crash or another version
                build(data, path)
                trie, frequencies, total = load(path)
            segmenter = _tokenizer_class()()
            segmenter.FREQ = CompactFrequencies(trie, frequencies)
            segmenter.total = total
            segmenter.initialized = True
            _tokenizer = segmenter
    return _tokenizer
