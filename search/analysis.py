"""Chinese text analysis shared by both backends: tokens for the index, parsed queries, snippets.

The embedded index stores pre-analysed text (tokens separated by spaces) in SQLite FTS5 columns,
so FTS5's own tokenizer only splits on the spaces we put there. Chinese runs become jieba
search-mode words plus CJK bigrams (so partial words match) and, in the name fields, single
characters; pinyin (full, initials, syllables and syllable pairs) goes in its own column, which
is what makes "yyzz", "yingyezhizhao" and homophone typos such as "营业值照" find 营业执照.

Queries are never passed to FTS5 as typed: they are cut into tokens of letters, digits and CJK
characters only, and every token is quoted by `fts_term()`, so operators, quotes, parentheses,
control characters and emoji in user input have no effect.
"""

import functools
import html
import re
import unicodedata
from dataclasses import dataclass, field

from .stopwords import STOPWORDS

MAX_QUERY_CHARS = 200
MAX_TERMS = 12

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RUN = re.compile(f"[{_CJK}]+")
TOKEN_RUN = re.compile(f"[{_CJK}]+|[a-z0-9]+")
ASCII_WORD = re.compile(r"^[a-z0-9]+$")
QUOTED = re.compile(r"[\"“”「」『』]([^\"“”「」『』]*)[\"“”「」『』]")


def normalize(text):
    """NFKC (full-width letters to ASCII), lower case, no control or format characters."""
    text = str(text or "")
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    # isprintable() is False exactly when the text holds a character of category C or Z other
    # than the ASCII space: only then is the (slow) character-by-character pass needed.
    if not text.isprintable():
        text = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text)
    return text.lower()


def _jieba():
    """jieba's tokenizer, its dictionary in a compact, shared trie (search.segmenter)."""
    from .segmenter import tokenizer

    return tokenizer()


@functools.lru_cache(maxsize=200_000)
def cut_search(text):
    """jieba search mode (words and their sub-words) of a CJK run (cached: runs repeat a lot)."""
    return tuple(w for w in _jieba().cut_for_search(text) if CJK_RUN.fullmatch(w))


def cut_precise(text):
    return [w for w in _jieba().lcut(text) if w.strip()]


def bigrams(run):
    if len(run) < 2:
        return [run] if run else []
    return [run[i : i + 2] for i in range(len(run) - 1)]


@functools.lru_cache(maxsize=50000)
def syllables(text):
    """Pinyin syllables of a CJK string (toneless, one per character).

    pypinyin's tables (about 55 MB) are imported here, on first use: indexing computes pinyin,
    but a query needs it only for its fallbacks (a homophone typo that matched nothing as
    written, a Latin-letter word that may be the pinyin of a known phrase, "did you mean" after
    no result), so most web workers never load them (docs/deploy.md, "Memory per worker")."""
    from pypinyin import Style, lazy_pinyin

    return tuple(s.lower() for s in lazy_pinyin(text, style=Style.NORMAL, errors="ignore") if s.isascii())


def pinyin_full(text):
    return "".join(syllables(text))


def pinyin_initials(text):
    return "".join(s[0] for s in syllables(text) if s)


@functools.lru_cache(maxsize=50_000)
def index_tokens(text, unigrams=False):
    """Tokens for one field: jieba search words + bigrams (+ single characters), ASCII words."""
    tokens = []
    for run in TOKEN_RUN.findall(normalize(text)):
        if ASCII_WORD.match(run):
            tokens.append(run)
            continue
        if len(run) >= 2:
            tokens.extend(w for w in cut_search(run) if len(w) >= 2)
            tokens.extend(bigrams(run))
        if unigrams or len(run) == 1:
            tokens.extend(run)
    return " ".join(tokens)


