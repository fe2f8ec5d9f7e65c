"""Every role × every editorial action, through the real admin views, judged by its effect.

``MATRIX`` is the policy: for each action, the roles allowed to perform it. Each role's test signs
in (or not), performs every action against fresh objects inside a savepoint that is rolled back
afterwards, and checks what happened in the database (an article exists, a page went live, an
expert review was recorded…), never just a status code. All disagreements are reported together.

Importing content has no admin view at all: it is the ``import_content`` management command, so it
needs shell access to the server; ``test_no_url_exposes_the_import`` holds that line.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from wagtail.models import TaskState, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from articles.models import ArticlePage, ExpertReview, HomePage, SectionPage
from experts.models import Approach, Listing, ListingType, Person, Topic
from tests import factories
from tests.articles.admin_helpers import (
    add_article_url,
    article_form_data,
    edit_url,
    editorial_team,
    workflow_action_url,
)

pytestmark = pytest.mark.django_db

ANONYMOUS, AUTHOR, REVIEWER, EDITOR, ADMIN = "anonymous", "author", "expert reviewer", "editor", "admin"
ROLES = (ANONYMOUS, AUTHOR, REVIEWER, EDITOR, ADMIN)

# action: the roles that may do it. The expert step belongs to the expert reviewers chosen on the
# task, not even to administrators (their approval is what the reviewer badge claims).
MATRIX: dict[str, set[str]] = {
    "create article": {AUTHOR, EDITOR, ADMIN},
    "edit article": {AUTHOR, EDITOR, ADMIN},
    "submit for review": {AUTHOR, EDITOR, ADMIN},
    "approve expert review": {REVIEWER},
    "reject expert review": {REVIEWER},
    "publish": {EDITOR, ADMIN},
    "unpublish": {EDITOR, ADMIN},
    "delete live article": {EDITOR, ADMIN},
    # Wagtail's "change" permission covers deleting pages that were never published.
    "delete draft article": {AUTHOR, EDITOR, ADMIN},
    "add section": {EDITOR, ADMIN},
    "add listing": {EDITOR, ADMIN},
    "delete listing": {EDITOR, ADMIN},
    "add person": {EDITOR, ADMIN},
    "add topic": {EDITOR, ADMIN},
    "add approach": {EDITOR, ADMIN},
    "add listing type": {EDITOR, ADMIN},
}


def _article(team, *, publish: bool, title: str) -> ArticlePage:
    return factories.article(team.section, title, authors=(team.author_person,), publish=publish)


def _fresh(page) -> ArticlePage:
    return ArticlePage.objects.get(pk=page.pk)


def create_article(client, team) -> bool:
    data = article_form_data(title="Matrix new", slug="matrix-new", authors=[team.author_person])
    client.post(add_article_url(team.section), data)
    return ArticlePage.objects.filter(slug="matrix-new").exists()


def edit_article(client, team) -> bool:
    page = _article(team, publish=True, title="Matrix edit")
    data = article_form_data(
        title=page.title,
        slug=page.slug,
        authors=[team.author_person],
        article=page,
        body_html="<p>Edited.</p>",
    )
    client.post(edit_url(page), data)
    return "Edited." in str(_fresh(page).get_latest_revision().as_object().body)


def submit_for_review(client, team) -> bool:
    page = _article(team, publish=False, title="Matrix submit")
    data = article_form_data(title=page.title, slug=page.slug, authors=[team.author_person], article=page)
    client.post(edit_url(page), {**data, "action-submit": "Submit for moderation"})
    return _fresh(page).workflow_in_progress


def _in_expert_review(team) -> ArticlePage:
    page = _article(team, publish=False, title="Matrix review")
    page.get_workflow().start(page, team.author)
    return _fresh(page)


def approve_expert_review(client, team) -> bool:
    page = _in_expert_review(team)
    client.post(
        workflow_action_url(page, "approve"),
        {"summary": "Sound.", "conflict_of_interest": "", "confirm_no_undeclared_conflict": "on"},
    )
    states = WorkflowState.objects.for_instance(page)
    approved = TaskState.objects.filter(workflow_state__in=states, status=TaskState.STATUS_APPROVED).exists()
    return approved and ExpertReview.objects.filter(article=page).exists()


def reject_expert_review(client, team) -> bool:
    page = _in_expert_review(team)
    client.post(workflow_action_url(page, "reject"), {"comment": "Sources are missing."})
    return WorkflowState.objects.for_instance(page).filter(status=WorkflowState.STATUS_NEEDS_CHANGES).exists()


def publish(client, team) -> bool:
    page = _article(team, publish=False, title="Matrix publish")
    data = article_form_data(title=page.title, slug=page.slug, authors=[team.author_person], article=page)
    client.post(edit_url(page), {**data, "action-publish": "Publish"})
    return _fresh(page).live


def unpublish(client, team) -> bool:
    page = _article(team, publish=True, title="Matrix unpublish")
    client.post(reverse("wagtailadmin_pages:unpublish", args=(page.pk,)), {})
    return not _fresh(page).live


def _delete(client, page) -> bool:
    client.post(reverse("wagtailadmin_pages:delete", args=(page.pk,)), {})
    return not ArticlePage.objects.filter(pk=page.pk).exists()


def delete_live_article(client, team) -> bool:
    return _delete(client, _article(team, publish=True, title="Matrix delete live"))


def delete_draft_article(client, team) -> bool:
    return _delete(client, _article(team, publish=False, title="Matrix delete draft"))


def add_section(client, team) -> bool:
    home = HomePage.objects.get()
    data = nested_form_data(
        {
            "title": "Matrix section",
            "slug": "matrix-section",
            "intro": "",
            "review_interval_months": "12",
            "seo_title": "",
            "search_description": "",
            "go_live_at": "",
            "expire_at": "",
            "comments": inline_formset([]),
        }
    )
    client.post(reverse("wagtailadmin_pages:add", args=("articles", "sectionpage", home.pk)), data)
    return SectionPage.objects.filter(slug="matrix-section").exists()


def _snippet(model_name: str, view: str, *args) -> str:
    return reverse(f"wagtailsnippets_experts_{model_name}:{view}", args=args)


def add_listing(client, team) -> bool:
    listing_type = factories.listing_type("Counsellor")
    client.post(
        _snippet("listing", "add"),
        {
            "name": "Matrix Clinic",
            "slug": "matrix-clinic",
            "listing_type": str(listing_type.pk),
            "kind": "organisation",
            "summary": "A clinic.",
            "bio": rich_text(""),
            "offers_in_person": "on",
            "country": "DE",
            "city": "",
            "latitude": "",
            "longitude": "",
            "website_url": "",
            "booking_url": "",
            "verified_on": "",
            "accepting_clients": "on",
            "is_active": "on",
            "commercial_relationship": "none",
            "contact_email": "",
            "internal_notes": "",
        },
    )
    return Listing.objects.filter(slug="matrix-clinic").exists()


def delete_listing(client, team) -> bool:
    listing = factories.listing("Matrix Delete Me")
    client.post(_snippet("listing", "delete", listing.pk), {})
    return not Listing.objects.filter(pk=listing.pk).exists()


def add_person(client, team) -> bool:
    data = {
        "honorific": "",
        "name": "Matrix Person",
        "slug": "matrix-person",
        "headline": "",
        "bio": rich_text(""),
        "linkedin_url": "",
        "website_url": "",
        "is_author": "on",
        "user": "",
        "contact_email": "",
        "internal_notes": "",
    }
    data.update(nested_form_data({"credentials": inline_formset([])}))
    client.post(_snippet("person", "add"), data)
    return Person.objects.filter(slug="matrix-person").exists()


def add_topic(client, team) -> bool:
    client.post(
        _snippet("topic", "add"),
        {"name": "Matrix topic", "slug": "matrix-topic", "description": "", "synonyms": ""},
    )
    return Topic.objects.filter(slug="matrix-topic").exists()


def add_approach(client, team) -> bool:
    client.post(
        _snippet("approach", "add"),
        {"name": "Matrix approach", "slug": "matrix-approach", "synonyms": "", "description": ""},
    )
    return Approach.objects.filter(slug="matrix-approach").exists()


def add_listing_type(client, team) -> bool:
    client.post(
        _snippet("listingtype", "add"),
        {"name": "Matrix type", "slug": "matrix-type", "default_kind": "individual", "is_clinical": "on"},
    )
    return ListingType.objects.filter(slug="matrix-type").exists()


ACTIONS: dict[str, Callable[..., bool]] = {
    "create article": create_article,
    "edit article": edit_article,
    "submit for review": submit_for_review,
    "approve expert review": approve_expert_review,
    "reject expert review": reject_expert_review,
    "publish": publish,
    "unpublish": unpublish,
    "delete live article": delete_live_article,
    "delete draft article": delete_draft_article,
    "add section": add_section,
    "add listing": add_listing,
    "delete listing": delete_listing,
    "add person": add_person,
    "add topic": add_topic,
    "add approach": add_approach,
    "add listing type": add_listing_type,
}


def test_every_action_has_a_policy():
    assert set(ACTIONS) == set(MATRIX)


@pytest.fixture
def team() -> SimpleNamespace:
    team = editorial_team()
    team.admin = factories.user("root", superuser=True)
    return team


def login_for(role: str, team):
    return {
        ANONYMOUS: None,
        AUTHOR: team.author,
        REVIEWER: team.reviewer_login,
        EDITOR: team.editor,
        ADMIN: team.admin,
    }[role]


@pytest.mark.parametrize("role", ROLES)
def test_role_may_do_exactly_what_the_matrix_allows(client, team, role):
    user = login_for(role, team)
    if user is not None:
        client.force_login(user)
    wrong = []
    for action, perform in ACTIONS.items():
        savepoint = transaction.savepoint()
        try:
            done = perform(client, team)
        finally:
            transaction.savepoint_rollback(savepoint)
        expected = role in MATRIX[action]
        if done != expected:
            wrong.append(f"{role} {'could' if done else 'could not'} {action}")
    assert wrong == []


def test_anonymous_admin_requests_go_to_the_login_page(client, team):
    page = _article(team, publish=True, title="Matrix anon")
    for url in (edit_url(page), add_article_url(team.section), _snippet("listing", "add")):
        response = client.post(url, {})
        assert response.status_code == 302 and response.url.startswith(reverse("wagtailadmin_login")), url


def _all_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _all_patterns(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def test_no_url_exposes_the_import():
    """Content import is a management command only: no view anywhere calls into the importer."""
    import articles.content_package

    importer_functions = {articles.content_package.import_package, articles.content_package.parse_package}
    for route, pattern in _all_patterns():
        callback = pattern.callback
        view = getattr(callback, "view_class", None) or getattr(callback, "cls", None) or callback
        module = getattr(view, "__module__", "") or ""
        assert "import_content" not in module and module != "articles.content_package", route
        assert "bundle" not in route.lower() or route.startswith("api/v1/"), route
        assert "import_content" not in route and "content-import" not in route, route
        globals_ = getattr(getattr(callback, "__wrapped__", callback), "__globals__", {})
        assert not any(value is f for value in globals_.values() for f in importer_functions), route
