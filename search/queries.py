"""The engine's search request, built with ``elasticsearch.dsl`` as a plain dict (testable as data).

- Matching: every word must be in the article (``content``, all fields copied together), either
  as typed with typos forgiven (``fuzziness: AUTO``, analysed without synonyms) or through a topic
  synonym (the fields' search analyzer). ``match`` queries only: the reader's text is never parsed
  as query syntax (no ``query_string``).
- Ranking: the same words scored per field, title highest, then topics, standfirst, authors, FAQ
  and body; exact words above fuzzy ones.
- Facets: ``terms`` aggregations by section and topic. Filters go in ``post_filter`` and each
  aggregation applies the *other* facet's filter, so counts are disjunctive (``search.results``).
- Highlighting: title and a passage of standfirst, body or FAQ between two private-use characters
  (``search.highlight``), escaped and turned into ``<mark>`` afterwards.
"""

from __future__ import annotations

from elasticsearch.dsl import Q, Search

from .highlight import MARK_END, MARK_START
from .query import SearchQuery

FIELDS = ["title^6", "topics^3", "standfirst^2", "authors^2", "faq", "body"]
SNIPPET_FIELDS = ("standfirst", "body", "faq")
FACET_SIZE = 50


def search_query(query: SearchQuery) -> dict:
    terms = query.terms
    matches = Q(
        "bool",
        should=[
            Q("match", content={"query": terms, "operator": "and"}),
            Q(
                "match",
                content={"query": terms, "operator": "and", "fuzziness": "AUTO", "analyzer": "search_text"},
            ),
        ],
        minimum_should_match=1,
    )
    ranking = [
        Q("multi_match", query=terms, fields=FIELDS, type="best_fields"),
        Q(
            "multi_match",
            query=terms,
            fields=FIELDS,
            type="best_fields",
            fuzziness="AUTO",
            analyzer="search_text",
            boost=0.5,
        ),
    ]
    section_filter = Q("term", section=query.section) if query.section else None
    topic_filter = Q("terms", topic_slugs=sorted(query.topics)) if query.topics else None
    search = Search().query(Q("bool", must=[matches], should=ranking))
    active = [f for f in (section_filter, topic_filter) if f is not None]
    if active:
        search = search.post_filter(Q("bool", filter=active))
    search.aggs.bucket("sections", "filter", filter=topic_filter or Q("match_all")).bucket(
        "values", "terms", field="section", size=FACET_SIZE
    )
    search.aggs.bucket("topics", "filter", filter=section_filter or Q("match_all")).bucket(
        "values", "terms", field="topic_slugs", size=FACET_SIZE
    )
    search = search.highlight_options(
        pre_tags=[MARK_START], post_tags=[MARK_END], fragment_size=180, number_of_fragments=1, no_match_size=0
    )
    search = search.highlight("title", number_of_fragments=0).highlight(*SNIPPET_FIELDS)
    body = search.source(False).extra(from_=query.offset, size=query.limit, track_total_hits=True).to_dict()
    body["sort"] = ["_score", {"first_published_at": {"order": "desc", "unmapped_type": "date"}}]
    return body
