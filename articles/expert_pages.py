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
from website.freshness import content_generation

from .cards import articles_by_person, html_cards


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


def person_index(request: HttpRequest) -> HttpResponse:
    """Everyone who writes or reviews for the magazine, board members first."""
    people = sorted(_people(), key=lambda p: (not p.shows_board_badge, not p.is_reviewer, p.name.lower()))
    return render(request, "experts/person_index.html", {"people": people})


def person_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One expert's public profile with the live articles they wrote and reviewed (cards of the
    read model's rows, ``articles.cards``)."""
    person = get_object_or_404(_people(), slug=slug)
    token = content_generation()[0]
    written, reviewed = articles_by_person(token, person.pk)
    return render(
        request,
        "experts/person_detail.html",
        {
            "person": person,
            "credentials": person.valid_credentials(),
            "written": html_cards(written, token),
            "reviewed": html_cards(reviewed, token),
        },
    )
