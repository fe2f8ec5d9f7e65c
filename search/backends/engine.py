"""Reader search on Elasticsearch 8/9 or OpenSearch 2/3.

Assembled like the recommendations' engine backend, whose collaborators it reuses:
``recommendations.engine.connect`` for the client (elasticsearch-py or opensearch-py, chosen by
``SEARCH_ENGINE`` or detected), and ``AliasedIndex`` for the versioned index behind the alias
``WELLNESS["SEARCH_INDEX"]`` (``<SEARCH_INDEX_PREFIX>_search_articles``): bulk loading with 429
retries, an atomic alias swap on rebuild, single-document writes. Mappings and analyzers are in
``search.documents``, the request in ``search.queries``.

The engine finds, ranks, highlights and counts; the database decides what is shown: the hits of
the page are re-read through ``articles.visibility.visible``, so a stale index never shows an
article a reader may not see (it only costs that page a result).
"""

from __future__ import annotations

import logging

from recommendations.backends.elasticsearch import AliasedIndex, _fingerprint
from recommendations.engine import EngineClient, EngineError, connect

from ..conf import search_setting
from ..documents import index_body, synonym_rules
from ..highlight import MARK_START, as_html, without_marks
from ..queries import SNIPPET_FIELDS, search_query
from ..query import SearchQuery
from ..results import SearchHit, SearchResults, facet_values
from .base import SearchBackend
from .database import STEPLEN

logger = logging.getLogger(__name__)


class EngineUnavailable(Exception):
    """The engine could not answer (no URL, connection refused, timeout, an error status)."""


def client_factory() -> EngineClient:
    url = search_setting("SEARCH_ENGINE_URL")
    if not url:
        raise EngineUnavailable("WELLNESS['SEARCH_ENGINE_URL'] is not set")
    try:
        return connect(
            url, kind=search_setting("SEARCH_ENGINE"), timeout=float(search_setting("SEARCH_ENGINE_TIMEOUT"))
        )
    except EngineError as e:
        raise EngineUnavailable(str(e)) from e


class SearchIndex(AliasedIndex):
    """The search index: ``AliasedIndex`` with our alias and our mappings and analyzers."""

    def __init__(self, client: EngineClient):
        self.client = client
        self.kind = "search_articles"
        self.alias = search_setting("SEARCH_INDEX")

    def create(self, name: str) -> None:
        from experts.models import Topic

        body = index_body(synonym_rules(Topic.objects.only("name", "synonyms")))
        self.client.create_index(name, settings=body["settings"], mappings=body["mappings"])


class DocumentBuilder:
    """Search documents of the visible articles among ``ids`` (all of them when None)."""

    def documents(self, ids: list[int] | None = None) -> dict[int, dict]:
        from articles.models import ArticleAuthor, ArticlePage, ArticleTopic, SectionPage
        from articles.text import body_plain_text
        from articles.visibility import visible
        from common.text import clean_text

        pages = visible(ArticlePage.objects.all()).only(
            "path", "title", "standfirst", "body", "first_published_at"
        )
        if ids is not None:
            pages = pages.filter(pk__in=ids)
        pages = list(pages)
        pks = [p.pk for p in pages]
        sections = dict(visible(SectionPage.objects.all()).values_list("path", "slug"))
        topics: dict[int, list[tuple[str, str]]] = {}
        for pk, slug, name in ArticleTopic.objects.filter(content_object_id__in=pks).values_list(
            "content_object_id", "tag__slug", "tag__name"
        ):
            topics.setdefault(pk, []).append((slug, name))
        authors: dict[int, list[str]] = {}
        for pk, name in (
            ArticleAuthor.objects.filter(page_id__in=pks)
            .order_by("sort_order")
            .values_list("page_id", "person__name")
        ):
            authors.setdefault(pk, []).append(name)
        docs = {}
        for page in pages:
            faq = [body_plain_text([block]) for block in page.body or [] if block.block_type == "faq"]
            doc = {
                # Plain text as cards show it (no markup), escaped when highlighted.
                "title": without_marks(clean_text(page.title)),
                "standfirst": without_marks(clean_text(page.standfirst)),
                "body": without_marks(body_plain_text(page.body, skip=("citation", "find_support", "faq"))),
                "faq": without_marks(" ".join(faq)),
                "topics": [name for _, name in sorted(topics.get(page.pk, []))],
                "topic_slugs": sorted(slug for slug, _ in topics.get(page.pk, [])),
                "authors": authors.get(page.pk, []),
                "section": sections.get(page.path[:-STEPLEN]),
                "first_published_at": page.first_published_at.isoformat()
                if page.first_published_at
                else None,
            }
            doc["fingerprint"] = _fingerprint(doc)
            docs[page.pk] = doc
        return docs


