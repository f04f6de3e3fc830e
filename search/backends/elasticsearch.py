"""Elasticsearch backend (ELASTICSEARCH_URL), for sites that outgrow one machine.

Documents live in versioned indices (`<prefix>-items-<timestamp>`) behind the alias
`<prefix>-items`; a rebuild fills a new index and moves the alias in one atomic `_aliases`
call, so search is never empty.

Chinese analysis is done in Python, the same as for the embedded index: every text field holds
the tokens `search.analysis` makes (jieba search-mode words, CJK bigrams, single characters in
the name fields, pinyin full/initials/syllable pairs), separated by spaces, and Elasticsearch
indexes them with its built-in `whitespace` analyzer. So the cluster needs no plugin and no
analysis module (the `cjk`, `smartcn` and `ik` analyzers are not in a minimal node), both
backends see the same tokens, and queries are built from the same parsed terms with the same
field weights (`embedded_store.WEIGHTS`). docs/search.md gives the reasons and the figures.
"""

import time

from django.conf import settings
from elasticsearch import Elasticsearch, helpers

from .. import analysis, ranking
from ..analysis import ParsedQuery, parse_query
from . import SearchUnavailable
from .base import FACETS, MAX_PAGE, PER_PAGE, Hit, SearchBackend, SearchResults
from .embedded import EmbeddedBackend
from .embedded_store import ALL_TERMS_BONUS, COLUMNS
from .es_grouping import group_key_of, grouped_hit, grouping_collapse
from .es_queries import (
    FACET_FIELDS,
    LABEL_FIELDS,
    SEARCHABLE,
    aggregations,
    filter_clauses,
    from_fts,
    grams,
    phrase_queries,
    scored,
    token_query,
)

TEXT = {"type": "text", "analyzer": "whitespace", "norms": True}
KEYWORD = {"type": "keyword"}
STORED = {"type": "keyword", "index": False, "doc_values": False}
THEME_SEPARATOR = "\x1f"
NAME_FIELDS = ["name", "keywords", "pinyin"]
PROBE_BATCH = 24


_clients = {}
_names = {}  # alias -> (monotonic time, [indexed item names]) for the name-IDF weights
NAMES_TTL = 60


def shared_client(url):
    """One client (and its connection pool) per cluster URL and process: a backend is made
    for every request, a TCP connection should not be."""
    client = _clients.get(url)
    if client is None:
        client = _clients[url] = Elasticsearch(url, request_timeout=10, max_retries=1, retry_on_timeout=False)
    return client


def alias_name():
    return f"{settings.ELASTICSEARCH_INDEX_PREFIX}-items"


def index_body():
    """Settings and mappings of a new versioned index (also the index template's body)."""
    properties = {name: dict(TEXT) for name in SEARCHABLE}
    properties.update(
        {
            # Character bigrams of the whole text and of the title, in order: exact phrases
            # and the title bonus are phrase queries on these.
            "plain": {"type": "text", "analyzer": "whitespace", "norms": False, "index_options": "positions"},
            "title_grams": {"type": "text", "analyzer": "whitespace", "norms": False, "index_options": "positions"},
            "key": KEYWORD,
            "kind": KEYWORD,
            "title": KEYWORD,
            "title_length": {"type": "integer"},
            "url": STORED,
            "item_code": KEYWORD,
            "center": KEYWORD,
            "center_label": KEYWORD,
            "department": KEYWORD,
            "department_label": KEYWORD,
            "audience": KEYWORD,
            "item_type": KEYWORD,
            "themes": KEYWORD,
            "theme_labels": KEYWORD,
            "fee": KEYWORD,
            "online": KEYWORD,
            "date": KEYWORD,
            "boost": {"type": "float"},
            "summary": {"type": "text", "index": False},
            "base_name": KEYWORD,
            "group_key": KEYWORD,
        }
    )
    return {
        "settings": {"number_of_shards": 1, "number_of_replicas": 0},
        "mappings": {"dynamic": "strict", "properties": properties},
    }


