"""Helpers for tests that drive the Wagtail admin with the Django test client: form data for
the article editor, the editorial roles, and workflow action URLs."""

from __future__ import annotations

from types import SimpleNamespace

from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from articles.roles import AUTHORS, EDITORS, setup_roles
from tests import factories


def article_form_data(
    *,
    title: str,
    slug: str,
    authors,
    body_html: str = "<p>Trust is rebuilt slowly.</p>",
    standfirst: str = "How couples rebuild trust.",
    article=None,
    body=None,
    **extra,
) -> dict:
    """POST data for the ArticlePage create/edit form. ``article`` fills the existing inline rows' ids."""
    existing = {rel.person_id: rel.pk for rel in article.article_authors.all()} if article else {}
    author_rows = [
        {"person": str(p.pk), **({"id": str(existing[p.pk])} if p.pk in existing else {})} for p in authors
    ]
    data = {
        "title": title,
        "slug": slug,
        "standfirst": standfirst,
        "hero_image": "",
        "hero_alt": "",
        "topics": "",
        "article_authors": inline_formset(author_rows, initial=len(existing), min=1),
        "body": streamfield(body if body is not None else [("paragraph", rich_text(body_html))]),
        "editorial_picks": inline_formset([], max=12),
        "comments": inline_formset([]),
        "seo_title": "",
        "search_description": "",
        "go_live_at": "",
        "expire_at": "",
    }
    data.update(extra)
    return nested_form_data(data)


def add_article_url(section) -> str:
    return reverse("wagtailadmin_pages:add", args=("articles", "articlepage", section.pk))


def edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))


def workflow_action_url(page, action: str) -> str:
    task_state = page.current_workflow_task_state
    return reverse("wagtailadmin_pages:workflow_action", args=(page.pk, action, task_state.pk))


def editorial_team() -> SimpleNamespace:
    """A section, the three groups with one member each, and a reviewer linked to their login."""
    section = factories.section("Trends & Signals")
    setup_roles()
    reviewer_login = factories.user("rhea")  # setup_roles puts it in the group
    reviewer = factories.person(
        "Rhea Okafor", honorific="Dr.", reviewer=True, board=True, user=reviewer_login
    )
    setup_roles()  # as load_demo does after creating reviewer logins
    return SimpleNamespace(
        section=section,
        author_person=factories.person("Sam Author"),
        author=factories.user("author", groups=(AUTHORS,)),
        reviewer=reviewer,
        reviewer_login=reviewer_login,
        editor=factories.user("editor", groups=(EDITORS,)),
    )
