"""What a search answers, whichever implementation ran it, and the parts both share.

``SearchResults`` carries the total, one page of ``SearchHit`` (an article id with its highlighted
title and snippet), and the facets by section and topic. Facets are *disjunctive*: the section
counts are over the matches narrowed by the topic filter only, the topic counts over the matches
narrowed by the section filter only, so a reader sees how many results each other choice would
give. A chosen value is always listed, even at 0, so it can be unchosen.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from .query import SearchQuery


@dataclass
class FacetValue:
    slug: str
    title: str
    count: int
    selected: bool = False


@dataclass
class SearchHit:
    article_id: int
    title: SafeString  # escaped HTML, matches in <mark>
    snippet: SafeString  # escaped HTML, matches in <mark>


@dataclass
class SearchResults:
    query: SearchQuery
    total: int
    hits: list[SearchHit] = field(default_factory=list)
    sections: list[FacetValue] = field(default_factory=list)
    topics: list[FacetValue] = field(default_factory=list)
    backend: str = ""  # which implementation answered ("database" when the engine's fallback did)


def facet_values(counts: Counter, titles: dict[str, str], selected: set[str]) -> list[FacetValue]:
    """Values with a title (unknown or hidden ones dropped), most results first, then by title."""
    slugs = {slug for slug, count in counts.items() if count} | (selected & set(titles))
    values = [
        FacetValue(slug, titles[slug], counts.get(slug, 0), slug in selected)
        for slug in slugs
        if slug in titles
    ]
    return sorted(values, key=lambda v: (-v.count, v.title.lower(), v.slug))


def narrow(
    matched: list[int], section_of: dict[int, str | None], topics_of: dict[int, set[str]], query: SearchQuery
) -> tuple[list[int], Counter, Counter]:
    """The matches kept by the query's filters, in order, and the facet counts (section, topic)."""
    wanted_topics = set(query.topics)
    kept, sections, topics = [], Counter(), Counter()
    for pk in matched:
        in_section = query.section is None or section_of.get(pk) == query.section
        on_topic = not wanted_topics or bool(topics_of.get(pk, set()) & wanted_topics)
        if on_topic and section_of.get(pk):
            sections[section_of[pk]] += 1
        if in_section:
            topics.update(topics_of.get(pk, ()))
        if in_section and on_topic:
            kept.append(pk)
    return kept, sections, topics