def to_source(document):
    """The indexed form of a SearchDocument: the embedded index's own token columns, plus
    keywords for facets and what a hit shows."""
    _doc_row, fts_row, _combo = EmbeddedBackend._rows(document)
    source = dict(zip(COLUMNS, fts_row, strict=True))
    body = " ".join(
        [
            document.title,
            document.keywords,
            document.conditions,
            document.materials,
            document.procedure,
            document.other,
        ]
    )
    themes = [(slug, label) for slug, label in document.themes if slug]
    source.update(
        {
            "plain": grams(body),
            "title_grams": grams(document.title),
            "key": document.key,
            "kind": document.kind,
            "title": document.title,
            "title_length": len(document.title or ""),
            "url": document.url,
            "item_code": document.item_code,
            "center": document.center,
            "center_label": document.center_label,
            "department": document.department,
            "department_label": document.department_label,
            "audience": document.audience,
            "item_type": document.item_type,
            "themes": [slug for slug, _label in themes],
            "theme_labels": [f"{slug}{THEME_SEPARATOR}{label}" for slug, label in themes],
            "fee": "" if document.charged is None else ("charged" if document.charged else "free"),
            "online": "" if document.online is None else ("yes" if document.online else "no"),
            "date": document.date,
            "boost": document.boost,
            "summary": document.summary,
            "base_name": document.base_name,
            "group_key": group_key_of(document),
        }
    )
    return source


def long_runs(word):
    """The CJK runs of a word that are searched as one token when the index knows it."""
    return [run for run in analysis.TOKEN_RUN.findall(word) if not analysis.ASCII_WORD.match(run) and len(run) > 2]


def term_words(term):
    return list(dict.fromkeys([term.text, *[analysis.normalize(s) for s in term.synonyms]]))


