"""Every model a public response shows renews the content generation when written, and the next
response shows the write (``website.freshness``: freshness is declared by each app, not inferred).

One case per shown model (and per many-to-many table of one): the response is read first, so that
it sits in the response cache and the per-process memos under the current token; then one ordinary
write; then the token must be new and the response must show the write. A model nobody declared,
or a declared one without a case here, fails ``TestEveryShownModelHasACase``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction, Site

from articles.models import ArticleAuthor, ArticlePage, ArticleTopic, EditorialPick, ExpertReview
from experts.models import Approach, Credential, Language, Listing, ListingType, Person, Topic
from recommendations import tasks as reco_tasks
from recommendations.models import ArticleProfile, Concept, ListingTypeFit, RelatedScore
from selfchecks.models import SelfCheck
from tests import factories
from website.freshness import content_generation, is_shown, shown_models

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _api_settings(settings):
    settings.WELLNESS = {**getattr(settings, "WELLNESS", {}), "ANON_RATE": None}


@dataclass
class World:
    article: ArticlePage
    unindexed: ArticlePage
    section: Any
    reviewer: Person
    author: Person
    listing: Listing
    topic: Topic
    spare_topic: Topic
    image: Any
    review: ExpertReview


@pytest.fixture
def world(db) -> World:
    image = factories.image("Two chairs")
    trust, sleep = factories.topic("Trust"), factories.topic("Sleep")
    reviewer = factories.person("Ana Ruiz", reviewer=True, board=True)
    reviewer.expertise.set([trust])
    reviewer.save()
    author = factories.person("Ben Ode")
    listing = factories.listing(
        "Lena Hart", specialties=(trust,), approaches=(factories.approach("EFT"),), languages=("de",)
    )
    section = factories.section("Trends & Signals")
    article = factories.article(
        section, "Rebuilding trust", topics=[trust], authors=(reviewer,), hero_image=image
    )
    article = factories.expert_review(article, reviewer, summary="Sound.")
    reco_tasks.index_object.call("articles", "articlepage", article.pk)
    # Published, but not in the recommendation tables yet: its own case indexes it.
    unindexed = factories.article(section, "Trust after a move", topics=[trust], authors=(author,))
    RelatedScore.objects.filter(related=unindexed).delete()
    ArticleProfile.objects.filter(article=unindexed).delete()
    return World(
        article=ArticlePage.objects.get(pk=article.pk),
        unindexed=unindexed,
        section=section,
        reviewer=reviewer,
        author=author,
        listing=listing,
        topic=trust,
        spare_topic=sleep,
        image=image,
        review=ExpertReview.objects.get(article=article),
    )


def article_url(w: World) -> str:
    return f"/api/v1/articles/{w.article.slug}/"


def expert_url(w: World) -> str:
    return f"/api/v1/experts/{w.reviewer.slug}/"


def listing_url(w: World) -> str:
    return f"/api/v1/listings/{w.listing.slug}/"


def self_check_url(w: World) -> str:
    check = SelfCheck.objects.filter(slug="trust-check").first() or factories.self_check("trust-check")
    return f"/api/v1/self-checks/{check.slug}/"


def rename_self_check(w: World) -> None:
    renamed(SelfCheck.objects.get(slug="trust-check"), "title")


def renamed(obj, field: str = "name", value: str = "Renamed") -> None:
    setattr(obj, field, value)
    obj.save()


@dataclass
class Case:
    """``write`` changes rows of ``model`` (or of each of several); ``show`` reads what a reader sees
    of them at ``url``; ``expected`` is what it must read after the write (or a function of the
    world giving it)."""

    model: type | tuple[type, ...]
    url: Callable[[World], str]
    show: Callable[[Any], Any]
    write: Callable[[World], None]
    expected: Any
    status: int = 200


def restrict(w: World) -> None:
    restriction = PageViewRestriction.objects.create(
        page=w.article, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.create(name="Subscribers"))


def move_site_root(w: World) -> None:
    site = Site.objects.get(is_default_site=True)
    site.root_page = Page.objects.get(pk=w.section.pk)
    site.save()


def add_author(w: World) -> None:
    ArticleAuthor.objects.create(page=w.article, person=w.author, sort_order=5)


def add_topic(w: World) -> None:
    ArticleTopic.objects.create(content_object=w.article, tag=w.spare_topic)


def add_pick(w: World) -> None:
    EditorialPick.objects.create(page=w.article, picked=w.unindexed)


def credential_title(w: World) -> None:
    renamed(w.reviewer.credentials.get(), "title", "MSc, Counselling")


def m2m_add(owner: str, relation: str, target: Callable[[World], Any]) -> Callable:
    """Adds to a parental many-to-many relation the way the admin and the import do: then saves."""

    def write(w: World) -> None:
        owner_obj = getattr(w, owner)
        getattr(owner_obj, relation).add(target(w))
        owner_obj.save()

    return write


def add_concept_fit(w: World) -> None:
    concept = Concept.objects.create(name="Trust concerns")
    concept.topics.add(w.topic)
    concept.broader.add(Concept.objects.create(name="Relationship worries"))
    concept.save()
    ListingTypeFit.objects.create(concept=concept, listing_type=w.listing.listing_type)


def index_unindexed(w: World) -> None:
    reco_tasks.index_object.call("articles", "articlepage", w.unindexed.pk)


CASES = {
    "article page": Case(
        ArticlePage,
        article_url,
        lambda d: d["title"],
        lambda w: renamed(w.article, "title", "Rebuilding trust, revised"),
        "Rebuilding trust, revised",
    ),
    "article published_at alone": Case(
        ArticlePage,
        article_url,
        lambda d: d["first_published_at"][:10],
        lambda w: renamed(w.article, "first_published_at", w.article.first_published_at.replace(year=2020)),
        lambda w: w.article.first_published_at.date().isoformat(),
    ),
    "section page": Case(
        Page,
        lambda w: "/api/v1/sections/",
        lambda d: [s["title"] for s in d["results"]],
        lambda w: renamed(w.section, "title", "Signals"),
        ["Signals"],
    ),
    "view restriction": Case(
        (PageViewRestriction, PageViewRestriction.groups.through),
        article_url,
        lambda d: "slug" in d,  # the article, or a problem+json 404
        restrict,
        False,
        404,
    ),
    "site": Case(Site, article_url, lambda d: d["url_path"], move_site_root, "/rebuilding-trust/"),
    "image": Case(
        get_image_model(),
        article_url,
        lambda d: d["images"]["hero"]["alt"],
        lambda w: renamed(w.image, "title", "Two chairs by a window"),
        "Two chairs by a window",
    ),
    "article author": Case(
        ArticleAuthor,
        article_url,
        lambda d: [a["slug"] for a in d["authors"]],
        add_author,
        ["ana-ruiz", "ben-ode"],
    ),
    "article topic": Case(
        ArticleTopic,
        article_url,
        lambda d: sorted(t["slug"] for t in d["topics"]),
        add_topic,
        ["sleep", "trust"],
    ),
    "editorial pick": Case(
        EditorialPick,
        article_url,
        lambda d: [p["slug"] for p in d["editorial_picks"]],
        add_pick,
        ["trust-after-a-move"],
    ),
    "expert review": Case(
        ExpertReview,
        article_url,
        lambda d: d["review"]["summary"],
        lambda w: renamed(w.review, "summary", "Sound, and kind to readers."),
        "Sound, and kind to readers.",
    ),
    "person": Case(Person, expert_url, lambda d: d["name"], lambda w: renamed(w.reviewer), "Renamed"),
    "person expertise": Case(
        Person.expertise.through,
        expert_url,
        lambda d: sorted(t["slug"] for t in d["expertise"]),
        m2m_add("reviewer", "expertise", lambda w: w.spare_topic),
        ["sleep", "trust"],
    ),
    "credential": Case(
        Credential,
        expert_url,
        lambda d: [c["title"] for c in d["credentials"]],
        credential_title,
        ["MSc, Counselling"],
    ),
    "self-check": Case(SelfCheck, self_check_url, lambda d: d["title"], rename_self_check, "Renamed"),
    "listing": Case(Listing, listing_url, lambda d: d["name"], lambda w: renamed(w.listing), "Renamed"),
    "listing specialties": Case(
        Listing.specialties.through,
        listing_url,
        lambda d: sorted(t["slug"] for t in d["specialties"]),
        m2m_add("listing", "specialties", lambda w: w.spare_topic),
        ["sleep", "trust"],
    ),
    "listing languages": Case(
        Listing.languages.through,
        listing_url,
        lambda d: sorted(lang["code"] for lang in d["languages"]),
        m2m_add("listing", "languages", lambda w: Language.objects.get(code="fr")),
        ["de", "fr"],
    ),
    "listing approaches": Case(
        Listing.approaches.through,
        listing_url,
        lambda d: sorted(a["slug"] for a in d["approaches"]),
        m2m_add("listing", "approaches", lambda w: factories.approach("Gottman Method")),
        ["eft", "gottman-method"],
    ),
    "listing type": Case(
        ListingType,
        listing_url,
        lambda d: d["listing_type"]["name"],
        lambda w: renamed(w.listing.listing_type),
        "Renamed",
    ),
    "approach": Case(
        Approach,
        listing_url,
        lambda d: [a["name"] for a in d["approaches"]],
        lambda w: renamed(Approach.objects.get(slug="eft")),
        ["Renamed"],
    ),
    "language": Case(
        Language,
        listing_url,
        lambda d: [lang["code"] for lang in d["languages"]],
        lambda w: Language.objects.get(code="de").delete(),  # the code is its key: no rename
        [],
    ),
    "topic": Case(
        Topic,
        lambda w: "/api/v1/topics/",
        lambda d: sorted(t["name"] for t in d["results"]),
        lambda w: renamed(w.spare_topic, "name", "Rest"),
        ["Rest", "Trust"],
    ),
    "concept vocabulary": Case(
        (Concept, Concept.topics.through, Concept.broader.through, ListingTypeFit),
        lambda w: f"/api/v1/articles/{w.article.slug}/support/",
        lambda d: [r for s in d["results"] for r in s["reasons"] if "works with" in r],
        add_concept_fit,
        ["Couples therapist: works with trust concerns"],
    ),
    "recommendation index": Case(
        RelatedScore,
        lambda w: f"/api/v1/articles/{w.article.slug}/related/",
        lambda d: [r["slug"] for r in d["results"]],
        index_unindexed,
        ["trust-after-a-move"],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_write_renews_the_generation_and_shows_in_the_next_response(name, client, world):
    case = CASES[name]
    url = case.url(world)
    first = client.get(url)
    assert first.status_code == 200, first.content
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304  # the first answer is what a reader would be served again
    before = content_generation()[0]

    case.write(world)

    assert content_generation()[0] != before, f"{name}: the write did not renew the generation"
    response = client.get(url)
    assert response.status_code == case.status, response.content
    expected = case.expected(world) if callable(case.expected) else case.expected
    assert case.show(response.json()) == expected
    assert case.show(first.json()) != expected  # the case proves a change


# Rows of these models never reach a public response, or reach it only through another write that
# declares the change. Each entry says why; a new model must be declared shown or listed here.
NOT_SHOWN = {
    "articles.expertreviewtask": "workflow configuration: which reviewers may approve",
    "articles.editorapprovaltask": "workflow configuration",
    "articles.expertreviewtask_reviewers": "workflow configuration",
    "articles.editorapprovaltask_groups": "workflow configuration",
    "experts.personloginchange": "sign-in audit trail, admin only",
    "articles.publishoverride": "publishing audit, admin only; the publish it allows renews via the page",
    "recommendations.articleprofile": "written by the indexing tasks, which call content_changed()",
    "recommendations.relatedscore": "written by the indexing tasks, which call content_changed()",
    "freshness.contentgeneration": "the token itself",
    "webhooks.webhookendpoint": "webhook configuration, admin only",
    "webhooks.webhookevent": "outgoing notifications, admin only",
    "webhooks.webhookdelivery": "delivery log, admin only",
}
REPOSITORY = Path(__file__).resolve().parents[2]


def project_apps() -> set[str]:
    """Labels of our own apps (those in this repository): a new app's models are checked too."""
    return {
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(REPOSITORY)
        and not Path(config.path).resolve().is_relative_to(REPOSITORY / ".venv")
    }


