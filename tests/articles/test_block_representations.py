"""Blocks own their representations: the API bundle, the content-package codec, plain text and the
page outline (anchors, citation numbers) all come from the block classes, and the HTML page and the
API agree on them."""

import json

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError

from articles.blocks import LIST_MAX_ITEMS, ArticleBodyBlock, BodyBlock
from articles.content_package import (
    ContentPackageError,
    export_article_content,
    import_package,
    validate_package,
)
from articles.presenter import body_outline
from articles.text import body_plain_text
from recommendations.text import plain_text, weighted_terms
from tests import factories

pytestmark = pytest.mark.django_db

BODY = ArticleBodyBlock()
HEADING = {"text": "Next steps", "level": "h2", "anchor": ""}
LIST = {
    "style": "ordered",
    "items": [
        "<p>Name the <b>betrayal</b>.</p>",
        '<p>Smaller <a href="https://example.org">steps</a> next.</p>',
    ],
}


def api_bundle(client, page) -> dict:
    response = client.get(f"/api/v1/articles/{page.slug}/")
    assert response.status_code == 200, response.content
    return response.json()


def html_soup(client, page) -> BeautifulSoup:
    response = client.get(page.url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


class TestOutline:
    def test_repeated_and_empty_headings_get_unique_anchors_and_citations_numbers(self):
        raw = [
            {"type": "heading", "id": "a", "value": HEADING},
            {"type": "citation", "id": "b", "value": factories.citation_value("One")},
            {"type": "heading", "id": "c", "value": HEADING},
            {"type": "heading", "id": "d", "value": {"text": "", "level": "h2", "anchor": ""}},
            {"type": "heading", "id": "e", "value": {"text": "Other", "level": "h2", "anchor": "next-steps"}},
            {"type": "citation", "id": "f", "value": factories.citation_value("Two")},
        ]
        outline = body_outline(raw)
        assert [i.anchor for i in outline] == [
            "next-steps",
            "",
            "next-steps-2",
            "section",
            "next-steps-3",
            "",
        ]
        assert [i.number for i in outline] == [None, 1, None, None, None, 2]

    def test_api_and_html_give_repeated_headings_the_same_unique_anchors(self, client):
        page = factories.article(
            body=[factories.block("heading", HEADING), factories.block("heading", HEADING)]
        )
        bundle = api_bundle(client, page)
        assert [b["value"]["anchor"] for b in bundle["body"]] == ["next-steps", "next-steps-2"]
        html_ids = [h["id"] for h in html_soup(client, page).select(".article-body .body-heading")]
        assert html_ids == ["next-steps", "next-steps-2"]


class TestListBlock:
    def page(self):
        return factories.article(
            body=[factories.block("paragraph", "<p>Before.</p>"), factories.block("list", LIST)]
        )

    def test_html_is_one_list_with_an_item_each(self, client):
        soup = html_soup(client, self.page())
        lists = soup.select(".article-body ol.body-list")
        assert len(lists) == 1
        items = lists[0].find_all("li")
        assert [li.get_text(" ", strip=True) for li in items] == [
            "Name the betrayal .",
            "Smaller steps next.",
        ]
        assert items[0].find("b").get_text() == "betrayal"

    def test_unordered_style_renders_ul(self):
        block = BODY.child_blocks["list"]
        html = block.render(block.to_python({"style": "unordered", "items": ["<p>One</p>"]}))
        assert BeautifulSoup(html, "html.parser").select("ul.body-list > li")[0].get_text() == "One"

    def test_api_gives_inline_html_and_plain_text_per_item(self, client):
        bundle = api_bundle(client, self.page())
        value = bundle["body"][1]
        assert value["type"] == "list"
        assert value["value"]["style"] == "ordered"
        assert value["value"]["items"] == [
            {"html": "Name the <b>betrayal</b>.", "text": "Name the betrayal."},
            {
                "html": 'Smaller <a href="https://example.org" rel="noopener noreferrer">steps</a> next.',
                "text": "Smaller steps next.",
            },
        ]

    def test_api_sanitises_items(self, client):
        page = factories.article(
            body=[factories.block("list", {"style": "unordered", "items": ["<p>Hi<script>x()</script></p>"]})]
        )
        assert "<script" not in json.dumps(api_bundle(client, page)["body"])

    def test_plain_text_keeps_items_apart(self):
        page = self.page()
        text = body_plain_text(page.body)
        assert "betrayal. Smaller" in text
        assert "betrayal.Smaller" not in text
        assert "betrayal. Smaller" in plain_text("T", "S", page.body)
        assert "small" in weighted_terms("T", "S", page.body)

    def test_at_most_the_maximum_number_of_items(self):
        block = BODY.child_blocks["list"]
        value = block.to_python({"style": "ordered", "items": ["<p>x</p>"] * (LIST_MAX_ITEMS + 1)})
        with pytest.raises(ValidationError):
            block.clean(value)
        block.clean(block.to_python({"style": "ordered", "items": ["<p>x</p>"] * LIST_MAX_ITEMS}))


def minimal_package(body: list[dict]) -> dict:
    return {
        "format": "wellness-content-package",
        "version": 1,
        "sections": [{"slug": "relationships", "title": "Relationships", "expert_review_required": False}],
        "people": [{"slug": "ida-norr", "name": "Ida Norr", "roles": ["author"]}],
        "articles": [
            {
                "slug": "lists-in-bodies",
                "title": "Lists in bodies",
                "section": "relationships",
                "standfirst": "How a list travels.",
                "authors": ["ida-norr"],
                "published_at": "2026-01-27T09:00:00Z",
                "body": body,
            }
        ],
    }


class TestContentPackageCodec:
    def test_list_block_round_trips_through_import_and_export(self):
        factories.home_page()
        body = [{"type": "heading", "value": {**HEADING, "anchor": ""}}, {"type": "list", "value": LIST}]
        import_package(minimal_package(body))
        from articles.models import ArticlePage

        exported = export_article_content(ArticlePage.objects.get(slug="lists-in-bodies"))
        assert exported["body"] == body

    def test_too_many_items_is_an_error_naming_the_path(self):
        body = [{"type": "list", "value": {"style": "ordered", "items": ["<p>x</p>"] * (LIST_MAX_ITEMS + 1)}}]
        errors = validate_package(minimal_package(body))
        assert any(e.startswith("articles[0].body[0].value.items") for e in errors), errors
        with pytest.raises(ContentPackageError):
            import_package(minimal_package(body))

    def test_unknown_style_is_an_error_naming_the_path(self):
        body = [{"type": "list", "value": {"style": "spiral", "items": ["<p>x</p>"]}}]
        errors = validate_package(minimal_package(body))
        assert any(e.startswith("articles[0].body[0].value.style") for e in errors), errors

    def test_every_block_type_has_a_codec_and_an_api_representation(self):
        for name, block in BODY.child_blocks.items():
            assert isinstance(block, BodyBlock), name
            assert type(block).api_value is not BodyBlock.api_value, name
            assert type(block).to_package is not BodyBlock.to_package, name
