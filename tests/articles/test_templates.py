"""The article, home and section pages as a reader sees them."""

import datetime
import json

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from articles.models import ArticlePage, SectionPage
from recommendations.interface import RelatedArticle, SupportResult, SupportSuggestion
from tests import factories

pytestmark = pytest.mark.django_db

PRIVATE = {
    "contact_email": "private-inbox@example.net",
    "internal_notes": "INTERNAL-NOTE-do-not-publish",
}
LICENCE = "LIC-PRIVATE-123"  # the licence number factories.person gives every credential


def soup_of(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def reviewer():
    return factories.person(
        "Amara Lindqvist",
        board=True,
        reviewer=True,
        honorific="Dr.",
        headline="Clinical psychologist",
        **PRIVATE,
    )


@pytest.fixture
def author():
    return factories.person(
        "Tomas Reyes",
        headline="Health journalist",
        bio="<p>Writes about relationships.</p>",
        linkedin_url="https://www.linkedin.com/in/tomas-example",
        **PRIVATE,
    )


@pytest.fixture
def article(author, reviewer):
    section = factories.section("Trends & Signals")
    practitioner = factories.listing("Lea Voss", country="DE", city="Munich", **PRIVATE)
    body = [
        factories.block("heading", {"text": "Why trust breaks", "level": "h2", "anchor": ""}),
        factories.block("paragraph", "<p>Trust is built in small moments.</p>"),
        factories.block("find_support", factories.find_support_value([practitioner])),
        factories.block("faq", factories.faq_value(("Is it ever too late?", "Not always."))),
    ]
    page = factories.article(section, "Repairing Trust", body=body, authors=(author,), topics=("trust",))
    return factories.expert_review(page, reviewer, summary="Accurate and balanced on couples therapy.")


class TestArticlePage:
    def test_header_shows_section_title_date_and_reading_time(self, client, article):
        soup = soup_of(client.get(article.url))
        assert [h.get_text() for h in soup.find_all("h1")] == ["Repairing Trust"]
        label = soup.select_one(".section-label a")
        assert label.get_text() == "Trends & Signals" and label["href"] == "/trends-signals/"
        assert soup.select_one(".article-meta time")["datetime"].startswith(
            article.first_published_at.date().isoformat()
        )
        assert soup.select_one(".reading-time").get_text() == "1 min read"

    def test_byline_links_authors_and_shows_reviewer_with_badge(self, client, article):
        soup = soup_of(client.get(article.url))
        written = soup.select_one(".byline-authors")
        assert "Written by" in written.get_text()
        assert written.find("a", href="/experts/tomas-reyes/").get_text() == "Tomas Reyes"
        assert "Health journalist" in written.get_text()
        reviewed = soup.select_one(".byline-reviewer")
        assert "Expert-Reviewed by" in reviewed.get_text()
        assert reviewed.find("a", href="/experts/amara-lindqvist/").get_text() == "Dr. Amara Lindqvist"
        assert reviewed.select_one(".badge").get_text() == "Verified Expert Board Member"

    def test_no_badge_when_the_reviewers_credential_expired(self, client, author):
        lapsed = factories.person("Ola Lapsed", board=True, reviewer=True, credential_valid=False)
        page = factories.expert_review(factories.article(authors=(author,)), lapsed)
        soup = soup_of(client.get(page.url))
        assert "Ola Lapsed" in soup.select_one(".byline-reviewer").get_text()
        assert soup.select(".badge") == []

    def test_no_reviewer_line_without_a_review(self, client, author):
        soup = soup_of(client.get(factories.article(authors=(author,)).url))
        assert soup.select(".byline-reviewer") == []
        assert "not been expert-reviewed" in soup.select_one(".about-article").get_text()

    def test_about_box_has_reviewer_summary_date_and_author_bio(self, client, article):
        box = soup_of(client.get(article.url)).select_one(".about-article")
        assert box.find("h2").get_text() == "About this article"
        card = box.select_one(".reviewer-card")
        assert card.select_one(".review-summary").get_text() == "Accurate and balanced on couples therapy."
        assert card.select_one(".badge")
        assert card.select_one(".review-date time")["datetime"] == timezone.localdate().isoformat()
        bio = box.select_one(".author-bio")
        assert "Writes about relationships." in bio.get_text()
        assert bio.find("a", href="https://www.linkedin.com/in/tomas-example")

    def test_faq_and_cards_render(self, client, article):
        soup = soup_of(client.get(article.url))
        assert soup.select_one(".faq details summary").get_text() == "Is it ever too late?"
        assert soup.select_one(".find-support .listing-card .card-title").get_text() == "Lea Voss"

    def test_review_notice_when_changed_since_review(self, client, article):
        edited = ArticlePage.objects.get(pk=article.pk)
        edited.standfirst = "A new standfirst written after the review."
        edited.save_revision().publish()
        soup = soup_of(client.get(article.url))
        assert "changed after its expert review" in soup.select_one(".review-notice").get_text()

    def test_review_notice_when_review_overdue(self, client, author, reviewer):
        page = factories.article(authors=(author,))
        page = factories.expert_review(
            page, reviewer, reviewed_at=timezone.now() - datetime.timedelta(days=800)
        )
        assert page.review_status == "review_overdue"
        assert "Review overdue" in soup_of(client.get(page.url)).select_one(".review-notice").get_text()

    def test_no_notice_when_reviewed(self, client, article):
        assert soup_of(client.get(article.url)).select(".review-notice") == []

    def test_hero_image_has_alt_text(self, client, author):
        page = factories.article(
            authors=(author,), hero_image=factories.image("Hero"), hero_alt="A couple talking"
        )
        img = soup_of(client.get(page.url)).select_one(".hero img")
        assert img["alt"] == "A couple talking"

    def test_every_image_has_alt_text(self, client, author, reviewer):
        author.photo = factories.image("Portrait")
        author.save()
        reviewer.photo = factories.image("Portrait 2")
        reviewer.save()
        page = factories.article(
            authors=(author,),
            hero_image=factories.image("Hero"),
            body=[
                factories.block("image", {"image": factories.image("Body").pk, "alt": "Hands", "caption": ""})
            ],
        )
        page = factories.expert_review(page, reviewer)
        soup = soup_of(client.get(page.url))
        images = soup.find_all("img")
        assert len(images) == 6
        # Byline photos sit beside the linked name, so they are decorative (empty alt); every
        # other image says what it shows.
        byline = [img for img in images if "byline-photo" in img.get("class", [])]
        assert len(byline) == 2 and all(img["alt"] == "" for img in byline)
        assert all(img.find_next_sibling("a").get_text() for img in byline)
        assert all(img.get("alt") for img in images if img not in byline)


class TestEditorialPicksAndRelated:
    def test_only_live_public_picks_show_with_their_own_bylines(self, client, author, reviewer):
        section = factories.section("Altered Healing")
        live = factories.expert_review(factories.article(section, "Live pick", authors=(author,)), reviewer)
        draft = factories.article(section, "Draft pick", publish=False)
        private = factories.article(section, "Private pick")
        PageViewRestriction.objects.create(page=private, restriction_type="password", password="secret")
        page = factories.article(section, "Host", picks=(draft, live, private))
        soup = soup_of(client.get(page.url))
        cards = soup.select(".editorial-picks .article-card")
        assert [c.select_one(".card-title").get_text() for c in cards] == ["Live pick"]
        card = cards[0]
        assert card.select_one(".card-section").get_text() == "Altered Healing"
        assert "Written by: Tomas Reyes" in card.get_text()
        assert "Expert-Reviewed by: Dr. Amara Lindqvist" in card.get_text()
        assert "Draft pick" not in soup.get_text() and "Private pick" not in soup.get_text()

    def test_long_standfirst_is_truncated_on_cards(self, client):
        words = " ".join(f"word{i}" for i in range(40))
        pick = factories.article(title="Wordy", standfirst=words)
        soup = soup_of(client.get(factories.article(picks=(pick,)).url))
        text = soup.select_one(".editorial-picks .card-standfirst").get_text()
        assert text.endswith("…") and "word30" not in text

    def test_related_articles_come_from_the_engine_with_reasons(self, client, monkeypatch):
        other = factories.article(title="Attachment after betrayal")

        def fake_related(article, *, limit=6):
            assert limit == 6
            return [RelatedArticle(other, "automatic", ["Shares the topic trust"])]

        monkeypatch.setattr("recommendations.interface.related_articles", fake_related)
        soup = soup_of(client.get(factories.article().url))
        card = soup.select_one(".related-articles .article-card")
        assert card.select_one(".card-title").get_text() == "Attachment after betrayal"
        assert "Shares the topic trust" in card.get_text()


class TestPageStructure:
    def test_landmarks_skip_link_and_language(self, client, article):
        soup = soup_of(client.get(article.url))
        assert soup.html["lang"] == "en"
        skip = soup.find("a", class_="skip-link")
        assert skip["href"] == "#main" and soup.find("main", id="main")
        for tag in ("header", "nav", "main", "article", "footer"):
            assert soup.find(tag), tag

    @pytest.mark.parametrize("kind", ["article", "home", "section"])
    def test_one_h1_and_headings_never_skip_a_level(self, client, article, kind):
        url = {"article": article.url, "home": "/", "section": article.get_parent().url}[kind]
        soup = soup_of(client.get(url))
        levels = [int(h.name[1]) for h in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])]
        assert levels[0] == 1 and levels.count(1) == 1
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))

    def test_no_inline_scripts_or_styles(self, client, article):
        soup = soup_of(client.get(article.url))
        scripts = soup.find_all("script")
        assert scripts and all(s.get("type") == "application/ld+json" for s in scripts)
        assert soup.find_all("style") == []
        assert soup.find_all(style=True) == []
        assert not any(attr.startswith("on") for tag in soup.find_all(True) for attr in tag.attrs)

    def test_jsonld_in_head_parses(self, client, article):
        soup = soup_of(client.get(article.url))
        types = [
            json.loads(s.string)["@type"] for s in soup.head.find_all("script", type="application/ld+json")
        ]
        assert types == ["MedicalWebPage", "FAQPage"]


