"""Property test: whatever the page tree, nothing a reader may not see is reachable.

Hypothesis draws magazines of one to three sections (public, behind a password or login
restriction, unpublished, or expired, with their articles left live) holding articles in random
states: live, never published, published then unpublished, live with a newer draft revision,
scheduled, expired (flag set by ``publish_scheduled``, or only the expiry date passed), password-
or login-restricted. Every
visible article links to and picks every other article, and every article shares a topic and
authors, so a leak through a link, a pick, a related article or an expert's list would show.

Everything a reader must not see carries the marker ``zqhidden`` (slugs, titles, standfirsts, the
draft title of a live page); the test fetches every API endpoint, HTML page, the sitemap, the API
search, reader search (``/search/`` and ``/api/v1/search/``) and the recommendation engine, and
asserts the marker never appears (reader search echoes the words asked for, so it is asked for
"zqhidden" only where the echo is checked apart: by its count).

Each example is built inside ``transaction.atomic()`` and rolled back, so examples never see one
another's pages.

Pages whose expiry date has passed but that ``publish_scheduled`` has not yet unpublished are kept
out of the API and the sitemap by the SQL filter ``website.api.cards.visible``, and their address
answers 404 (``website.wagtail_hooks``); the HTML lists built with ``.live().public()`` and the
recommendation backends rely on ``publish_scheduled`` to unpublish them, so for that one state those
two surfaces are not held to it; see docs/security.md ("Known gaps").
"""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from wagtail.models import PageViewRestriction

from articles.models import ArticlePage, EditorialPick, SectionPage
from recommendations.interface import related_articles
from tests import factories

pytestmark = pytest.mark.django_db

MARK = "zqhidden"
# A section may also be unpublished or expired while the articles inside it stay live: every
# section above an article must be visible too (``articles.visibility.visible``).
SECTION_STATES = ("public", "public", "password", "login", "unpublished", "expired")
ARTICLE_STATES = (
    "live",
    "draft",
    "unpublished",
    "live_with_draft",
    "scheduled",
    "expired",
    "expiry_passed",
    "password",
    "login",
)
# States whose page a reader may open (a live page with a newer draft shows its live revision).
READABLE = {"live", "live_with_draft"}

magazines = st.lists(
    st.tuples(
        st.sampled_from(SECTION_STATES),
        st.lists(st.sampled_from(ARTICLE_STATES), min_size=1, max_size=3),
    ),
    min_size=1,
    max_size=3,
)


class _RollBack(Exception):
    """Raised at the end of an example to undo everything it wrote."""


def _restrict(page, kind: str) -> None:
    if kind == "password":
        PageViewRestriction.objects.create(page=page, restriction_type="password", password="pw")
    elif kind == "login":
        PageViewRestriction.objects.create(page=page, restriction_type="login")


