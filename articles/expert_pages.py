"""Public expert profiles: who writes and reviews the articles, with their public credentials.

The pages live with the articles they list (``experts`` sits below ``articles`` and imports none
of it); URLs in ``articles.expert_urls``, templates still under ``experts/``.

Only public fields reach these templates; contact e-mails, licence numbers, internal notes and the
linked user account are never read here.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from experts.filters import PUBLIC_PEOPLE
from experts.models import Credential, Person, Topic

from .models import ArticleAuthor, ArticlePage
from .page_context import annotate_sections
from .visibility import visible


def _people():
    return (
        Person.objects.filter(PUBLIC_PEOPLE)
        .select_related("photo")
        .prefetch_related(
            Prefetch("credentials", queryset=Credential.objects.order_by("sort_order")),
            Prefetch("expertise", queryset=Topic.objects.order_by("name")),
            "photo__renditions",
        )
    )


def _article_cards(queryset) -> list[ArticlePage]:
    pages = list(
        visible(queryset)
        .select_related("last_review__reviewer")
        .prefetch_related(
            Prefetch(
                "article_authors",
                queryset=ArticleAuthor.objects.select_related("person").order_by("sort_order"),
            )
        )
        .order_by("-first_published_at")
        .distinct()
    )
    annotate_sections(pages)
    return pages


def person_index(request: HttpRequest) -> HttpResponse:
    """Everyone who writes or reviews for the magazine, board members first."""
    people = sorted(_people(), key=lambda p: (not p.shows_board_badge, not p.is_reviewer, p.name.lower()))
    return render(request, "experts/person_index.html", {"people": people})


def person_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One expert's public profile with the live articles they wrote and reviewed."""
    person = get_object_or_404(_people(), slug=slug)
    return render(
        request,
        "experts/person_detail.html",
        {
            "person": person,
            "credentials": person.valid_credentials(),
            "written": _article_cards(ArticlePage.objects.filter(article_authors__person=person)),
            "reviewed": _article_cards(ArticlePage.objects.filter(last_review__reviewer=person)),
        },
    )
