"""Elasticsearch backend (ELASTICSEARCH_URL), for sites that outgrow one machine.

Documents are elasticsearch.dsl Documents in versioned indices (`<prefix>-items-<timestamp>`)
behind the alias `<prefix>-items`; a rebuild fills a new index and moves the alias in one
atomic `_aliases` call, so search is never empty. Chinese analysis: the built-in `cjk` analyzer
(bigrams) by default, `smartcn` or `ik` when ELASTICSEARCH_ANALYZER says the cluster has the
plugin. Pinyin is generated in Python (search.analysis), so no pinyin plugin is needed; the
editors' synonyms become a search-time synonym_graph filter.
"""

import time

from django.conf import settings
from elasticsearch import Elasticsearch, helpers
from elasticsearch.dsl import Boolean, Document, Float, Keyword, Text, analyzer, token_filter, tokenizer

from .. import analysis
from ..analysis import ParsedQuery, parse_query
from . import SearchUnavailable
from .base import FACETS, MAX_PAGE, PER_PAGE, Hit, SearchBackend, SearchResults

FIELD_BOOSTS = {"title": 10, "keywords": 5, "conditions": 1.5, "materials": 1.5, "procedure": 1, "other": 0.4}
PINYIN_BOOST = 3
FACET_FIELDS = {
    "kind": "kind",
    "audience": "audience",
    "center": "center",
    "department": "department",
    "theme": "themes",
    "type": "item_type",
    "fee": "fee",
    "online": "online",
}


def alias_name():
    return f"{settings.ELASTICSEARCH_INDEX_PREFIX}-items"


def analyzers(synonyms=None):
    """(index analyzer, search analyzer, pinyin analyzer) for ELASTICSEARCH_ANALYZER."""
    choice = (getattr(settings, "ELASTICSEARCH_ANALYZER", "cjk") or "cjk").lower()
    groups = sorted({", ".join(terms) for terms in (synonyms or []) if len(terms) >= 2})
    filters = ["lowercase"]
    if choice == "smartcn":
        index_analyzer = analyzer("zh_index", tokenizer=tokenizer("smartcn_tokenizer"), filter=["lowercase"])
        search_tokenizer = tokenizer("smartcn_tokenizer")
    elif choice in {"ik", "ik_max_word", "ik_smart"}:
        index_analyzer = analyzer("zh_index", tokenizer=tokenizer("ik_max_word"), filter=["lowercase"])
        search_tokenizer = tokenizer("ik_smart")
    else:
        # The built-in `cjk` analyzer, spelled out so the search side can add synonyms.
        index_analyzer = analyzer("zh_index", tokenizer="standard", filter=["cjk_width", "lowercase", "cjk_bigram"])
        search_tokenizer = "standard"
        filters = ["cjk_width", "lowercase"]
    search_filters = list(filters)
    if groups:
        search_filters.append(token_filter("zh_synonyms", "synonym_graph", synonyms=groups, lenient=True))
    if choice not in {"smartcn", "ik", "ik_max_word", "ik_smart"}:
        search_filters.append("cjk_bigram")
    search_analyzer = analyzer("zh_search", tokenizer=search_tokenizer, filter=search_filters)
    pinyin_analyzer = analyzer("pinyin_plain", tokenizer="whitespace", filter=["lowercase"])
    return index_analyzer, search_analyzer, pinyin_analyzer


def document_class(index_name, synonyms=None):
    """An elasticsearch.dsl Document class bound to `index_name` with the configured analysis."""
    zh_index, zh_search, pinyin_analyzer = analyzers(synonyms)

    def zh(**extra):
        return Text(analyzer=zh_index, search_analyzer=zh_search, **extra)

    class ItemDocument(Document):
        key = Keyword()
        kind = Keyword()
        title = zh(fields={"raw": Keyword()})
        url = Keyword(index=False)
        item_code = Keyword()
        center = Keyword()
        center_label = Keyword(index=False)
        department = Keyword()
        department_label = Keyword(index=False)
        audience = Keyword()
        item_type = Keyword()
        themes = Keyword(multi=True)
        fee = Keyword()
        online = Keyword()
        date = Keyword()
        boost = Float()
        keywords = zh()
        pinyin = Text(analyzer=pinyin_analyzer)
        conditions = zh()
        materials = zh()
        procedure = zh()
        other = zh()
        summary = Text(analyzer=zh_index, search_analyzer=zh_search, term_vector="with_positions_offsets")
        base_name = Keyword()
        promoted = Boolean()

        class Index:
            name = index_name
            settings = {"number_of_shards": 1, "number_of_replicas": 0}

    return ItemDocument


def index_body(synonyms=None):
    """Settings and mappings of a new versioned index (also the index template's body)."""
    return document_class("x", synonyms)._index.to_dict()