class EngineSearch(SearchBackend):
    name = "engine"
    client_factory = staticmethod(client_factory)
    index_class = SearchIndex
    document_builder_class = DocumentBuilder

    def __init__(self):
        self._client = None
        self.documents = self.document_builder_class()

    @property
    def client(self) -> EngineClient:
        if self._client is None:
            self._client = self.client_factory()
        return self._client

    def index(self) -> SearchIndex:
        return self.index_class(self.client)

    # --- reads -------------------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResults:
        from articles.models import ArticlePage, SectionPage
        from articles.visibility import visible
        from common.text import clean_text
        from experts.models import Topic

        response = self.client.search(self.index().alias, search_query(query))
        hits = response["hits"]["hits"]
        total = response["hits"]["total"]
        total = total["value"] if isinstance(total, dict) else int(total)
        ids = [int(hit["_id"]) for hit in hits]
        titles = dict(visible(ArticlePage.objects.filter(pk__in=ids)).values_list("pk", "title"))
        found = []
        for hit in hits:
            pk = int(hit["_id"])
            if pk not in titles:
                continue  # the index is behind the database: not shown
            highlight = hit.get("highlight") or {}
            title = (highlight.get("title") or [None])[0] or clean_text(titles[pk])
            passage = next((highlight[f][0] for f in SNIPPET_FIELDS if highlight.get(f)), "")
            if MARK_START not in passage:
                passage = ""
            found.append(SearchHit(pk, as_html(title), as_html(passage)))

        aggs = response.get("aggregations") or {}
        section_counts = {
            b["key"]: b["doc_count"] for b in aggs.get("sections", {}).get("values", {}).get("buckets", [])
        }
        topic_counts = {
            b["key"]: b["doc_count"] for b in aggs.get("topics", {}).get("values", {}).get("buckets", [])
        }
        section_titles = dict(
            visible(
                SectionPage.objects.filter(slug__in={*section_counts, query.section} - {None})
            ).values_list("slug", "title")
        )
        topic_titles = dict(
            Topic.objects.filter(slug__in={*topic_counts, *query.topics}).values_list("slug", "name")
        )
        return SearchResults(
            query=query,
            total=total,
            hits=found,
            sections=facet_values(section_counts, section_titles, {query.section} - {None}),
            topics=facet_values(topic_counts, topic_titles, set(query.topics)),
            backend=self.name,
        )

    # --- writes ------------------------------------------------------------------------------------

    def index_object(self, app_label: str, model_name: str, pk: int) -> str:
        if (app_label, model_name) != ("articles", "articlepage"):
            return "not indexed"
        index = self.index()
        index.ensure()
        docs = self.documents.documents([pk])
        if pk in docs:
            index.put(pk, docs[pk])
            return "indexed"
        index.delete(pk)
        return "removed"

    def remove_object(self, app_label: str, model_name: str, pk: int) -> str:
        if (app_label, model_name) != ("articles", "articlepage"):
            return "not indexed"
        self.index().delete(pk)
        return "removed"

    def rebuild(self, log=print) -> dict:
        """A new index with every visible article, then the alias swapped to it and old ones removed."""
        index = self.index()
        docs = self.documents.documents()
        name = index.new_name()
        index.create(name)
        indexed, failed = index.bulk(name, docs)
        if docs and not indexed:
            self.client.delete_index(name)
            raise EngineUnavailable("no article could be indexed; the alias was left as it was")
        self.client.refresh(name)
        old = index.swap(name)
        for old_name in old:
            self.client.delete_index(old_name)
        log(
            f"{self.client.kind}: {indexed} articles in {name}, alias {index.alias} swapped, "
            f"{len(old)} old index(es) removed, {len(failed)} failed"
        )
        return {"indexed": indexed, "index": name, "failed": [(f"articles/{pk}", r) for pk, r in failed]}