@functools.lru_cache(maxsize=50_000)
def pinyin_tokens(text):
    """Pinyin tokens of the name fields: full and initials of each run and of each jieba word,
    single syllables and syllable pairs (for homophone typos)."""
    tokens = []
    for run in CJK_RUN.findall(normalize(text)):
        sylls = syllables(run)
        if not sylls:
            continue
        tokens.append("".join(sylls))
        tokens.append("".join(s[0] for s in sylls))
        for word in cut_search(run) if len(run) > 2 else []:
            if 2 <= len(word) < len(run):
                tokens.append(pinyin_full(word))
                tokens.append(pinyin_initials(word))
        tokens.extend(sylls)
        tokens.extend(a + b for a, b in zip(sylls, sylls[1:], strict=False))
    return " ".join(t for t in tokens if t)


def fts_term(token, prefix=False):
    """A token as a quoted FTS5 string (tokens only hold letters, digits and CJK characters)."""
    return '"' + token.replace('"', '""') + '"' + ("*" if prefix else "")


@dataclass
class Term:
    """One word the user typed (after segmentation), with the alternatives that satisfy it."""

    text: str
    ascii: bool = False
    synonyms: list = field(default_factory=list)
    phrase: bool = False
    # Synonyms of words inside the term (jieba search mode): [(sub-word, [its synonyms])], so
    # 考驾照 reaches 驾驶证 through 驾照 = 驾驶证.
    subword_synonyms: list = field(default_factory=list)

    def fts_exact(self, known=None):
        """The term as written (or a synonym). `known(token)` says whether a whole word is in
        the index vocabulary; then that one token is used instead of its bigrams (faster)."""
        options = [self._fts_word(self.text, known)]
        options += [self._fts_synonym(normalize(s), known) for s in self.synonyms]
        options = [o for o in dict.fromkeys(options) if o]
        return options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")"

    @classmethod
    def _fts_synonym(cls, word, known=None):
        """A synonym as written, or all its words in any order and place (official wording is
        often interrupted in a name: 食品经营许可 in 食品(含保健食品)经营许可核发, 不动产登记 in
        不动产首次登记)."""
        written = cls._fts_word(word, known)
        words = [w for w in cut_precise(word) if len(w) >= 2 and CJK_RUN.fullmatch(w)]
        if len(words) < 2 or "".join(words) != "".join(TOKEN_RUN.findall(word)):
            return written
        loose = "(" + " AND ".join(cls._fts_word(w, known) for w in dict.fromkeys(words)) + ")"
        return f"({written} OR {loose})"

    def fts_subwords(self, known=None):
        """Every sub-word that has synonyms, each as written or as one of its synonyms."""
        if not self.subword_synonyms:
            return ""
        parts = []
        for word, synonyms in self.subword_synonyms:
            options = [self._fts_word(w, known) for w in [word, *[normalize(x) for x in synonyms]]]
            options = [o for o in dict.fromkeys(options) if o]
            parts.append(options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")")
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"

    def fts_characters(self):
        """An unknown word whose characters all appear in a name (残疾证 → 残疾人证): single
        characters are indexed in the name and keyword columns."""
        chars = self.cjk_characters()
        if self.ascii or self.phrase or len(chars) < 2:
            return ""
        return "{name keywords}: (" + " AND ".join(fts_term(c) for c in chars) + ")"

    def fts_partial(self):
        """Last resort for an unknown word: any of its character pairs in a name, ranked by
        how much of the word the title covers (see `coverage_characters`)."""
        if self.ascii or self.phrase or len(self.text) < 3:
            return ""
        return "{name keywords}: (" + " OR ".join(fts_term(g) for g in dict.fromkeys(bigrams(self.text))) + ")"

    def fts_whole_pinyin(self):
        """Homophone typos, whole words only: the term's full pinyin must start the pinyin of a
        whole run or jieba word of a name (低保 never matches the 地保 inside 耕地保护)."""
        if self.ascii or self.phrase:
            return ""
        full = pinyin_full(self.text)
        if len(syllables(self.text)) < 2 or not full:
            return ""
        # The sound of a whole word, or of the start of a whole name run (养峰证 → 养蜂证申领).
        return f"pinyin:{fts_term(full, prefix=True)}"

    def cjk_characters(self):
        return list(dict.fromkeys(ch for ch in self.text if CJK_RUN.fullmatch(ch)))

    def title_words(self):
        """Words whose presence in a title shows the term is about that item."""
        words = [self.text, *[normalize(x) for x in self.synonyms]]
        for _word, synonyms in self.subword_synonyms:
            words += [normalize(x) for x in synonyms]
        return [w for w in dict.fromkeys(words) if w]

    def fts_pinyin(self):
        """Same-sounding words (homophone typos such as 营业值照): syllable pairs in the pinyin column."""
        if self.ascii:
            return ""
        sylls = syllables(self.text)
        if len(sylls) >= 2:
            pairs = sorted({a + b for a, b in zip(sylls, sylls[1:], strict=False)})
            return "(" + " AND ".join(f"pinyin:{fts_term(p)}" for p in pairs) + ")"
        if len(sylls) == 1 and not self.phrase:
            return f"pinyin:{fts_term(sylls[0])}"
        return ""

    def fts(self):
        """FTS5 expression that is true when a document satisfies this term."""
        options = [self._fts_word(self.text)]
        options += [self._fts_word(normalize(s)) for s in self.synonyms]
        if not self.ascii:
            sylls = syllables(self.text)
            if len(sylls) >= 2:
                pairs = sorted({a + b for a, b in zip(sylls, sylls[1:], strict=False)})
                options.append("(" + " AND ".join(f"pinyin:{fts_term(p)}" for p in pairs) + ")")
            elif len(sylls) == 1 and not self.phrase:
                options.append(f"pinyin:{fts_term(sylls[0])}")
        options = [o for o in dict.fromkeys(options) if o]
        return options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")"

    @staticmethod
    def _fts_word(word, known=None):
        parts = []
        for run in TOKEN_RUN.findall(word):
            if ASCII_WORD.match(run):
                parts.append(fts_term(run, prefix=len(run) >= 2 and not run.isdigit()))
            elif len(run) <= 2 or (known is not None and known(run)):
                parts.append(fts_term(run))
            else:
                grams = " AND ".join(fts_term(g) for g in dict.fromkeys(bigrams(run)))
                parts.append(f"({fts_term(run)} OR ({grams}))")
        if not parts:
            return ""
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"

    def highlight_words(self):
        words = [self.text, *self.synonyms]
        if not self.ascii and len(self.text) > 2:
            words += bigrams(self.text)
        return words


