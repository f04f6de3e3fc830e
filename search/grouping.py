"""One result per item as a citizen sees it: the copies of an item in several centers behind it.

Catalogs repeat the same item in every center (居民身份证换领 in the city center and in each
county). A citizen wants the item once, in their own center first, with the other centers
that also handle it. Copies are the same item when they have the same kind, the same item type
and the same name (variants such as 居民身份证办理（补领） and （换领） stay apart: they are
different things to do); notices and bulletins are never grouped.

Pure functions over `Hit`s, used by every backend and by the browse lists.
"""

import functools
import re

GROUPED_KINDS = frozenset({"guide", "life_event", "fee"})
# A copy list longer than this is cut (the result says how many centers there are).
MAX_COPIES = 200


def group_key(kind, item_type, title, key=""):
    """What makes two documents the same item for a citizen (a document's own key otherwise)."""
    if kind not in GROUPED_KINDS:
        return ("doc", key)
    return (kind, item_type or "", same_name(title))


@functools.lru_cache(maxsize=100_000)
def same_name(title):
    """The name as compared between centers: no spaces, full-width brackets."""
    return re.sub(r"\s+", "", str(title or "")).replace("(", "（").replace(")", "）")


def hit_key(hit):
    return group_key(hit.kind, getattr(hit, "item_type", ""), hit.title, hit.key)


def order_copies(copies, prefer_center=""):
    """The visitor's chosen center first, then the others in center-code order."""
    prefer = (prefer_center or "").lower()
    return sorted(copies, key=lambda c: (c["center"].lower() != prefer, c["center"].lower(), c["url"]))


def copy_of(hit):
    return {"center": hit.center, "name": hit.center_label, "url": hit.url, "item_code": hit.item_code}


def group_hits(hits, prefer_center=""):
    """Hits (best first) folded into one hit per item, in the order of each item's best copy.

    The hit shown for an item is the chosen center's copy when the item has one, else its best
    copy; `hit.copies` lists every copy ({"center", "name", "url", "item_code"}), chosen center
    first."""
    prefer = (prefer_center or "").lower()
    groups = {}
    for hit in hits:
        groups.setdefault(hit_key(hit), []).append(hit)
    out = []
    for members in groups.values():
        main = next((h for h in members if prefer and h.center.lower() == prefer), members[0])
        if main is not members[0]:
            main.score = members[0].score
        main.copies = order_copies([copy_of(h) for h in members], prefer_center)[:MAX_COPIES]
        out.append(main)
    return out
