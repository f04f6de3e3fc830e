# ruff: noqa: S608 - SQL is assembled from constants and placeholders; user text is always a bound parameter.
"""Grouped results for the embedded index: one result per item, every center's copy behind it.

The matches are walked best first in windows (ids, scores and titles only, from `slim`) until
the page's items are known; each item's copies are then read by name from `docs` (indexed on
`title`), and the full row (summary for the snippet) only for the copy shown.
"""

from ..grouping import GROUPED_KINDS, group_key, order_copies

COMBO_MASK = (1 << 21) - 1
FIRST_WINDOW = 400
# At most this many matches are walked to find a page of items (the total number of items is
# estimated from the share walked when there are more matches than that).
MAX_SCAN = 12000


def grouped_page(backend, state, tiers, where, params, whole, parsed, results, prefer_center=""):
    connection = state.connection
    total = results.documents
    needed = results.page * results.per_page
    groups = {}  # key -> [(id, score)], in order of each item's best match
    titles = {}  # key -> a title as stored (the copies are read by it)
    scanned = 0
    combos = state.combos
    for doc_id, score, title in backend._iter_ranked(connection, tiers, where, params, whole):
        combo = combos.get(doc_id & COMBO_MASK)
        key = group_key(combo[0], combo[4], title, str(doc_id)) if combo else ("doc", str(doc_id))
        members = groups.get(key)
        if members is None:
            if len(groups) > needed and scanned >= FIRST_WINDOW:
                break  # the page is known (and the next one starts): stop walking
            groups[key] = members = []
            titles[key] = title
        members.append((doc_id, score))
        scanned += 1
        if scanned >= MAX_SCAN:
            break
    complete = scanned >= total
    results.grouped = True
    results.total = len(groups) if complete else max(len(groups), round(len(groups) * total / max(scanned, 1)))
    start = (results.page - 1) * results.per_page
    page_groups = list(groups.items())[start : start + results.per_page]
    if not page_groups:
        return
    copies = _copies(connection, [(key, titles[key]) for key, _members in page_groups])
    prefer = (prefer_center or "").lower()
    shown = []
    for key, members in page_groups:
        item_copies = copies.get(key) or []
        chosen = next((c for c in item_copies if prefer and c["center"].lower() == prefer), None)
        shown.append((key, chosen["id"] if chosen else members[0][0], members[0][1], item_copies))
    ids = [doc_id for _key, doc_id, _score, _copies in shown]
    rows = connection.execute(f"SELECT * FROM docs WHERE id IN ({', '.join('?' * len(ids))})", ids).fetchall()
    by_id = {row["id"]: row for row in rows}
    words = parsed.highlight_words()
    hits = []
    for _key, doc_id, score, item_copies in shown:
        row = by_id.get(doc_id)
        if row is None:
            continue
        hit = backend._hit(row, words, score)
        hit.copies = order_copies(
            [{k: c[k] for k in ("center", "name", "url", "item_code")} for c in item_copies], prefer_center
        )
        hits.append(hit)
    results.hits = hits


def _copies(connection, keys):
    """{group key: [copy]} for the grouped kinds among `keys` (every center's document of that
    item), read by title through the title index."""
    names = sorted({title for key, title in keys if key[0] in GROUPED_KINDS})
    wanted = {key for key, _title in keys}
    copies = {}
    if not names:
        return copies
    # One copy per center (the first indexed), so an item listed twice in a center counts once.
    rows = connection.execute(
        "SELECT min(id) AS id, kind, item_type, title, url, item_code, center, center_label FROM docs"
        f" WHERE title IN ({', '.join('?' * len(names))}) GROUP BY title, kind, item_type, center",
        names,
    )
    for row in rows:
        key = group_key(row["kind"], row["item_type"], row["title"])
        if key in wanted:
            copies.setdefault(key, []).append(
                {
                    "id": row["id"],
                    "center": row["center"] or "",
                    "name": row["center_label"] or "",
                    "url": row["url"],
                    "item_code": row["item_code"] or "",
                }
            )
    return copies
