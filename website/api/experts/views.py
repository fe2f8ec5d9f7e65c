"""Read-only API views of people (experts) and listings.

Only public fields leave these views (see ``website.api.experts.serializers``); articles shown on an expert's
profile are live and public, like everywhere else in the API.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view

from articles.images import ImageBatch
from experts.filters import PUBLIC_PEOPLE, filter_experts, filter_listings
from experts.models import Listing, Person
from website.api.articles.views import PaginatedListView, base_url, slug_or_404
from website.api.cards import (
    ArticleCards,
    ListingCard,
    listing_queryset,
    live_articles,
    render_expert,
    render_listing_card,
)
from website.api.errors import NotFound
from website.api.pagination import paginate, paginated_serializer, pagination_params
from website.api.params import openapi_parameters
from website.api.schema import problem_responses
from website.api.text import RichTextBatch, clean_url
from website.api.views import ApiView

from .filters import EXPERT_PARAMS, LISTING_PARAMS
from .serializers import (
    ExpertDetailSerializer,
    ExpertSerializer,
    ListingCardSerializer,
    ListingDetailSerializer,
)

ListingCardPage = paginated_serializer(ListingCardSerializer, "PaginatedListingCardList")
ExpertPage = paginated_serializer(ExpertSerializer, "PaginatedExpertList")
ARTICLES_PER_PROFILE = 100


def expert_queryset():
    return Person.objects.filter(PUBLIC_PEOPLE).prefetch_related("credentials", "expertise")


@extend_schema_view(
    get=extend_schema(
        operation_id="listings_list",
        tags=["listings"],
        parameters=openapi_parameters((*LISTING_PARAMS, *pagination_params())),
        responses={200: ListingCardPage, **problem_responses(400, 429)},
    )
)
class ListingListView(PaginatedListView):
    """Active practitioners, clinics and brands, with filters and distance from ``near``."""

    filter_params = LISTING_PARAMS
    response_serializer = ListingCardPage

    def get_validators(self, query, **kwargs):
        # ``radius_km`` or distance order without ``near`` are not errors (``filter_listings``): an
        # OpenAPI schema cannot say that one parameter needs another, and every request the schema
        # allows is answered.
        return [], self.generation()[1]

    def get_data(self, query, **kwargs):
        listings, envelope = paginate(filter_listings(listing_queryset(), query), query, self.request)
        images = ImageBatch(base_url(self.request))
        for listing in listings:
            images.want(listing.image_id)
        images.resolve()
        return {
            **envelope,
            "results": [
                # ``distance_km``: annotated by ``filter_listings`` when the reader gave ``near``.
                render_listing_card(
                    ListingCard.from_listing(listing), images, distance=getattr(listing, "distance_km", None)
                )
                for listing in listings
            ],
        }


@extend_schema_view(
    get=extend_schema(
        operation_id="listings_detail",
        tags=["listings"],
        responses={200: ListingDetailSerializer, **problem_responses(400, 404, 429)},
    )
)
class ListingDetailView(ApiView):
    """One active listing with its full public profile."""

    response_serializer = ListingDetailSerializer

    def get_validators(self, query, slug: str = "", **kwargs):
        row = (
            Listing.objects.filter(slug=slug_or_404(slug, "listing"), is_active=True)
            .values("pk", "updated_at")
            .first()
        )
        if row is None:
            raise NotFound(f"No active listing with the slug {slug!r}.")
        self.listing_id = row["pk"]
        return [row], row["updated_at"]

    def get_data(self, query, **kwargs):
        listing = listing_queryset().get(pk=self.listing_id)
        images = ImageBatch(base_url(self.request))
        images.want(listing.image_id)
        rich = RichTextBatch()
        rich.add(listing.bio)
        rich.resolve()
        return {
            **render_listing_card(ListingCard.from_listing(listing), images),
            "bio": rich.render_source(listing.bio),
            "latitude": float(listing.latitude) if listing.latitude is not None else None,
            "longitude": float(listing.longitude) if listing.longitude is not None else None,
            "verified_on": listing.verified_on,
        }


@extend_schema_view(
    get=extend_schema(
        operation_id="experts_list",
        tags=["experts"],
        parameters=openapi_parameters((*EXPERT_PARAMS, *pagination_params())),
        responses={200: ExpertPage, **problem_responses(400, 429)},
    )
)
class ExpertListView(PaginatedListView):
    """Authors, expert reviewers and board members: public profile fields only."""

    filter_params = EXPERT_PARAMS
    response_serializer = ExpertPage

    def get_validators(self, query, **kwargs):
        return [], None

    def get_data(self, query, **kwargs):
        people, envelope = paginate(filter_experts(expert_queryset(), query), query, self.request)
        images = ImageBatch(base_url(self.request))
        for person in people:
            images.want(person.photo_id)
        images.resolve()
        return {**envelope, "results": [render_expert(person, images) for person in people]}


@extend_schema_view(
    get=extend_schema(
        operation_id="experts_detail",
        tags=["experts"],
        responses={200: ExpertDetailSerializer, **problem_responses(400, 404, 429)},
    )
)
class ExpertDetailView(ApiView):
    """An expert's public profile, the live articles they wrote and those they currently vouch for."""

    response_serializer = ExpertDetailSerializer

    def get_validators(self, query, slug: str = "", **kwargs):
        row = Person.objects.filter(PUBLIC_PEOPLE, slug=slug_or_404(slug, "expert")).values("pk").first()
        if row is None:
            raise NotFound(f"No expert with the slug {slug!r}.")
        self.person_id = row["pk"]
        return [row], self.generation()[1]

    def get_data(self, query, **kwargs):
        from articles.models import ArticleAuthor

        person = expert_queryset().get(pk=self.person_id)
        images = ImageBatch(base_url(self.request))
        images.want(person.photo_id)
        written_ids = ArticleAuthor.objects.filter(person=person).values("page_id")
        articles = live_articles().values_list("pk", flat=True)
        written = list(
            articles.filter(pk__in=written_ids).order_by("-first_published_at", "-pk")[:ARTICLES_PER_PROFILE]
        )
        reviewed = list(
            articles.filter(last_review__reviewer=person).order_by("-last_review__reviewed_at", "-pk")[
                :ARTICLES_PER_PROFILE
            ]
        )
        cards = ArticleCards(base_url(self.request), self.generation()[0]).load(written + reviewed, images)
        images.resolve()
        rendered = cards.rendered()
        rich = RichTextBatch()
        rich.add(person.bio)
        rich.resolve()
        return {
            **render_expert(person, images),
            "bio": rich.render_source(person.bio),
            "linkedin_url": clean_url(person.linkedin_url),
            "website_url": clean_url(person.website_url),
            "articles_written": [rendered[pk] for pk in written if pk in rendered],
            "articles_reviewed": [rendered[pk] for pk in reviewed if pk in rendered],
        }
