"""No page a reader may not see is reachable through any endpoint, or embedded in any response.

The tree holds a draft, an unpublished page, a scheduled page, an expired page (past its expiry,
before ``publish_scheduled`` has run), a view-restricted page, a page in a view-restricted section,
and a live page whose newer draft revision must not show. Every hidden page has "hidden" in its slug.
"""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone
from wagtail.models import PageViewRestriction

from articles.models import ArticlePage
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    section = factories.section("Trends & Signals")
    private_section = factories.section("Hidden Members Area")
    PageViewRestriction.objects.create(page=private_section, restriction_type="password", password="pw")
    writer = factories.person("Wren Writer")
    reviewer = factories.person("Rae Reviewer", reviewer=True, board=True)
    now = timezone.now()

    def hidden(title, **kwargs):
        return factories.article(
            kwargs.pop("parent", section), title, authors=(writer,), topics=["Trust"], **kwargs
        )

    draft = hidden("Hidden draft", publish=False)
    unpublished = hidden("Hidden unpublished")
    unpublished.unpublish()
    scheduled = hidden("Hidden scheduled", publish=False)
    scheduled.go_live_at = now + datetime.timedelta(days=3)
    scheduled.save_revision().publish()
    expired = factories.expert_review(hidden("Hidden expired"), reviewer)
    ArticlePage.objects.filter(pk=expired.pk).update(expire_at=now - datetime.timedelta(hours=1))
    restricted = factories.expert_review(hidden("Hidden restricted"), reviewer)
    PageViewRestriction.objects.create(page=restricted, restriction_type="password", password="pw")
    in_private_section = factories.expert_review(
        hidden("Hidden members only", parent=private_section), reviewer
    )
    hidden_pages = [draft, unpublished, scheduled, expired, restricted, in_private_section]
    for page in hidden_pages:
        assert ArticlePage.objects.get(pk=page.pk).slug.startswith("hidden-")

    links = " ".join(f'<a linktype="page" id="{p.pk}">link {i}</a>' for i, p in enumerate(hidden_pages))
    visible = factories.article(
        section,
        "Visible article",
        authors=(writer,),
        topics=["Trust"],
        picks=tuple(hidden_pages),
        body=[
            ("paragraph", f"<p>{links}</p>"),
            ("faq", {"title": "FAQ", "items": [{"question": "Where?", "answer": f"<p>{links}</p>"}]}),
        ],
    )
    visible = factories.expert_review(visible, reviewer)
    visible.title = "Hidden draft title of a live page"
    visible.standfirst = "hidden-draft-standfirst"
    visible.save_revision()
    assert ArticlePage.objects.get(pk=visible.pk).has_unpublished_changes
    return {"visible": visible, "hidden": hidden_pages, "writer": writer, "reviewer": reviewer}


def assert_no_hidden(response):
    assert response.status_code == 200, response.content
    text = response.content.decode().lower()
    assert "hidden" not in text, text[text.find("hidden") - 200 : text.find("hidden") + 100]


def test_lists_and_filters_show_only_the_visible_article(api, tree):
    queries = [
        "",
        "?author=wren-writer",
        "?reviewer=rae-reviewer",
        "?topic=trust",
        "?search=hidden",
        "?review_status=reviewed",
        "?section=hidden-members-area",
        "?ordering=title",
    ]
    for query in queries:
        response = api(f"/api/v1/articles/{query}")
        assert_no_hidden(response)
        assert [c["slug"] for c in response.json()["results"]] in (["visible-article"], []), query


def test_no_hidden_page_has_a_bundle(api, tree):
    for page in tree["hidden"]:
        slug = ArticlePage.objects.get(pk=page.pk).slug
        response = api(f"/api/v1/articles/{slug}/")
        assert response.status_code == 404, slug
        assert "hidden" not in response.json()["detail"].replace(slug, "")


def test_the_visible_bundle_embeds_nothing_hidden_and_shows_the_live_revision(api, tree):
    response = api("/api/v1/articles/visible-article/")
    assert_no_hidden(response)
    bundle = response.json()
    assert bundle["title"] == "Visible article" and bundle["editorial_picks"] == []
    assert "href" not in bundle["body"][0]["value"]["html"]


def test_expert_pages_and_sections_show_only_visible_articles(api, tree):
    for path in ("/api/v1/experts/wren-writer/", "/api/v1/experts/rae-reviewer/"):
        response = api(path)
        assert_no_hidden(response)
    profile = api("/api/v1/experts/wren-writer/").json()
    assert [a["slug"] for a in profile["articles_written"]] == ["visible-article"]
    reviewer = api("/api/v1/experts/rae-reviewer/").json()
    assert [a["slug"] for a in reviewer["articles_reviewed"]] == ["visible-article"]
    assert_no_hidden(api("/api/v1/sections/"))


def test_preview_of_a_draft_needs_a_token(api, tree):
    response = api("/api/v1/preview/")
    assert response.status_code == 400 and response.json()["errors"][0]["name"] == "token"


def test_reader_search_finds_only_the_live_text_of_the_visible_article(api, client, tree):
    # Every hidden page is about trust and written by Wren Writer; the visible one's newer draft has
    # "hidden" in its title and standfirst. The response echoes the words, so only hits are scanned.
    for words in ("trust", "wren writer", "hidden", "draft", "hidden draft standfirst", "members"):
        data = api(f"/api/v1/search/?q={words}").json()
        shown = json.dumps([data["results"], data["facets"]]).lower()
        assert "hidden" not in shown, (words, shown)
        assert [hit["article"]["slug"] for hit in data["results"]] in (["visible-article"], []), words
        html = client.get(f"/search/?q={words}").content.decode().lower()
        results = html.split('class="search-message"', 1)[1]
        assert "hidden" not in results.replace(f"“{words}”", "").replace("visually-hidden", ""), words
    assert api("/api/v1/search/?q=trust").json()["count"] == 1
    assert api("/api/v1/search/?q=hidden+draft").json()["count"] == 0