def label(model) -> str:
    return model._meta.label_lower


class TestEveryShownModelHasACase:
    def test_every_project_model_is_declared_shown_or_listed_as_not_shown(self):
        ours = project_apps()
        assert {"articles", "experts", "recommendations", "search", "freshness"} <= ours
        undecided = [
            label(m)
            for m in apps.get_models(include_auto_created=True)
            if m._meta.app_label in ours and not is_shown(m) and label(m) not in NOT_SHOWN
        ]
        assert undecided == []

    def test_models_listed_as_not_shown_are_not_declared(self):
        assert [name for name in NOT_SHOWN if is_shown(apps.get_model(name))] == []

    def test_every_declared_model_has_a_write_case(self):
        covered = {
            m
            for case in CASES.values()
            for m in (case.model if isinstance(case.model, tuple) else (case.model,))
        }
        assert sorted(label(m) for m in shown_models() - covered) == []

    def test_renditions_are_not_declared(self):
        # Made while a response is read: declaring them would renew the token on every first read.
        from wagtail.images.models import Rendition

        assert not is_shown(Rendition)

    def test_writes_to_other_models_do_not_renew_the_generation(self, db):
        before = content_generation()[0]
        ContentType.objects.get_for_model(Listing)  # an unrelated row
        factories.user()
        assert content_generation()[0] == before