def build(magazine, author, reviewer):
    """The tree for one example: ``(visible articles, hidden articles, hidden-only sections)``."""
    now = timezone.now()
    placed = []
    closed_sections = []
    for j, (section_state, states) in enumerate(magazine):
        private = section_state != "public"
        slug = f"{MARK}-section-{j}" if private else f"section-{j}"
        section = factories.section(slug.replace("-", " ").title(), slug=slug)
        if section_state in ("unpublished", "expired"):
            closed_sections.append((section, section_state))
        else:
            _restrict(section, section_state)
        for i, state in enumerate(states):
            hidden = private or state not in READABLE
            slug = f"{MARK}-{j}-{i}" if hidden else f"open-{j}-{i}"
            page = factories.article(
                section, slug.replace("-", " ").title(), slug=slug, publish=False, authors=(author,),
                topics=["Trust"], standfirst=f"{'zqhidden ' if hidden else ''}About trust.",
            )  # fmt: skip
            placed.append((page, state, hidden))

    everyone = [page for page, _, _ in placed]
    for page, state, _hidden in placed:
        page = ArticlePage.objects.get(pk=page.pk)
        others = [p for p in everyone if p.pk != page.pk]
        links = " ".join(f'<a linktype="page" id="{p.pk}">link</a>' for p in others)
        page.body = [("paragraph", f"<p>See {links}.</p>")]
        page.editorial_picks = [EditorialPick(picked=p, sort_order=k) for k, p in enumerate(others[:12])]
        if state == "draft":
            page.save_revision()
            continue
        if state == "scheduled":
            page.go_live_at = now + datetime.timedelta(days=2)
            page.save_revision().publish()
            continue
        page.save_revision().publish()
        factories.expert_review(ArticlePage.objects.get(pk=page.pk), reviewer)
        page = ArticlePage.objects.get(pk=page.pk)
        if state == "unpublished":
            page.unpublish()
        elif state == "live_with_draft":
            page.title = f"Zqhidden draft of {page.title}"
            page.standfirst = "zqhidden draft standfirst"
            page.save_revision()
        elif state == "expired":
            ArticlePage.objects.filter(pk=page.pk).update(
                live=False, expired=True, expire_at=now - datetime.timedelta(hours=1)
            )
        elif state == "expiry_passed":
            ArticlePage.objects.filter(pk=page.pk).update(expire_at=now - datetime.timedelta(hours=1))
        else:
            _restrict(page, state)
    # Sections are closed last, with their articles live inside them.
    for section, state in closed_sections:
        if state == "unpublished":
            SectionPage.objects.get(pk=section.pk).unpublish()
        else:
            SectionPage.objects.filter(pk=section.pk).update(
                live=False, expired=True, expire_at=now - datetime.timedelta(hours=1)
            )
    return placed


def assert_no_mark(response, where: str, *, allow_status=(200,)):
    assert response.status_code in allow_status, (where, response.status_code)
    text = response.content.decode(errors="replace").lower()
    at = text.find(MARK)
    assert at == -1, f"{where}: …{text[max(0, at - 150) : at + 80]}…"


def check_everything(client, placed, author, reviewer):
    visible = [page for page, _, hidden in placed if not hidden]
    hidden = [(page, state) for page, state, is_hidden in placed if is_hidden]
    pending_expiry = {page.pk for page, state in hidden if state == "expiry_passed" and page.pk}
    strict_html = not pending_expiry

    # The API, everywhere an article can show.
    api_paths = [
        "/api/v1/articles/?limit=100",
        "/api/v1/articles/?search=zqhidden",
        "/api/v1/articles/?search=trust",
        "/api/v1/search/?q=trust&limit=100",
        "/search/?q=trust",
        "/api/v1/articles/?topic=trust",
        f"/api/v1/articles/?author={author.slug}",
        f"/api/v1/articles/?reviewer={reviewer.slug}",
        "/api/v1/sections/",
        "/api/v1/topics/",
        "/api/v1/experts/",
        f"/api/v1/experts/{author.slug}/",
        f"/api/v1/experts/{reviewer.slug}/",
        "/sitemap.xml",
    ]
    for path in api_paths:
        assert_no_mark(client.get(path), path)
    sitemap = client.get("/sitemap.xml").content.decode()
    for page in visible:
        assert f"<loc>http://localhost{ArticlePage.objects.get(pk=page.pk).url}</loc>" in sitemap, page.slug
    listed = {card["slug"] for card in client.get("/api/v1/articles/?limit=100").json()["results"]}
    assert listed == {page.slug for page in visible}
    # Reader search finds every visible article (all are about trust) and nothing else.
    found = client.get("/api/v1/search/?q=trust&limit=100").json()
    assert {hit["article"]["slug"] for hit in found["results"]} == {page.slug for page in visible}
    for words in ("zqhidden", "zqhidden+draft", "zqhidden+draft+standfirst"):
        assert client.get(f"/api/v1/search/?q={words}").json()["count"] == 0, words
        assert "search-result" not in client.get(f"/search/?q={words}").content.decode(), words
    for page in visible:
        for path in (f"/api/v1/articles/{page.slug}/", f"/api/v1/articles/{page.slug}/related/"):
            assert_no_mark(client.get(path), path)
    if visible:
        path = f"/api/v1/articles/{visible[0].slug}/support/?country=DE"
        assert_no_mark(client.get(path), path)
    for page, _state in hidden:
        response = client.get(f"/api/v1/articles/{page.slug}/")
        assert response.status_code == 404, page.slug
        assert client.get(f"/api/v1/articles/{page.slug}/related/").status_code == 404, page.slug

    # Recommendations, asked directly.
    for page in visible:
        suggestions = related_articles(ArticlePage.objects.get(pk=page.pk), limit=12)
        slugs = [item.article.slug for item in suggestions]
        leaked = [s for s in slugs if MARK in s and (strict_html or not _pending(s, placed))]
        assert leaked == [], page.slug

    # HTML pages.
    html_paths = ["/", "/experts/", f"/experts/{author.slug}/", f"/experts/{reviewer.slug}/"]
    html_paths += [section.url for section in SectionPage.objects.live() if MARK not in section.slug]
    html_paths += [ArticlePage.objects.get(pk=page.pk).url for page in visible]
    for path in html_paths:
        response = client.get(path)
        if strict_html:
            assert_no_mark(response, path)
        else:
            text = response.content.decode().lower()
            for page, state in hidden:
                if state != "expiry_passed":
                    assert page.slug not in text, (path, page.slug)
    for page, _state in hidden:
        section = page.get_parent()
        response = client.get(f"/{section.slug}/{page.slug}/")
        assert response.status_code in (200, 302, 404), (page.slug, response.status_code)
        body = response.content.decode().lower()
        if response.status_code == 200:  # a password-restricted page answers with the password form
            assert 'name="password"' in body, page.slug
        elif response.status_code == 302:
            assert response.url.startswith("/admin/login/") or "/_util/" in response.url, response.url
        assert "about trust" not in body, page.slug


