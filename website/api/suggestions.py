"""API endpoints for front ends that load suggestions separately from the article bundle.

``GET /api/v1/articles/{slug}/related/`` and
``GET /api/v1/articles/{slug}/support/?country=&language=&modality=&near=&count=&listing_type=``.

They follow the rest of the API (``website.api``): query parameters validated up front (a 400
problem response names each bad one), a 404 for an unknown or unpublished slug, cards rendered in
a constant number of queries. Views only parse and ask ``recommendations.interface``.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from articles.images import ImageBatch
from articles.readmodel import read_model
from recommendations.interface import find_support
from recommendations.scoring import distance_km
from website.api.articles.serializers import ArticleCardSerializer
from website.api.bundle import reader_context_dict
from website.api.cards import (
    live_articles,
    related_suggestions,
    render_listing_card,
    rendered_article_cards,
    support_cards,
)
from website.api.context import api_reader_context
from website.api.errors import NotFound
from website.api.experts.serializers import SupportCardSerializer
from website.api.params import (
    READER_CONTEXT_PARAMS,
    ParamError,
    bool_param,
    int_param,
    openapi_parameters,
    parse_slug,
)
from website.api.params import slug_param as _slug_param
from website.api.schema import problem_responses
from website.api.serializers import RELATED_SOURCES, WIDENINGS, ReaderContextSerializer
from website.api.text import clean_text
from website.api.views import ApiView
from website.public_url import public_root

CONTEXT_VARY = ("Accept-Language", "CF-IPCountry")
RELATED_PARAMS = (int_param("limit", "How many related articles (default 6).", 1, 12),)
SUPPORT_PARAMS = (
    *READER_CONTEXT_PARAMS,
    int_param("count", "How many suggestions (default 3).", 1, 12),
    _slug_param("listing_type", "Only listings of this type (slug), e.g. couples-therapist."),
    bool_param("include_products", "Allow product brands among the suggestions (default false)."),
)


class RelatedItemSerializer(serializers.Serializer):
    """A related article: its card, why it is suggested and where the suggestion comes from.
    Example (abridged): ``{"slug": "…", "title": "…", "url_path": "…", "standfirst": "…",
    "source": "automatic", "reasons": ["Also about grief"], "card": {"slug": "…", …}}``"""

    slug = serializers.CharField()
    title = serializers.CharField()
    url_path = serializers.CharField()
    standfirst = serializers.CharField(allow_blank=True)
    source = serializers.ChoiceField(choices=list(RELATED_SOURCES))
    reasons = serializers.ListField(child=serializers.CharField())
    card = ArticleCardSerializer()


class RelatedResponseSerializer(serializers.Serializer):
    article = serializers.CharField(help_text="Slug of the article the suggestions are for.")
    results = RelatedItemSerializer(many=True)


class SupportResponseSerializer(serializers.Serializer):
    """Find-support suggestions: the same cards as a find-support group of the bundle."""

    article = serializers.CharField(help_text="Slug of the article the suggestions are for.")
    context = ReaderContextSerializer()
    widened_to = serializers.ChoiceField(choices=list(WIDENINGS), allow_null=True)
    notice = serializers.CharField(allow_blank=True)
    results = SupportCardSerializer(many=True)


def _base_url(request) -> str:
    return public_root()


class ArticleSuggestionView(ApiView):
    """Shared by both endpoints: the live, public article named by the slug, else 404."""

    vary = CONTEXT_VARY

    def serialize(self, data):
        # ``get_data`` emits the final shape (cards rendered by ``render_listing_card`` and
        # ``articles.cards``): ``response_serializer`` documents it in the schema, and tests check
        # that running it changes nothing, so it is not run on every request (as for the bundle).
        return data

    def get_article(self, slug: str):
        """The article's read model row (``articles.readmodel``) of the content generation: whether
        an article is live and public changes only with a publish, unpublish, view restriction or
        expiry, and each of those renews the generation. Above the read model's size limit, the
        slug is looked up once per slug and snapshot."""
        try:
            slug = parse_slug(slug)
        except ParamError as e:
            raise NotFound("No published article with that slug.") from e
        model = read_model(self.generation()[0])
        if model.by_slug is not None:
            article = model.articles.get(model.by_slug.get(slug))
        else:
            found = model.derive("api.articles-by-slug", dict)
            if slug not in found:
                pk = live_articles().filter(slug=slug).order_by("pk").values_list("pk", flat=True).first()
                found[slug] = model.rows([pk]).get(pk) if pk else None
            article = found[slug]
        if article is None:
            raise NotFound(f"No published article with the slug {slug!r}.")
        return article

    def get_validators(self, query, slug: str = "", **kwargs):
        """The article (looked up per generation, so a 304 costs the generation read alone) and the
        day: suggestions rank by review status and rotate daily, and both move with the date."""
        self.article = self.get_article(slug)
        return [self.article.pk, timezone.localdate()], self.generation()[1]


@extend_schema_view(
    get=extend_schema(
        operation_id="articles_related",
        tags=["articles"],
        parameters=openapi_parameters(RELATED_PARAMS),
        responses={200: RelatedResponseSerializer, **problem_responses(400, 404, 429)},
    )
)
class RelatedArticlesView(ArticleSuggestionView):
    """Related articles: the editor's picks first, then similar articles, each with its reasons."""

    params = RELATED_PARAMS
    response_serializer = RelatedResponseSerializer

    def get_data(self, query, slug: str = "", **kwargs):
        article = self.article
        related = related_suggestions(article, query.get("limit", 6), self.generation()[0])
        cards = rendered_article_cards(
            [r.article.pk for r in related], _base_url(self.request), self.generation()[0]
        )
        results = []
        for item in related:
            card = cards.get(item.article.pk)
            if card is None:
                continue
            results.append(
                {
                    "slug": card["slug"],
                    "title": card["title"],
                    "url_path": card["url_path"],
                    "standfirst": card["standfirst"],
                    "source": item.source,
                    "reasons": [clean_text(r) for r in item.reasons],
                    "card": card,
                }
            )
        return {"article": article.slug, "results": results}


