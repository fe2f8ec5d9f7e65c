"""``/search/``: the reader's search page (HTML, no JavaScript needed)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def page(client, query: str = "", status: int = 200) -> str:
    response = client.get(f"/search/{query}")
    assert response.status_code == status
    return response.content.decode()


def result_titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="card-title"><a href="([^"]+)">', html)


class TestForm:
    def test_without_words_the_form_and_a_prompt(self, client, magazine):
        html = page(client)
        assert '<label for="search-q">Words to search for</label>' in html
        assert '<input id="search-q" type="search" name="q" value=""' in html
        assert "Type a few words" in html and "search-results" not in html

    def test_every_page_has_a_search_form_in_its_header(self, client, magazine):
        html = client.get("/").content.decode()
        assert 'role="search" method="get" action="/search/"' in html
        assert '<label for="site-search-q" class="visually-hidden">Search articles</label>' in html


class TestResults:
    def test_count_results_highlights_and_facets(self, client, magazine):
        html = page(client, "?q=trust")
        assert '<p class="search-message" role="status">3 articles match “trust”.</p>' in html
        assert result_titles(html)[-1] == "/relationships/arguing-well-as-a-couple/"
        assert "Rebuilding <mark>trust</mark> after a breach" in html
        assert "keeps <mark>trust</mark> intact" in html
        assert '<a href="/search/?q=trust&amp;topic=trust">Trust <span class="facet-count">(2)</span>' in html
        assert '<a href="/search/?q=trust&amp;section=relationships">Relationships' in html

    def test_a_chosen_facet_narrows_and_links_back(self, client, magazine):
        html = page(client, "?q=trust&topic=trust")
        assert "2 articles match “trust”." in html
        assert '<a href="/search/?q=trust" aria-current="true">Trust' in html
        assert '<input type="hidden" name="topic" value="trust">' in html

    def test_markup_in_a_title_is_never_markup(self, client, magazine):
        html = page(client, "?q=falls")
        assert "<script" not in html
        assert "Trust <mark>falls</mark>" in html

    def test_no_match_says_so(self, client, magazine):
        html = page(client, "?q=zebra+crossing")
        assert "No articles match “zebra crossing”." in html and "search-results" not in html

    def test_pages_of_results(self, client, magazine, settings):
        settings.WELLNESS = {**settings.WELLNESS, "SEARCH_PAGE_SIZE": 2}
        first = page(client, "?q=trust")
        assert "page 1 of 2" in first and '<a href="/search/?q=trust&amp;page=2" rel="next">' in first
        second = page(client, "?q=trust&page=2")
        assert len(result_titles(second)) == 1 and 'rel="prev"' in second
        assert not set(result_titles(first)) & set(result_titles(second))


class TestBadQueries:
    @pytest.mark.parametrize(
        "query, message", [("?q=***", "at least one letter or digit"), ("?q=" + "x" * 201, "at most 200")]
    )
    def test_a_query_that_cannot_be_run_says_why(self, client, magazine, query, message):
        html = page(client, query, status=400)
        assert 'role="alert"' in html and message in html
        assert 'aria-invalid="true" aria-describedby="search-error"' in html

    def test_lucene_syntax_is_searched_as_words(self, client, magazine):
        html = page(client, "?q=title%3A%28trust+OR")
        assert "No articles match “title:(trust OR”." in html  # "title" and "or" are not in any article
        assert page(client, "?q=%22trust").count('class="search-result"') == 3
