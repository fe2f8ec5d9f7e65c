"""``/search/``: the reader's search page, plain HTML that works without JavaScript.

The view reads the form, asks ``search.interface.search_articles`` and renders; the hits carry the
same article cards as the API (``articles.cards``). A query that cannot be searched answers 400
with the reason next to the form; no query shows the form and a prompt.
"""

from __future__ import annotations

import math
import re

from django.shortcuts import render
from django.utils.http import urlencode

from articles.cards import rendered_article_cards
from website.freshness import content_generation

from .conf import search_setting
from .interface import search_articles
from .query import QueryError, SearchQuery, parse_search_text

_SLUG_RE = re.compile(r"^[-\w]{1,255}$")
MAX_PAGE = 1000


def _slugs(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values[:20] if _SLUG_RE.match(v)))


def _page_number(value: str | None) -> int:
    if value and value.isdigit() and len(value) <= 4:
        return min(max(1, int(value)), MAX_PAGE)
    return 1


def _url(q: str, section: str | None, topics: list[str], page: int = 1) -> str:
    params: list[tuple[str, str]] = [("q", q)]
    if section:
        params.append(("section", section))
    params += [("topic", t) for t in topics]
    if page > 1:
        params.append(("page", str(page)))
    return "/search/?" + urlencode(params)


def search_page(request):
    raw = request.GET.get("q", "")
    section = (_slugs(request.GET.getlist("section")) or [None])[0]
    topics = _slugs(request.GET.getlist("topic"))
    context = {"q": raw.strip(), "section": section, "topics": topics}
    if not raw.strip():
        return render(request, "search/search.html", context)
    size = int(search_setting("SEARCH_PAGE_SIZE"))
    page = _page_number(request.GET.get("page"))
    try:
        text = parse_search_text(raw)
        results = search_articles(
            SearchQuery(text, section=section, topics=tuple(topics), offset=(page - 1) * size, limit=size)
        )
    except QueryError as e:
        context["q"] = raw.strip()[:200]
        context["error"] = f"This search cannot be run: it {e}. Try a few plain words."
        return render(request, "search/search.html", context, status=400)

    base = request.build_absolute_uri("/").rstrip("/")
    cards = rendered_article_cards([h.article_id for h in results.hits], base, content_generation()[0])
    pages = max(1, math.ceil(results.total / size))
    context.update(
        results=results,
        hits=[(hit, cards[hit.article_id]) for hit in results.hits if hit.article_id in cards],
        page=page,
        pages=pages,
        previous_url=_url(text, section, topics, page - 1) if page > 1 else None,
        next_url=_url(text, section, topics, page + 1) if page < pages else None,
        section_links=[
            (value, _url(text, None if value.selected else value.slug, topics)) for value in results.sections
        ],
        topic_links=[
            (
                value,
                _url(
                    text,
                    section,
                    [t for t in topics if t != value.slug] if value.selected else [*topics, value.slug],
                ),
            )
            for value in results.topics
        ],
        clear_url=_url(text, None, []) if section or topics else None,
    )
    return render(request, "search/search.html", context)