@dataclass
class ParsedQuery:
    text: str
    terms: list
    phrases: list

    @property
    def empty(self):
        return not self.terms

    def fts_all(self, terms=None):
        return " AND ".join(t.fts() for t in (terms if terms is not None else self.terms))

    def fts_any(self, terms=None):
        return " OR ".join(t.fts() for t in (terms if terms is not None else self.terms))

    def highlight_words(self):
        words = set()
        for term in self.terms:
            words.update(w for w in term.highlight_words() if w)
        return sorted(words, key=len, reverse=True)

    def cjk_text(self):
        return "".join(t.text for t in self.terms if not t.ascii)

    def variant_preference(self):
        """(preferred, demoted) title words for generic queries: a first-time/new item (新办,
        设立, 首次 …) before a change, renewal or cancellation (变更, 注销, 延续, 补办 …), unless
        the query itself asks for one of those (search.ranking)."""
        if any(word in self.text for word in CHANGE_INTENT):
            return (), ()
        return PREFERRED_VARIANTS, DEMOTED_VARIANTS


def sounds_of(words):
    """{word: its pinyin syllables joined by spaces} of the CJK words of two characters or more,
    stored with a synonym group (SynonymGroup.pinyin) so that a query never computes them."""
    return {word: " ".join(syllables(word)) for word in words if len(word) >= 2 and CJK_RUN.fullmatch(word)}


class Synonyms(dict):
    """A synonym map {word: [its synonyms]} (search.synonyms) that also carries the stored
    pinyin of its words (`sounds`, as `sounds_of` makes it) for `pinyin_phrases`."""

    def __init__(self, mapping=(), sounds=None):
        super().__init__(mapping)
        self.sounds = dict(sounds or {})