def _pending(slug: str, placed) -> bool:
    return any(page.slug == slug and state == "expiry_passed" for page, state, _ in placed)


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.WELLNESS = {**settings.WELLNESS, "ANON_RATE": None}
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(magazine=magazines)
# Every state at least once, whatever Hypothesis draws.
@example(magazine=[("public", list(ARTICLE_STATES)), ("login", ["live"]), ("password", ["live_with_draft"])])
@example(magazine=[("public", ["live"]), ("unpublished", ["live", "live_with_draft"]), ("expired", ["live"])])
def test_nothing_hidden_is_reachable(client, magazine):
    cache.clear()
    try:
        with transaction.atomic():
            author = factories.person("Wren Writer", slug="wren-writer")
            reviewer = factories.person("Rae Reviewer", slug="rae-reviewer", reviewer=True, board=True)
            placed = build(magazine, author, reviewer)
            placed = [(ArticlePage.objects.get(pk=page.pk), state, hidden) for page, state, hidden in placed]
            check_everything(client, placed, author, reviewer)
            raise _RollBack
    except _RollBack:
        pass
    cache.clear()


def test_a_page_past_its_expiry_date_is_404_before_publish_scheduled_runs(client):
    page = factories.article(title="Soon gone")
    assert client.get(page.url).status_code == 200
    ArticlePage.objects.filter(pk=page.pk).update(expire_at=timezone.now() - datetime.timedelta(minutes=1))
    assert ArticlePage.objects.get(pk=page.pk).live
    assert client.get(page.url).status_code == 404


def test_sitemap_lists_live_public_pages_only(client):
    section = factories.section("Open Section", slug="open-section")
    live = factories.article(section, "Open page", slug="open-page")
    factories.article(section, "Zqhidden draft", slug="zqhidden-draft", publish=False)
    private = factories.article(section, "Zqhidden private", slug="zqhidden-private")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    text = response.content.decode()
    assert f"<loc>http://localhost{live.url}</loc>" in text
    assert f"<loc>http://localhost{section.url}</loc>" in text
    assert MARK not in text