def term_alternatives(term, known):
    """The ways a term may match, strictest first, as [(mode, Elasticsearch query)]: the
    embedded backend's own ladder of FTS5 expressions (search.ranking.term_ladder) translated
    by es_queries.from_fts."""
    ladder = ranking.term_ladder(term, lambda token: token in known)
    return [(mode, from_fts(expression)) for mode, expression in ladder if expression]


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"
    groups = True

    def __init__(self, url=None, client=None):
        self.url = url or settings.ELASTICSEARCH_URL
        self.client = client or shared_client(self.url)
        self.alias = alias_name()

    def _call(self, func, *args, **kwargs):
        from elastic_transport import TransportError
        from elasticsearch import ApiError

        try:
            return func(*args, **kwargs)
        except (ApiError, TransportError) as exc:
            raise SearchUnavailable(f"Elasticsearch: {exc}") from exc

    def ping(self):
        # Cluster health rather than `HEAD /`: a node without the root endpoint (the
        # integration-test distribution) still answers it, and it says the node can serve.
        health = self._call(self.client.cluster.health, timeout="5s")
        if health.get("status") not in {"green", "yellow"}:
            raise SearchUnavailable(f"Elasticsearch at {self.url} is {health.get('status')}")
        return True

    def count(self):
        return self._call(self.client.count, index=self.alias)["count"]

    # ---- writing ---------------------------------------------------------------------
    def _actions(self, documents, index, seen=None):
        for document in documents:
            if seen is not None:
                seen.add(document.key)
            yield {"_op_type": "index", "_index": index, "_id": document.key, "_source": to_source(document)}

    def _bulk(self, actions, refresh=False):
        success, _errors = self._call(
            helpers.bulk, self.client, actions, chunk_size=500, raise_on_error=True, refresh=refresh
        )
        return success

    def index(self, documents):
        """Add or replace documents; visible to the next search (a publish is seen at once)."""
        return self._bulk(self._actions(documents, self.alias), refresh=True)

    def delete(self, keys):
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": key} for key in keys)
        return self._call(helpers.bulk, self.client, actions, raise_on_error=False, refresh=True)[0]

    def put_template(self):
        body = index_body()
        return self._call(
            self.client.indices.put_index_template,
            name=self.alias,
            index_patterns=[f"{self.alias}-*"],
            template={"settings": body["settings"], "mappings": body["mappings"]},
            priority=100,
        )

    def _current_indices(self):
        from elasticsearch import NotFoundError

        try:
            return sorted(self.client.indices.get_alias(name=self.alias).keys())
        except NotFoundError:
            return []
        except Exception as exc:
            raise SearchUnavailable(f"Elasticsearch: {exc}") from exc

    def rebuild(self, documents):
        """New versioned index from the template, bulk fill, then one atomic alias swap."""
        self.put_template()
        new_index = f"{self.alias}-{time.strftime('%Y%m%d%H%M%S')}{time.time_ns() % 1000000:06d}"
        # No refreshes while filling: one at the end.
        self._call(self.client.indices.create, index=new_index, settings={"refresh_interval": "-1"})
        try:
            written = self._bulk(self._actions(documents, new_index))
            self._call(self.client.indices.put_settings, index=new_index, settings={"refresh_interval": "1s"})
            self._call(self.client.indices.refresh, index=new_index)
        except BaseException:
            self.client.options(ignore_status=404).indices.delete(index=new_index)
            raise
        old = self._current_indices()
        actions = [{"remove": {"index": name, "alias": self.alias}} for name in old]
        actions.append({"add": {"index": new_index, "alias": self.alias}})
        self._call(self.client.indices.update_aliases, actions=actions)
        for name in old:
            self._call(self.client.indices.delete, index=name, ignore_unavailable=True)
        return {"indexed": written, "index": new_index, "replaced": old}

    def update(self, documents):
        if not self._current_indices():
            return self.rebuild(documents)
        seen = set()
        written = self._bulk(self._actions(documents, self.alias, seen))
        existing = [
            hit["_id"]
            for hit in self._call(
                lambda: list(
                    helpers.scan(self.client, index=self.alias, query={"query": {"match_all": {}}}, _source=False)
                )
            )
        ]
        stale = [key for key in existing if key not in seen]
        if stale:
            self.delete(stale)
        self._call(self.client.indices.refresh, index=self.alias)
        return {"indexed": written, "removed": len(stale)}

    # ---- searching -------------------------------------------------------------------
    def _probe(self, queries):
        """Which of these queries match at least one document: one _msearch, each search
        stopping at its first match."""
        if not queries:
            return []
        searches = []
        for query in queries:
            searches.append({"index": self.alias})
            searches.append({"size": 0, "terminate_after": 1, "track_total_hits": 1, "query": query})
        responses = self._call(self.client.msearch, searches=searches)["responses"]
        found = []
        for response in responses:
            if "error" in response:
                raise SearchUnavailable(f"Elasticsearch: {response['error']}")
            found.append(response["hits"]["total"]["value"] > 0)
        return found

    def _live_terms(self, parsed):
        """One query per term that finds something: the term as written (or a synonym), else
        its pinyin; terms that find nothing are dropped (as the embedded backend does).

        First the long CJK runs that are whole tokens of the index are found (they are then
        searched as that one token, as the embedded backend does), then each term's
        alternatives are probed; two _msearch requests in all."""
        runs = list(dict.fromkeys(run for term in parsed.terms for w in term_words(term) for run in long_runs(w)))
        runs = runs[:PROBE_BATCH]
        known = frozenset(
            run for run, hit in zip(runs, self._probe([token_query(r) for r in runs]), strict=True) if hit
        )
        candidates = [term_alternatives(term, known) for term in parsed.terms]
        flat = [(index, mode, query) for index, options in enumerate(candidates) for mode, query in options]
        found = self._probe([query for _index, _mode, query in flat[: PROBE_BATCH * 4]])
        live = {}
        for (index, mode, query), hit in zip(flat, found, strict=False):
            if hit and index not in live:
                live[index] = (query, parsed.terms[index], mode)
        return [live[index] for index in sorted(live)]

    def _spec(self, parsed, planned):
        """The title factor's spec (search.ranking.title_factor_spec) with name-IDF weights
        over the indexed names (cached a minute per process)."""
        live = [(term, mode) for _query, term, mode in planned]
        weights = [1.0] * len(live)
        if len(live) >= 2:
            weights = ranking.name_weights([term for term, _mode in live], self._cached_names())
        return ranking.title_factor_spec(parsed, live, weights)

    def _cached_names(self):
        entry = _names.get(self.alias)
        if entry is None or time.monotonic() - entry[0] > NAMES_TTL:
            entry = _names[self.alias] = (time.monotonic(), self._base_names())
        return entry[1]

    def _facets(self, aggs):
        facets = {name: [] for name in FACETS}
        for name in FACET_FIELDS:
            static = FACETS[name][1]
            labels = {value: str(label) for value, label in static.items()} if static else {}
            values = []
            for bucket in (aggs or {}).get(name, {}).get("buckets", []):
                value = str(bucket["key"])
                if not value:
                    continue
                label = labels.get(value, value)
                if name == "theme":
                    value, _sep, label = value.partition(THEME_SEPARATOR)
                elif name in LABEL_FIELDS:
                    label_buckets = bucket.get("label", {}).get("buckets", [])
                    label = label_buckets[0]["key"] if label_buckets and label_buckets[0]["key"] else value
                values.append({"value": value, "label": label or value, "count": bucket["doc_count"]})
            values.sort(key=lambda v: (-v["count"], v["label"]))
            facets[name] = values
        return facets

    def _hit(self, raw, words, score=None):
        source = raw.get("_source", {})
        return Hit(
            key=raw.get("_id", ""),
            kind=source.get("kind", ""),
            title=source.get("title", ""),
            url=source.get("url", ""),
            snippet=analysis.highlight(source.get("summary") or "", words),
            score=float(score if score is not None else (raw.get("_score") or 0)),
            center=source.get("center") or "",
            center_label=source.get("center_label") or "",
            item_code=source.get("item_code") or "",
            department_label=source.get("department_label") or "",
            item_type=source.get("item_type") or "",
        )

    def _request(self, query, spec, offset, size, group=False, bonus=None):
        ranked = scored(query, spec)
        if bonus is not None:
            # The all-terms tier above every other match, whatever the factor.
            ranked = {
                "bool": {"must": [ranked], "should": [{"constant_score": {"filter": bonus, "boost": ALL_TERMS_BONUS}}]}
            }
        body = {
            "query": ranked,
            "from": offset,
            "size": size,
            "track_total_hits": True,
            "sort": [{"_score": "desc"}, {"title_length": "asc"}, {"title": "asc"}],
            "_source": {"excludes": [*SEARCHABLE, "plain", "title_grams"]},
        }
        body["aggs"] = aggregations()
        if group:
            body["collapse"] = grouping_collapse()
            body["aggs"]["groups"] = {"cardinality": {"field": "group_key", "precision_threshold": 40000}}
        return self._call(self.client.search, index=self.alias, **body)

    def search(self, query, filters=None, page=1, per_page=PER_PAGE, synonyms=None, group=False, prefer_center=""):
        started = time.perf_counter()
        parsed = query if isinstance(query, ParsedQuery) else parse_query(query, synonyms)
        page = max(1, min(int(page or 1), MAX_PAGE))
        results = SearchResults(query=parsed.text, page=page, per_page=per_page, facets={name: [] for name in FACETS})
        if parsed.empty:
            results.took_ms = round((time.perf_counter() - started) * 1000, 2)
            return results
        planned = self._live_terms(parsed)
        if planned:
            self._search(parsed, planned, filters, page, per_page, results, group, prefer_center)
        results.took_ms = round((time.perf_counter() - started) * 1000, 2)
        return results

    def _search(self, parsed, planned, filters, page, per_page, results, group, prefer_center):
        live = [query for query, _term, _mode in planned]
        phrases = phrase_queries(parsed.phrases)
        filter_ = filter_clauses(filters)
        spec = self._spec(parsed, planned)
        offset = (page - 1) * per_page
        every = {"bool": {"must": live + phrases, "filter": filter_}}
        response = self._request(every, spec, offset, per_page, group)
        full = response["hits"]["total"]["value"]
        if full < per_page and len(live) > 1:
            # All terms first, then documents with some of them.
            some = {
                "bool": {"must": [{"bool": {"should": live, "minimum_should_match": 1}}, *phrases], "filter": filter_}
            }
            response = self._request(some, spec, offset, per_page, group, bonus={"bool": {"must": live}})
            total = response["hits"]["total"]["value"]
            results.mode = "all" if full == total else ("all+any" if full else "any")
        results.total = results.documents = response["hits"]["total"]["value"]
        words = parsed.highlight_words()
        results.facets = self._facets(response.get("aggregations"))
        if group:
            results.grouped = True
            results.total = response["aggregations"]["groups"]["value"] if results.documents else 0
            results.hits = [grouped_hit(self._hit, raw, words, prefer_center) for raw in response["hits"]["hits"]]
        else:
            results.hits = [self._hit(raw, words) for raw in response["hits"]["hits"]]

    def get(self, keys):
        keys = list(keys)
        if not keys:
            return []
        response = self._call(self.client.mget, index=self.alias, ids=keys)
        return [self._hit(doc, [], 0.0) for doc in response.get("docs", []) if doc.get("found")]

    def suggest(self, prefix, limit=8):
        """Names (and pinyin) starting with what was typed, as the embedded backend ranks them:
        names that start with the first word typed, then by score and shorter names."""
        text = analysis.normalize(prefix).strip()[:50]
        runs = analysis.TOKEN_RUN.findall(text)
        parts = []
        for run in runs[:4]:
            if analysis.ASCII_WORD.match(run):
                if len(run) < 2:
                    continue
                parts.append(
                    {
                        "bool": {
                            "should": [{"prefix": {name: run}} for name in NAME_FIELDS],
                            "minimum_should_match": 1,
                        }
                    }
                )
            elif len(run) <= 2:
                parts.append({"term": {"name": run}})
            else:
                parts.append({"match": {"name": {"query": " ".join(analysis.bigrams(run)), "operator": "and"}}})
        if not parts:
            return []
        body = {
            "size": limit * 6,
            "_source": ["title", "url"],
            "query": {
                "bool": {
                    "must": parts,
                    "should": [{"prefix": {"title": {"value": runs[0], "boost": 1000}}}],
                    "filter": [{"terms": {"kind": ["guide", "life_event"]}}],
                }
            },
            "sort": [{"_score": "desc"}, {"title_length": "asc"}, {"title": "asc"}],
        }
        response = self._call(self.client.search, index=self.alias, **body)
        seen = {}
        for raw in response["hits"]["hits"]:
            source = raw["_source"]
            entry = seen.get(source["title"])
            if entry is None:
                if len(seen) < limit:
                    seen[source["title"]] = {"url": source["url"], "count": 1}
            else:
                entry["count"] += 1
        from urllib.parse import urlencode

        return [
            {"title": title, "url": entry["url"] if entry["count"] == 1 else "/search/?" + urlencode({"q": title})}
            for title, entry in seen.items()
        ]

    def _base_names(self):
        """Distinct guide and life-event names (the title weights need no pinyin)."""
        body = {
            "size": 0,
            "query": {"terms": {"kind": ["guide", "life_event"]}},
            "aggs": {"names": {"terms": {"field": "base_name", "size": 10000}}},
        }
        response = self._call(self.client.search, index=self.alias, **body)
        buckets = response.get("aggregations", {}).get("names", {}).get("buckets", [])
        return [b["key"] for b in buckets]

    def names(self):
        """Names and their pinyin ("did you mean", after a query that found nothing)."""
        return [(name, analysis.pinyin_full(name)) for name in self._base_names()]

    def stats(self):
        return {"alias": self.alias, "indices": self._current_indices(), "documents": self.count()}