def pinyin_phrases(words, sounds=None):
    """{full pinyin: word} of the CJK words among `words` (a sorted tuple of the synonym map's
    keys), plus the initials of words of three characters or more; ambiguous sounds are left out.
    A word's syllables come from `sounds` (stored when its synonym group was saved); only a word
    without them has its pinyin computed (which loads the pinyin tables)."""
    sounds = sounds or {}
    return _pinyin_phrases(tuple((word, sounds.get(word)) for word in words))


@functools.lru_cache(maxsize=8)
def _pinyin_phrases(entries):
    index, clashes = {}, set()
    for word, stored in entries:
        if not CJK_RUN.fullmatch(word) or len(word) < 2:
            continue
        sylls = stored.split() if stored is not None else syllables(word)
        full, initials = "".join(sylls), "".join(s[0] for s in sylls if s)
        keys = [full] + ([initials] if len(word) >= 3 else [])
        for key in keys:
            if key in index and index[key] != word:
                clashes.add(key)
            index.setdefault(key, word)
    return {key: word for key, word in index.items() if key not in clashes and len(key) >= 3}


def subword_synonyms(word, synonyms):
    """[(sub-word, synonyms)] for the jieba search-mode sub-words of `word` that have synonyms
    (not the word itself, whose synonyms are expanded whole)."""
    if not synonyms or ASCII_WORD.match(word) or len(word) < 3:
        return []
    found = []
    for sub in cut_search(word):
        if len(sub) >= 2 and sub != word and sub in synonyms and all(sub not in f for f, _s in found):
            found.append((sub, [s for s in synonyms[sub] if s != sub]))
    # A longer sub-word covers the shorter ones inside it.
    found.sort(key=lambda pair: -len(pair[0]))
    kept = []
    for sub, syns in found:
        if not any(sub in longer for longer, _s in kept):
            kept.append((sub, syns))
    return kept


def merge_known(pieces, known, longest=8):
    """jieba's words of one run, with everyday phrases the site knows (synonym and lexicon words
    such as 生孩子, 办营业执照) kept whole: a known phrase replaces the words it overlaps when
    what is left of them is only stop words (我想生|孩子 → 生孩子, but 居民身份证 stays whole
    although 身份证 is known: 居民 is not a stop word). Longest phrases first, left to right."""
    if not known or not pieces:
        return pieces
    run = "".join(pieces)
    spans, start = [], 0
    for piece in pieces:
        spans.append((start, start + len(piece)))
        start += len(piece)

    def piece_at(position):
        return next(k for k, (a, b) in enumerate(spans) if a <= position < b)

    matches, i = {}, 0  # first piece -> (phrase, last piece, left, right)
    while i < len(run):
        found = None
        for size in range(min(longest, len(run) - i), 1, -1):
            phrase = run[i : i + size]
            if phrase not in known:
                continue
            first, last = piece_at(i), piece_at(i + size - 1)
            left, right = run[spans[first][0] : i], run[i + size : spans[last][1]]
            if _only_stopwords(left) and _only_stopwords(right):
                found = (first, (phrase, last, left, right))
                break
        if found:
            matches[found[0]] = found[1]
            i = spans[found[1][1]][1]
        else:
            i += 1
    out, k = [], 0
    while k < len(pieces):
        if k in matches:
            phrase, last, left, right = matches[k]
            out.extend([*(cut_precise(left) if left else []), phrase, *(cut_precise(right) if right else [])])
            k = last + 1
        else:
            out.append(pieces[k])
            k += 1
    return out


def _only_stopwords(text):
    return not text or text in STOPWORDS or all(w in STOPWORDS for w in cut_precise(text))


def _words(text, known=None):
    """Meaningful words of free text: jieba (precise mode) on CJK runs, ASCII words whole;
    adjacent words that together are a known phrase (`known`: the synonym map) stay one word."""
    words = []
    for run in TOKEN_RUN.findall(text):
        if ASCII_WORD.match(run):
            words.append((run, True))
        else:
            pieces = merge_known(cut_precise(run), known) if len(run) > 2 else [run]
            kept = [p for p in pieces if p not in STOPWORDS and CJK_RUN.fullmatch(p)]
            if not kept and run not in STOPWORDS:
                kept = [run]
            words.extend((p, False) for p in kept)
    return words