@extend_schema_view(
    get=extend_schema(
        operation_id="articles_support",
        tags=["articles"],
        parameters=openapi_parameters(SUPPORT_PARAMS),
        responses={200: SupportResponseSerializer, **problem_responses(400, 404, 429)},
    )
)
class SupportView(ArticleSuggestionView):
    """Find-support suggestions for the article in the reader's context, with reasons.

    Context: ``country``, ``language``, ``modality``, ``near``; without them the trusted country
    header and ``Accept-Language``. ``widened_to`` and ``notice`` say when the search had to go
    beyond the reader's country.
    """

    params = SUPPORT_PARAMS
    response_serializer = SupportResponseSerializer

    def get_validators(self, query, slug: str = "", **kwargs):
        parts, modified = super().get_validators(query, slug=slug, **kwargs)
        # Without query parameters the context comes from headers (see ``vary``).
        self.reader_context = api_reader_context(self.request, query)
        return [*parts, self.reader_context], modified

    def get_data(self, query, slug: str = "", **kwargs):
        from experts.models import ListingType

        article, context = self.article, self.reader_context
        listing_type = None
        if "listing_type" in query:
            listing_type = ListingType.objects.filter(slug=query["listing_type"]).first()
            if listing_type is None:
                # Like every slug filter of the API: a type nobody has gets no suggestions.
                return self.empty_response(article, context)
        result = find_support(
            article,
            context=context,
            listing_type=listing_type,
            count=query.get("count", 3),
            include_products=query.get("include_products", False),
            generation=self.generation()[0],
        )
        # The engine's suggestions carry their card rows; only a listing given otherwise is read.
        images = ImageBatch(_base_url(self.request))
        listings = support_cards([s.listing for s in result.suggestions], images)
        images.resolve()
        results = []
        for suggestion in result.suggestions:
            listing = listings.get(suggestion.listing.pk)
            if listing is None:
                continue
            distance = None
            if context.near and listing.latitude is not None and listing.longitude is not None:
                distance = distance_km(context.near, (listing.latitude, listing.longitude))
            results.append(
                {
                    "listing": render_listing_card(listing, images, distance=distance),
                    "reasons": [clean_text(r) for r in suggestion.reasons],
                    "sponsored": suggestion.sponsored,
                }
            )
        return {
            "article": article.slug,
            "context": reader_context_dict(context),
            "widened_to": result.widened_to,
            "notice": result.notice,
            "results": results,
        }

    @staticmethod
    def empty_response(article, context) -> dict:
        return {
            "article": article.slug,
            "context": reader_context_dict(context),
            "widened_to": None,
            "notice": "",
            "results": [],
        }
