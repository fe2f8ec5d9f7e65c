"""Reader search on the database: Wagtail's own database search index, then plain queries.

Wagtail keeps a full-text index of every page in the database (SQLite FTS5, PostgreSQL
``tsvector``, MySQL full-text), updated on every save by its own signal handlers, from the saved
row (so a live page's newer draft is never indexed). ``ArticlePage.search_fields`` puts the title
(ranked highest), standfirst, body (FAQ included), topic names and author names in it. This module
asks that index for the ranked ids of articles holding *every* word, then keeps those a reader may
see (``articles.visibility.visible``), counts facets, and builds snippets from the rows of the page
shown. A fixed number of queries, whatever the number of matches.

The index is Wagtail's database backend even when the site's default Wagtail backend is the engine
(the settings then keep a second, ``database`` entry, so the fallback has an index to read).
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.db import DatabaseError

from common.text import clean_text

from ..conf import search_setting
from ..highlight import as_html, mark_matches, snippet
from ..query import QueryError, SearchQuery
from ..results import SearchHit, SearchResults, facet_values, narrow
from .base import SearchBackend

DATABASE_BACKENDS = ("wagtail.search.backends.database", "modelsearch.backends.database")
STEPLEN = 4  # characters per level of a Wagtail page path


def wagtail_database_index():
    """Wagtail's database search backend, as configured in ``WAGTAILSEARCH_BACKENDS``."""
    from wagtail.search.backends import get_search_backend

    for name, conf in getattr(settings, "WAGTAILSEARCH_BACKENDS", {}).items():
        if conf.get("BACKEND") in DATABASE_BACKENDS:
            return get_search_backend(name)
    return get_search_backend(DATABASE_BACKENDS[0])


class DatabaseSearch(SearchBackend):
    name = "database"

    def ranked_ids(self, terms: str) -> list[int]:
        """Ids of articles (any state) holding every word of ``terms``, most relevant first."""
        from articles.models import ArticlePage

        limit = int(search_setting("SEARCH_MAX_MATCHES"))
        try:
            results = wagtail_database_index().search(terms, ArticlePage.objects.only("pk"), operator="and")
            return [page.pk for page in results[:limit]]
        except DatabaseError as e:  # words the database's full-text syntax still refuses
            raise QueryError("these words cannot be searched") from e

    def search(self, query: SearchQuery) -> SearchResults:
        from articles.models import ArticlePage, ArticleTopic, SectionPage
        from articles.visibility import visible
        from experts.models import Topic

        ranked = self.ranked_ids(query.terms)
        if not ranked:
            return SearchResults(query=query, total=0, backend=self.name)
        paths = dict(visible(ArticlePage.objects.filter(pk__in=ranked)).values_list("pk", "path"))
        matched = [pk for pk in ranked if pk in paths]
        sections = {
            path: (slug, title)
            for path, slug, title in visible(SectionPage.objects.all()).values_list("path", "slug", "title")
        }
        section_of = {pk: (sections.get(paths[pk][:-STEPLEN]) or (None,))[0] for pk in matched}
        topic_rows = ArticleTopic.objects.filter(content_object_id__in=matched).values_list(
            "content_object_id", "tag__slug", "tag__name"
        )
        topics_of: dict[int, set[str]] = defaultdict(set)
        topic_titles: dict[str, str] = {}
        for pk, slug, name in topic_rows:
            topics_of[pk].add(slug)
            topic_titles[slug] = name
        if query.topics:
            missing = set(query.topics) - set(topic_titles)
            topic_titles.update(Topic.objects.filter(slug__in=missing).values_list("slug", "name"))
        kept, section_counts, topic_counts = narrow(matched, section_of, topics_of, query)
        page = kept[query.offset : query.offset + query.limit]
        return SearchResults(
            query=query,
            total=len(kept),
            hits=self.hits(page, query.words),
            sections=facet_values(
                section_counts, {slug: title for slug, title in sections.values()}, {query.section} - {None}
            ),
            topics=facet_values(topic_counts, topic_titles, set(query.topics)),
            backend=self.name,
        )

    def hits(self, ids: list[int], words: list[str]) -> list[SearchHit]:
        """Highlighted title and snippet of each article in ``ids`` (two queries for the page)."""
        from articles.models import ArticleAuthor, ArticlePage
        from articles.text import body_plain_text

        if not ids:
            return []
        pages = ArticlePage.objects.filter(pk__in=ids).only("title", "standfirst", "body").in_bulk()
        authors: dict[int, list[str]] = defaultdict(list)
        for page_id, name in (
            ArticleAuthor.objects.filter(page_id__in=ids)
            .order_by("sort_order")
            .values_list("page_id", "person__name")
        ):
            authors[page_id].append(name)
        hits = []
        for pk in ids:
            page = pages.get(pk)
            if page is None:
                continue
            # Plain text as the cards show it (``clean_text``), then escaped by ``as_html``.
            title, _ = mark_matches(clean_text(page.title), words)
            passages = [
                snippet(clean_text(page.standfirst), words),
                snippet(body_plain_text(page.body), words),
                snippet("Written by " + ", ".join(authors[pk]), words) if authors[pk] else ("", 0),
            ]
            best = max(passages, key=lambda passage: passage[1])
            text = best[0] if best[1] else passages[0][0]
            hits.append(SearchHit(pk, as_html(title), as_html(text)))
        return hits