def parse_query(raw, synonyms=None):
    """Turn whatever the user typed into terms we quote ourselves. Never raises."""
    text = normalize(raw)[: MAX_QUERY_CHARS * 2]
    text = re.sub(r"\s+", " ", text).strip()[:MAX_QUERY_CHARS]
    synonyms = synonyms or {}
    phrases = []
    for match in QUOTED.finditer(text):
        inner = " ".join(TOKEN_RUN.findall(match.group(1)))
        if inner:
            phrases.append(inner)
    free = QUOTED.sub(" ", text)
    terms = []
    seen = set()
    for phrase in phrases:
        for run in TOKEN_RUN.findall(phrase):
            if run not in seen:
                seen.add(run)
                terms.append(Term(run, ascii=bool(ASCII_WORD.match(run)), phrase=True))
    for word, is_ascii in _words(free, synonyms):
        if word in seen:
            continue
        seen.add(word)
        extra = []
        if is_ascii and synonyms and word not in synonyms:
            # Pinyin of an everyday word the site knows (dibao → 低保 → 最低生活保障).
            phrase = pinyin_phrases(tuple(sorted(synonyms)), getattr(synonyms, "sounds", None)).get(word)
            if phrase:
                extra = [phrase, *synonyms.get(phrase, [])]
        terms.append(
            Term(
                word,
                ascii=is_ascii,
                synonyms=[s for s in [*synonyms.get(word, []), *extra] if s != word],
                subword_synonyms=subword_synonyms(word, synonyms),
            )
        )
    return ParsedQuery(text=text, terms=terms[:MAX_TERMS], phrases=phrases[:4])


def highlight(text, words, length=120):
    """An escaped excerpt of `text` around the first match, matches wrapped in <mark>."""
    text = re.sub(r"\s+", " ", text or "").strip()
    lowered = text.lower()
    words = [w for w in words if w]
    start = 0
    positions = [lowered.find(w.lower()) for w in words]
    positions = [p for p in positions if p >= 0]
    if positions:
        start = max(0, min(positions) - length // 4)
    excerpt = text[start : start + length]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + length < len(text) else ""
    if not words:
        return prefix + html.escape(excerpt) + suffix
    pattern = re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)), re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(excerpt):
        out.append(html.escape(excerpt[last : match.start()]))
        out.append("<mark>" + html.escape(match.group(0)) + "</mark>")
        last = match.end()
    out.append(html.escape(excerpt[last:]))
    return prefix + "".join(out) + suffix


def edit_distance(a, b, limit=None):
    """Levenshtein distance (small strings: names and their pinyin)."""
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if limit is not None and min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


# Title words of the variant a citizen usually means when they name only the thing.
PREFERRED_VARIANTS = ("设立", "新办", "首次", "开办", "申领", "初次", "新设", "办理")
DEMOTED_VARIANTS = (
    "变更",
    "注销",
    "延续",
    "补办",
    "补领",
    "补发",
    "换领",
    "换发",
    "撤销",
    "遗失",
    "迁出",
    "终止",
    "歇业",
    "吊销",
    "备案变更",
    "年检",
    "换证",
    "补证",
    "期满",
    "挂失",
)
# Anything in the query that asks for a change, renewal, replacement or closure.
CHANGE_INTENT = (
    *DEMOTED_VARIANTS,
    "补",
    "换",
    "改",
    "丢",
    "掉了",
    "坏了",
    "过期",
    "到期",
    "续",
    "销",
    "关闭",
    "关掉",
    "不干",
    "不开",
    "迁",
    "转出",
    "停业",
    "撤",
)


def warm():
    """Load jieba now (the gunicorn master, before forking): every worker that searches needs
    it, and its compact dictionary is shared. The pinyin tables are left out: most workers
    never need them (see `syllables`)."""
    cut_search("营业执照办理")