def to_source(document):
    return {
        "key": document.key,
        "kind": document.kind,
        "title": document.title,
        "url": document.url,
        "item_code": document.item_code,
        "center": document.center,
        "center_label": document.center_label,
        "department": document.department,
        "department_label": document.department_label,
        "audience": document.audience,
        "item_type": document.item_type,
        "themes": [slug for slug, _label in document.themes],
        "fee": "" if document.charged is None else ("charged" if document.charged else "free"),
        "online": "" if document.online is None else ("yes" if document.online else "no"),
        "date": document.date,
        "boost": document.boost,
        "keywords": document.keywords,
        "pinyin": analysis.pinyin_tokens(document.title + " " + document.keywords),
        "conditions": document.conditions,
        "materials": document.materials,
        "procedure": document.procedure,
        "other": document.other,
        "summary": document.summary,
        "base_name": document.base_name,
    }


def term_query(term):
    """One user term: it must match the text fields (any synonym) or the pinyin field."""
    fields = [f"{name}^{boost}" for name, boost in FIELD_BOOSTS.items()]
    should = []
    for word in [term.text, *term.synonyms]:
        should.append({"multi_match": {"query": word, "fields": fields, "type": "best_fields", "operator": "and"}})
    if term.ascii:
        should.append({"prefix": {"pinyin": {"value": term.text, "boost": PINYIN_BOOST}}})
    else:
        sylls = analysis.syllables(term.text)
        pairs = [a + b for a, b in zip(sylls, sylls[1:], strict=False)] or list(sylls)
        if pairs:
            should.append({"match": {"pinyin": {"query": " ".join(pairs), "operator": "and", "boost": PINYIN_BOOST}}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def filter_clauses(filters):
    clauses = []
    for name, values in (filters or {}).items():
        field = FACET_FIELDS.get(name)
        if field is None:
            continue
        if name == "audience" and set(values) & {"person", "legal"}:
            values = sorted({*values, "both"})
        clauses.append({"terms": {field: list(values)}})
    return clauses


def search_body(parsed, filters=None, page=1, per_page=PER_PAGE, mode="all"):
    """The _search request body: all terms required (mode "all") or any term ("any")."""
    terms = [term_query(term) for term in parsed.terms]
    phrases = [{"multi_match": {"query": p, "type": "phrase", "fields": list(FIELD_BOOSTS)}} for p in parsed.phrases]
    if mode == "all":
        query = {"bool": {"must": terms + phrases, "filter": filter_clauses(filters)}}
    else:
        query = {
            "bool": {"should": terms, "minimum_should_match": 1, "must": phrases, "filter": filter_clauses(filters)}
        }
    return {
        "query": {
            "function_score": {
                "query": query,
                "functions": [{"field_value_factor": {"field": "boost", "missing": 1}}],
                "boost_mode": "multiply",
            }
        },
        "from": (page - 1) * per_page,
        "size": per_page,
        "track_total_hits": True,
        "_source": {"excludes": ["pinyin", "conditions", "materials", "procedure", "other"]},
        "highlight": {
            "encoder": "html",
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "fields": {"summary": {"fragment_size": 120, "number_of_fragments": 1, "no_match_size": 120}},
        },
        "aggs": {name: {"terms": {"field": field, "size": 50}} for name, field in FACET_FIELDS.items()},
    }


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, url=None, client=None):
        self.url = url or settings.ELASTICSEARCH_URL
        self.client = client or Elasticsearch(self.url, request_timeout=10, max_retries=1, retry_on_timeout=False)
        self.alias = alias_name()

    def _call(self, func, *args, **kwargs):
        from elastic_transport import TransportError
        from elasticsearch import ApiError

        try:
            return func(*args, **kwargs)
        except (ApiError, TransportError) as exc:
            raise SearchUnavailable(f"Elasticsearch: {exc}") from exc

    def ping(self):
        if not self._call(self.client.ping):
            raise SearchUnavailable(f"Elasticsearch at {self.url} does not answer")
        return True

    def count(self):
        return self._call(self.client.count, index=self.alias)["count"]

    # ---- writing ---------------------------------------------------------------------
    def _synonym_groups(self):
        from ..synonyms import load_groups

        try:
            return load_groups()
        except Exception:  # noqa: BLE001 - an index without synonyms is better than none
            return []

    def _actions(self, documents, index, seen=None):
        for document in documents:
            if seen is not None:
                seen.add(document.key)
            yield {"_op_type": "index", "_index": index, "_id": document.key, "_source": to_source(document)}

    def _bulk(self, actions):
        success, _errors = self._call(helpers.bulk, self.client, actions, chunk_size=500, raise_on_error=True)
        return success

    def index(self, documents):
        return self._bulk(self._actions(documents, self.alias))

    def delete(self, keys):
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": key} for key in keys)
        return self._call(helpers.bulk, self.client, actions, raise_on_error=False)[0]

    def put_template(self, synonyms=None):
        body = index_body(synonyms)
        return self._call(
            self.client.indices.put_index_template,
            name=self.alias,
            index_patterns=[f"{self.alias}-*"],
            template={"settings": body.get("settings", {}), "mappings": body["mappings"]},
            priority=100,
        )

    def _current_indices(self):
        try:
            return sorted(self.client.indices.get_alias(name=self.alias).keys())
        except Exception as exc:
            from elasticsearch import NotFoundError

            if isinstance(exc, NotFoundError):
                return []
            raise SearchUnavailable(f"Elasticsearch: {exc}") from exc

    def rebuild(self, documents):
        """New versioned index from the template, bulk fill, then one atomic alias swap."""
        synonyms = self._synonym_groups()
        self.put_template(synonyms)
        new_index = f"{self.alias}-{time.strftime('%Y%m%d%H%M%S')}{time.time_ns() % 1000000:06d}"
        self._call(self.client.indices.create, index=new_index)
        written = self._bulk(self._actions(documents, new_index))
        self._call(self.client.indices.refresh, index=new_index)
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
            for hit in helpers.scan(self.client, index=self.alias, query={"query": {"match_all": {}}}, _source=False)
        ]
        stale = [key for key in existing if key not in seen]
        if stale:
            self.delete(stale)
        return {"indexed": written, "removed": len(stale)}

    # ---- searching -------------------------------------------------------------------
    def _hit(self, raw):
        source = raw.get("_source", {})
        snippet = (raw.get("highlight", {}).get("summary") or [""])[0]
        if not snippet:
            from django.utils.html import escape

            snippet = escape((source.get("summary") or "")[:120])
        return Hit(
            key=raw.get("_id", ""),
            kind=source.get("kind", ""),
            title=source.get("title", ""),
            url=source.get("url", ""),
            snippet=snippet,
            score=float(raw.get("_score") or 0),
            center=source.get("center", ""),
            center_label=source.get("center_label", ""),
            item_code=source.get("item_code", ""),
            department_label=source.get("department_label", ""),
        )

    def _facets(self, aggregations):
        facets = {name: [] for name in FACETS}
        for name in FACET_FIELDS:
            static = FACETS[name][1]
            for bucket in (aggregations or {}).get(name, {}).get("buckets", []):
                value = str(bucket["key"])
                if not value:
                    continue
                label = str(static.get(value, value)) if static else value
                facets[name].append({"value": value, "label": label, "count": bucket["doc_count"]})
        return facets

    def search(self, query, filters=None, page=1, per_page=PER_PAGE, synonyms=None):
        started = time.perf_counter()
        parsed = query if isinstance(query, ParsedQuery) else parse_query(query, synonyms)
        page = max(1, min(int(page or 1), MAX_PAGE))
        results = SearchResults(query=parsed.text, page=page, per_page=per_page, facets={name: [] for name in FACETS})
        if parsed.empty:
            return results
        response = self._call(self.client.search, index=self.alias, body=search_body(parsed, filters, page, per_page))
        if response["hits"]["total"]["value"] == 0 and len(parsed.terms) > 1:
            response = self._call(
                self.client.search, index=self.alias, body=search_body(parsed, filters, page, per_page, mode="any")
            )
            results.mode = "any"
        results.total = response["hits"]["total"]["value"]
        results.hits = [self._hit(raw) for raw in response["hits"]["hits"]]
        results.facets = self._facets(response.get("aggregations"))
        results.took_ms = round((time.perf_counter() - started) * 1000, 2)
        return results

    def get(self, keys):
        keys = list(keys)
        if not keys:
            return []
        response = self._call(self.client.mget, index=self.alias, ids=keys)
        return [self._hit(doc) for doc in response.get("docs", []) if doc.get("found")]

    def suggest(self, prefix, limit=8):
        text = analysis.normalize(prefix).strip()[:50]
        if not text:
            return []
        body = {
            "size": limit * 4,
            "_source": ["title", "url"],
            "query": {
                "bool": {
                    "should": [
                        {"match_phrase_prefix": {"title": {"query": text}}},
                        {"prefix": {"pinyin": {"value": text.replace(" ", "")}}},
                    ],
                    "minimum_should_match": 1,
                    "filter": [{"terms": {"kind": ["guide", "life_event"]}}],
                }
            },
        }
        response = self._call(self.client.search, index=self.alias, body=body)
        seen = {}
        for raw in response["hits"]["hits"]:
            source = raw["_source"]
            seen.setdefault(source["title"], {"title": source["title"], "url": source["url"]})
        return list(seen.values())[:limit]

    def names(self):
        body = {"size": 0, "aggs": {"names": {"terms": {"field": "base_name", "size": 5000}}}}
        response = self._call(self.client.search, index=self.alias, body=body)
        buckets = response.get("aggregations", {}).get("names", {}).get("buckets", [])
        return [(b["key"], analysis.pinyin_full(b["key"])) for b in buckets]

    def stats(self):
        return {"alias": self.alias, "indices": self._current_indices(), "documents": self.count()}
