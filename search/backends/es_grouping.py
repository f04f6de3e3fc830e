"""One result per item on Elasticsearch: field collapsing on the item's group key.

The group key is `search.grouping.group_key` (kind, item type and name as a citizen compares
them), stored with every document; a grouped search collapses on it, so paging counts items,
and each item's copies in every center come back as inner hits. The copy shown is the visitor's
chosen center's when the item has one (as the embedded backend and search.grouping do).
"""

from ..grouping import MAX_COPIES, group_key, order_copies

# Elasticsearch's default index.max_inner_result_window: at most this many copies per item.
INNER_HITS = min(MAX_COPIES, 100)
COPY_FIELDS = ["center", "center_label", "url", "item_code", "summary", "title", "kind", "item_type"]


def group_key_of(document):
    return "\x1f".join(group_key(document.kind, document.item_type, document.title, document.key))


def grouping_collapse():
    return {
        "field": "group_key",
        "inner_hits": {
            "name": "copies",
            "size": INNER_HITS,
            "_source": COPY_FIELDS,
            "sort": [{"center": "asc"}],
        },
    }


def grouped_hit(make_hit, raw, words, prefer_center=""):
    """The Hit shown for one collapsed item: its best copy's score, the chosen center's copy."""
    inner = raw.get("inner_hits", {}).get("copies", {}).get("hits", {}).get("hits", [])
    prefer = (prefer_center or "").lower()
    chosen = next((copy for copy in inner if prefer and (copy["_source"].get("center") or "").lower() == prefer), raw)
    hit = make_hit(chosen, words, float(raw.get("_score") or 0))
    seen, copies = set(), []
    for copy in inner or [raw]:
        source = copy.get("_source", {})
        center = source.get("center") or ""
        if center in seen:
            continue  # an item listed twice in a center counts once
        seen.add(center)
        copies.append(
            {
                "center": center,
                "name": source.get("center_label") or "",
                "url": source.get("url", ""),
                "item_code": source.get("item_code") or "",
            }
        )
    hit.copies = order_copies(copies, prefer_center)
    return hit
