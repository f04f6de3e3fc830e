"""The default everyday-language lexicon (默认日常用语词库) shipped with the product.

`search/data/lexicon.txt` maps how citizens say things (日常用语: 网吧, 养狗, 办执照) to the
official wording of item names (规范用语: 互联网上网服务营业场所, 养犬登记, 设立登记); its
sources are in `search/data/LEXICON_SOURCES.md`. Every site loads it after `migrate` (and
`init_site`), as one-way synonym groups that editors can change or delete in the admin
(Snippets › 搜索同义词). Loading is idempotent per version of the file: a new version adds
only the everyday words the site does not have yet, so an editor's change or deletion stays.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "lexicon.txt"
NOTE_PREFIX = "默认词库"


@dataclass
class Entry:
    domain: str
    everyday: str
    official: list
    sources: str

    @property
    def terms(self):
        return " = ".join([self.everyday, *self.official])


class LexiconError(ValueError):
    pass


def read(path=DEFAULT_PATH):
    """The file's entries; raises LexiconError naming the line of anything malformed."""
    entries, seen = [], set()
    text = Path(path).read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) != 4:
            raise LexiconError(f"{path}:{number}: expected 领域 | 日常用语 | 规范用语 | 来源, got {line!r}")
        domain, everyday, official, sources = parts
        everyday = everyday.lower()
        words = [w.strip().lower() for w in official.split("、") if w.strip()]
        words = [w for w in dict.fromkeys(words) if w != everyday]
        if not everyday or not words:
            raise LexiconError(f"{path}:{number}: an everyday word and at least one other official wording are needed")
        if everyday in seen:
            raise LexiconError(f"{path}:{number}: {everyday!r} is listed twice")
        if len(everyday) > 50 or any(len(w) > 50 for w in words):
            raise LexiconError(f"{path}:{number}: a word is longer than 50 characters")
        seen.add(everyday)
        entries.append(Entry(domain, everyday, words, sources))
    return entries


def version(path=DEFAULT_PATH):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def load(path=DEFAULT_PATH, force=False):
    """Load the lexicon into SynonymGroup; returns (entries added, whether this version was new)."""
    from .analysis import sounds_of
    from .models import LexiconRelease, SynonymGroup
    from .synonyms import invalidate

    release = version(path)
    if not force and LexiconRelease.objects.filter(version=release).exists():
        return 0, False
    entries = read(path)
    with transaction.atomic():
        # An everyday word that already leads a group (the editors' or an earlier version's)
        # is left as it is; editors' symmetric groups combine with the lexicon's expansions.
        known = {words[0] for words in (group.term_list() for group in SynonymGroup.objects.all()) if words}
        new = [
            SynonymGroup(
                terms=entry.terms,
                one_way=True,
                domain=entry.domain[:20],
                origin=SynonymGroup.ORIGIN_LEXICON,
                note=f"{NOTE_PREFIX} {entry.sources}"[:200],
                pinyin=sounds_of([entry.everyday, *entry.official]),
            )
            for entry in entries
            if entry.everyday not in known
        ]
        SynonymGroup.objects.bulk_create(new, batch_size=500)
        LexiconRelease.objects.update_or_create(version=release, defaults={"added": len(new)})
    invalidate()
    return len(new), True


def load_after_migrate(sender, verbosity=1, stdout=None, **kwargs):
    """post_migrate receiver: every migrated site has the default lexicon."""
    from django.db import DatabaseError

    try:
        added, new = load()
    except DatabaseError:
        return  # tables not there yet (migrating to an earlier state): the next migrate loads it
    except LexiconError as exc:
        if stdout is not None:
            stdout.write(f"search: default lexicon not loaded: {exc}\n")
        return
    if new and verbosity >= 1 and stdout is not None:
        stdout.write(f"search: default lexicon loaded ({added} everyday words added)\n")


def synonym_map(path=DEFAULT_PATH):
    """The lexicon alone as a synonym map (what a new site searches with), for benchmarks."""
    from .synonyms import build_map

    return build_map([([entry.everyday, *entry.official], True) for entry in read(path)])