class TestContentSecurityPolicy:
    def test_public_pages_send_a_strict_policy(self, client, article):
        for url in (article.url, "/", "/experts/"):
            policy = client.get(url)["Content-Security-Policy"]
            assert "default-src 'self'" in policy
            assert "script-src 'self'" in policy and "unsafe-inline" not in policy

    def test_not_found_page_sends_it_too(self, client, article):
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert BeautifulSoup(response.content, "html.parser").find("h1").get_text() == "Page not found"

    def test_admin_is_left_alone(self, client, article):
        response = client.get("/admin/login/")
        assert response.status_code == 200
        assert "Content-Security-Policy" not in response


class TestSectionAndHome:
    def test_section_lists_its_live_articles_with_pagination(self, client):
        section = factories.section("Mind & Body")
        for i in range(14):
            factories.article(section, f"Piece {i:02d}")
        factories.article(section, "Unpublished piece", publish=False)
        first = soup_of(client.get(section.url))
        titles = [c.get_text() for c in first.select(".article-card .card-title")]
        assert len(titles) == 12 and "Unpublished piece" not in titles
        assert first.select_one(".pagination a[rel=next]")["href"] == "?page=2"
        second = soup_of(client.get(section.url, {"page": 2}))
        more = [c.get_text() for c in second.select(".article-card .card-title")]
        assert len(more) == 2 and not set(more) & set(titles)
        for bad in ("999", "abc", "-1"):
            assert client.get(section.url, {"page": bad}).status_code == 200

    def test_home_has_a_lead_story_latest_list_and_section_rails(self, client, article):
        home = factories.home_page()
        other = factories.section("Altered Healing")
        for i in range(4):
            factories.article(other, f"Newer {i}", hero_image=factories.image(f"H{i}"))
        home.lead_story = article
        home.save_revision().publish()
        soup = soup_of(client.get("/"))
        lead = soup.select_one(".lead-story .lead-article")
        assert lead.select_one(".lead-headline").get_text() == "Repairing Trust"
        assert lead.select_one(".section-label").get_text() == "Trends & Signals"
        latest = [a.get_text() for a in soup.select(".latest-list a")]
        assert latest == ["Newer 3", "Newer 2", "Newer 1", "Newer 0"]
        rails = {
            rail.select_one("h2").get_text(): [c.get_text() for c in rail.select(".card-title")]
            for rail in soup.select(".section-rail")
        }
        # The lead story is not repeated in its section's rail, which is then empty and left out.
        assert rails == {"Altered Healing": ["Newer 3", "Newer 2", "Newer 1"]}
        assert soup.select_one(".review-promise h2").get_text() == "Our expert-review promise"
        card_images = soup.select(".section-rail .card-image img")
        assert len(card_images) == 3 and all(img["alt"] == "" for img in card_images)

    def test_home_lead_falls_back_to_the_newest_live_article(self, client, article):
        home = factories.home_page()
        draft = factories.article(article.get_parent(), "Draft lead", publish=False)
        home.lead_story = draft
        home.save_revision().publish()
        soup = soup_of(client.get("/"))
        assert soup.select_one(".lead-headline").get_text() == "Repairing Trust"
        assert "Draft lead" not in soup.get_text()

    def test_home_queries_do_not_grow_with_articles(self, client, article):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def count() -> int:
            client.get("/")  # creates renditions and warms Wagtail's site cache
            with CaptureQueriesContext(connection) as ctx:
                client.get("/")
            return len(ctx.captured_queries)

        section = factories.section("Altered Healing")
        factories.article(section, "First", hero_image=factories.image("F"))
        few = count()
        for i in range(8):
            factories.article(section, f"More {i}", hero_image=factories.image(f"M{i}"))
            factories.article(article.get_parent(), f"Also {i}", hero_image=factories.image(f"A{i}"))
        assert count() == few


