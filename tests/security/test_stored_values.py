"""Values written outside the forms and the importer never reach a reader as markup or links.

Issue 12, finding 8: from a shell, a heading ``level`` of ``img src=x onerror=alert(1) x`` rendered
a raw ``<img>`` and ``javascript:`` URLs in safety notes, citations, people and listings became
``href``s and JSON-LD. Two rules now hold it:

- at the model: link fields take http(s) only and ``save()`` refuses anything else; an article's
  ``clean()`` (run by ``Page.save()``) refuses a body with such a heading level or URL;
- at render time: rows that got past both (``.update()``, raw SQL) are written out
  with the heading as ``h2`` and without the link, in HTML, the API and JSON-LD.
"""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from articles.blocks import ArticleBodyBlock
from articles.models import ArticlePage
from common.links import safe_link
from experts.models import Listing, Person
from tests import factories

pytestmark = pytest.mark.django_db

HOSTILE_LEVEL = "img src=x onerror=alert(1) x"
REFRESH_LEVEL = 'meta http-equiv="refresh" content="0;url=https://evil.example/"'
BAD_URLS = ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<b>x</b>", "ftp://example.org/x"]
JS = "javascript:"


def hostile_body(listing: Listing) -> list[dict]:
    return [
        {"type": "heading", "value": {"text": "Level one", "level": HOSTILE_LEVEL, "anchor": ""}},
        {"type": "heading", "value": {"text": "Level two", "level": REFRESH_LEVEL, "anchor": ""}},
        {"type": "paragraph", "value": "<p>Some words about trust.</p>"},
        {
            "type": "citation",
            "value": {"title": "A cited trial", "url": "javascript:alert(2)", "doi": "", "pmid": ""},
        },
        {
            "type": "safety_note",
            "value": {
                "title": "When to seek other help first",
                "text": "<p>If you are unsafe, call someone now.</p>",
                "resource_label": "Find crisis support",
                "resource_url": "javascript:alert(3)",
            },
        },
        {"type": "find_support", "value": factories.find_support_value([listing])},
    ]


@pytest.fixture
def tainted():
    """An article, its author and a listing whose stored values bypassed every form and check."""
    author = factories.person("Wren Calloway", headline="Reporter")
    listing = factories.listing("Harbour Counselling", country="GB", city="Leeds")
    article = factories.article(title="Stored values", authors=(author,))
    Person.objects.filter(pk=author.pk).update(
        linkedin_url="javascript:alert(4)", website_url="javascript:alert(5)"
    )
    Listing.objects.filter(pk=listing.pk).update(
        booking_url="javascript:alert(6)", website_url="javascript:alert(7)"
    )
    ArticlePage.objects.filter(pk=article.pk).update(body=json.dumps(hostile_body(listing)))
    article.refresh_from_db()
    return article, author, listing


@pytest.mark.parametrize("url", BAD_URLS)
def test_safe_link_passes_only_http_urls(url):
    assert safe_link(url) == ""
    assert safe_link("https://example.org/a?b=c") == "https://example.org/a?b=c"
    assert safe_link("http://example.org") == "http://example.org"


@pytest.mark.parametrize("url", BAD_URLS)
@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: factories.person("Ada Quill"), "linkedin_url"),
        (lambda: factories.person("Ada Quill"), "website_url"),
        (lambda: factories.listing("Quill Practice"), "booking_url"),
        (lambda: factories.listing("Quill Practice"), "website_url"),
    ],
)
def test_link_fields_refuse_other_schemes_on_save_and_clean(make, field, url):
    obj = make()
    setattr(obj, field, url)
    with pytest.raises(ValidationError) as save_error:
        obj.save()
    assert field in save_error.value.message_dict
    with pytest.raises(ValidationError) as clean_error:
        obj.full_clean()
    assert field in clean_error.value.message_dict
    obj.refresh_from_db()
    assert getattr(obj, field) == ""


@pytest.mark.parametrize(
    ("block", "field", "value"),
    [
        ("heading", "level", HOSTILE_LEVEL),
        ("citation", "url", "javascript:alert(1)"),
        ("citation", "url", "ftp://example.org/paper.pdf"),
        ("safety_note", "resource_url", "javascript:alert(1)"),
    ],
)
def test_the_admin_blocks_refuse_bad_levels_and_urls(block, field, value):
    stream_block = ArticleBodyBlock()
    child = stream_block.child_blocks[block]
    data = child.get_prep_value(child.get_default())
    data.update({"text": "Words", "title": "A title", field: value})
    with pytest.raises(ValidationError) as error:
        child.clean(child.to_python(data))
    assert field in error.value.block_errors


def test_an_article_saved_with_a_hostile_body_is_refused_naming_the_blocks():
    listing = factories.listing("Harbour Counselling")
    article = factories.article(title="Refused body")
    article.body = hostile_body(listing)
    with pytest.raises(ValidationError) as error:
        article.save()
    messages = error.value.message_dict["body"]
    assert messages == [
        "body block 1 (heading): level must be h2 or h3.",
        "body block 2 (heading): level must be h2 or h3.",
        "body block 4 (citation): url must start with http:// or https://.",
        "body block 5 (safety_note): resource_url must start with http:// or https://.",
    ]
    with pytest.raises(ValidationError):
        article.save_revision().publish()
    assert "Level one" not in str(ArticlePage.objects.get(pk=article.pk).body.raw_data)


def test_rows_that_bypassed_the_checks_render_without_markup_or_links(client, tainted):
    article, author, _ = tainted
    html = client.get(article.url).content.decode()
    assert "onerror" not in html and "<img src=x" not in html  # the page's own images stay
    assert "http-equiv" not in html
    assert html.count('class="body-heading"') == 2
    assert '<h2 id="level-one" class="body-heading">Level one</h2>' in html
    assert JS not in html.lower()
    assert "Harbour Counselling" in html  # the card is shown, without its links
    assert "Find crisis support" in html  # the safety note falls back to the site's crisis page

    profile = client.get(author.get_absolute_url()).content.decode()
    assert "Wren Calloway" in profile
    assert JS not in profile.lower()


def test_rows_that_bypassed_the_checks_reach_no_api_response_or_jsonld(client, tainted):
    article, author, listing = tainted
    bundle = client.get(f"/api/v1/articles/{article.slug}/").json()
    text = json.dumps(bundle).lower()
    assert "javascript" not in text
    assert "<img" not in text and "http-equiv" not in text
    headings = [block["value"] for block in bundle["body"] if block["type"] == "heading"]
    assert [(h["text"], h["level"]) for h in headings] == [("Level one", "h2"), ("Level two", "h2")]
    for path in (f"/api/v1/experts/{author.slug}/", f"/api/v1/listings/{listing.slug}/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "javascript" not in response.content.decode().lower(), path

    page = client.get(article.url).content.decode()
    scripts = page.split('<script type="application/ld+json">')[1:]
    assert scripts, "the article page carries JSON-LD"
    assert all("javascript" not in script.split("</script>")[0].lower() for script in scripts)