def test_no_private_field_on_any_public_page(client, article, author, reviewer):
    listing = factories.listing("Hidden Fields Clinic", **PRIVATE)
    page = factories.article(
        article.get_parent(),
        body=[factories.block("find_support", factories.find_support_value([listing]))],
        authors=(author,),
        picks=(article,),
    )
    urls = [
        "/",
        article.get_parent().url,
        article.url,
        page.url,
        "/experts/",
        author.get_absolute_url(),
        reviewer.get_absolute_url(),
    ]
    for url in urls:
        html = client.get(url).content.decode()
        assert "Tomas Reyes" in html or url in ("/experts/",) or "Amara" in html, url
        for secret in (*PRIVATE.values(), LICENCE):
            assert secret not in html, (url, secret)


class TestQueryCount:
    """Rendering an article costs the same number of queries whatever its size."""

    def _article(self, *, size: str, section: SectionPage, people, listings, picks, images) -> ArticlePage:
        automatic = factories.find_support_value(mode="automatic", title="Matched for you")
        if size == "small":
            body = [
                factories.block("image", {"image": images[0].pk, "alt": "A bench", "caption": ""}),
                factories.block("find_support", factories.find_support_value(listings[:1])),
                factories.block("find_support", automatic),
            ]
            chosen_picks = picks[:1]
        else:
            body = [factories.block("find_support", automatic)]
            for i in range(6):
                body += [
                    factories.block("heading", {"text": f"Part {i}", "level": "h2", "anchor": ""}),
                    factories.block("paragraph", f"<p>Paragraph {i}.</p>"),
                    factories.block("citation", factories.citation_value(f"Study {i}")),
                    factories.block("quote", {"text": "Words.", "speaker": "Someone", "credential": "LMFT"}),
                    factories.block(
                        "find_support", factories.find_support_value(listings[i % 3 : i % 3 + 2])
                    ),
                    factories.block("faq", factories.faq_value((f"Q{i}?", "A."), (f"Q{i}b?", "B."))),
                    factories.block(
                        "image", {"image": images[i % 3].pk, "alt": f"Picture {i}", "caption": "C"}
                    ),
                ]
            body += [
                factories.block("safety_note", {"title": "Care", "text": "<p>Note.</p>", "resource_url": ""})
            ]
            chosen_picks = picks
            assert len(body) == 44
        page = factories.article(
            section, f"{size} article", body=body, authors=people[:2], picks=chosen_picks
        )
        return factories.expert_review(page, people[2])

    def _queries(self, client, url) -> int:
        client.get(url)  # first view creates image renditions and warms Wagtail's site cache
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    @pytest.fixture
    def pages(self):
        section = factories.section("Sizes")
        people = [factories.person(f"Writer {i}", photo=factories.image(f"P{i}")) for i in range(2)]
        people.append(factories.person("Board Reviewer", board=True, reviewer=True))
        listings = [factories.listing(f"Practice {i}", image=factories.image(f"L{i}")) for i in range(4)]
        picks = [factories.article(section, f"Pick {i}", authors=people[:1]) for i in range(5)]
        images = [factories.image(f"Body {i}") for i in range(3)]
        parts = {"section": section, "people": people, "listings": listings, "picks": picks, "images": images}
        small = self._article(size="small", **parts)
        large = self._article(size="large", **parts)
        return small, large, listings, picks

    def test_constant_with_the_engine_stubbed(self, client, monkeypatch, pages):
        small, large, listings, picks = pages
        monkeypatch.setattr(
            "recommendations.interface.find_support",
            lambda article, **kwargs: SupportResult([SupportSuggestion(listings[3], ["Near you"])]),
        )
        monkeypatch.setattr(
            "recommendations.interface.related_articles",
            lambda article, limit=6: [RelatedArticle(p, "automatic", ["Same topic"]) for p in picks[::-1]],
        )
        # Wagtail's routing and the hook that refuses pages inside unpublished or expired sections
        # (9), the content generation (1), the presenter (``articles.presenter``: the page's authors,
        # topics and picks 3, the review, people and their credentials 3, listings with their card
        # relations 4, images and renditions 2), the body's Python values of the chooser blocks
        # (listings and images, one query per block type) 2, the navigation's sections 1. Cards of
        # picks and related articles come from the read model's rows: none.
        assert self._queries(client, small.url) == self._queries(client, large.url) == 25

    def test_same_count_for_both_sizes_with_the_real_engine(self, client, pages):
        small, large, _, _ = pages
        assert self._queries(client, small.url) == self._queries(client, large.url)


def test_editor_preview_of_a_draft_renders_its_unsaved_content(article):
    draft = ArticlePage.objects.get(pk=article.pk)
    draft.title = "Repairing Trust, revised draft"
    draft.body = [factories.block("faq", factories.faq_value(("A new question?", "A new answer.")))]
    revision = draft.save_revision()
    preview = revision.as_object()
    response = preview.make_preview_request()
    assert response.status_code == 200
    soup = BeautifulSoup(response.rendered_content, "html.parser")
    assert soup.find("h1").get_text() == "Repairing Trust, revised draft"
    assert soup.select_one(".faq summary").get_text() == "A new question?"
    assert "Tomas Reyes" in soup.select_one(".byline-authors").get_text()


def test_server_error_page_renders_without_the_database(rf, django_assert_num_queries):
    from django.views.defaults import server_error

    with django_assert_num_queries(0):
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.find("h1").get_text() == "Something went wrong"
    assert soup.html["lang"] == "en" and soup.find("main", id="main")
