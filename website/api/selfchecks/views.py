"""``/api/v1/self-checks/``: the list, one definition, and scoring answers without keeping them.

``POST …/score/`` reads the answers from the JSON body (never the URL), scores them in memory and
answers with ``Cache-Control: no-store, private``. Bad answers are a 400 problem+json whose
``errors`` name each field (``answers.<question id>``).
"""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from articles.images import ImageBatch
from selfchecks.models import SelfCheck
from selfchecks.scoring import AnswerError, Band, score
from selfchecks.support import support_for
from website.api.articles.views import PaginatedListView, base_url, slug_or_404
from website.api.bundle import reader_context_dict
from website.api.cards import render_listing_card, support_cards
from website.api.context import api_reader_context
from website.api.errors import PROBLEM_TYPE_BASE, ApiProblem, NotFound
from website.api.pagination import paginate, paginated_serializer, pagination_params
from website.api.params import READER_CONTEXT_PARAMS, openapi_parameters, parse_query
from website.api.schema import problem_responses
from website.api.text import clean_text
from website.api.views import ApiView

from .serializers import (
    ScoreRequestSerializer,
    ScoreResultSerializer,
    SelfCheckCardSerializer,
    SelfCheckDetailSerializer,
)

SelfCheckPage = paginated_serializer(SelfCheckCardSerializer, "PaginatedSelfCheckList")


class InvalidAnswers(ApiProblem):
    problem_type = PROBLEM_TYPE_BASE + "invalid-answers"
    title = "Invalid answers"

    def __init__(self, errors: list[dict]):
        names = ", ".join(e["name"] for e in errors)
        super().__init__(f"Check these answers: {names}.", errors=errors)


def render_card(self_check: SelfCheck) -> dict:
    return {
        "slug": self_check.slug,
        "title": clean_text(self_check.title),
        "intro": clean_text(self_check.intro),
        "kind": self_check.kind,
        "kind_label": self_check.kind_label,
        "url_path": self_check.get_absolute_url(),
        "question_count": len(self_check.definition.questions),
    }


def render_band(band: Band) -> dict:
    return {
        "min_score": band.min_score,
        "max_score": band.max_score,
        "label": clean_text(band.label),
        "message": clean_text(band.message),
        "next_step": clean_text(band.next_step),
        "concerns": [{"slug": t.slug, "name": clean_text(t.name)} for t in band.concerns],
        "suggests_support": band.suggests_support,
        "shows_crisis_resources": band.shows_crisis_resources,
    }


def published(slug: str) -> SelfCheck:
    self_check = SelfCheck.objects.filter(slug=slug_or_404(slug, "self-check"), live=True).first()
    if self_check is None:
        raise NotFound(f"No published self-check with the slug {slug!r}.")
    return self_check


@extend_schema_view(
    get=extend_schema(
        operation_id="self_checks_list",
        tags=["self-checks"],
        parameters=openapi_parameters(pagination_params()),
        responses={200: SelfCheckPage, **problem_responses(400, 429)},
    )
)
class SelfCheckListView(PaginatedListView):
    """Published self-checks, by title."""

    response_serializer = SelfCheckPage

    def get_validators(self, query, **kwargs):
        return [], self.generation()[1]

    def get_data(self, query, **kwargs):
        checks, envelope = paginate(
            SelfCheck.objects.filter(live=True).order_by("title", "pk"), query, self.request
        )
        return {**envelope, "results": [render_card(c) for c in checks]}


@extend_schema_view(
    get=extend_schema(
        operation_id="self_checks_detail",
        tags=["self-checks"],
        responses={200: SelfCheckDetailSerializer, **problem_responses(400, 404, 429)},
    )
)
class SelfCheckDetailView(ApiView):
    """One self-check's definition: questions with their options and scores, and the bands."""

    response_serializer = SelfCheckDetailSerializer

    def get_validators(self, query, slug: str = "", **kwargs):
        self.self_check = published(slug)
        return [self.self_check.pk, self.self_check.updated_at.isoformat()], self.self_check.updated_at

    def get_data(self, query, **kwargs):
        self_check = self.self_check
        data = self_check.definition
        low, high = data.score_range
        return {
            **render_card(self_check),
            "not_diagnosis": clean_text(self_check.not_diagnosis),
            "crisis_message": clean_text(self_check.crisis_message),
            "source": clean_text(self_check.source),
            "licence": clean_text(self_check.licence),
            "score_range": {"min": low, "max": high},
            "questions": [
                {
                    "id": q.id,
                    "text": clean_text(q.text),
                    "help_text": clean_text(q.help_text),
                    "options": [
                        {
                            "id": o.id,
                            "label": clean_text(o.label),
                            "score": o.score,
                            "is_crisis_answer": o.is_crisis_answer,
                        }
                        for o in q.options
                    ],
                }
                for q in data.questions
            ],
            "bands": [render_band(b) for b in data.bands],
        }


@extend_schema_view(
    post=extend_schema(
        operation_id="self_checks_score",
        tags=["self-checks"],
        parameters=openapi_parameters(READER_CONTEXT_PARAMS),
        request=ScoreRequestSerializer,
        responses={200: ScoreResultSerializer, **problem_responses(400, 404, 429)},
        examples=[
            OpenApiExample(
                "Answers",
                value={"answers": {"question-id-1": "option-id-2", "question-id-2": "option-id-1"}},
                request_only=True,
            )
        ],
    )
)
class SelfCheckScoreView(ApiView):
    """Scores answers: the band, its message, the crisis flag and find-support suggestions.

    The answers are neither stored nor logged, and the response is never cached. Context for the
    suggestions: ``country``, ``language``, ``modality``, ``near``, else the trusted country header
    and ``Accept-Language``.
    """

    parser_classes = [JSONParser]
    params = READER_CONTEXT_PARAMS
    sends_validators = False
    cache_control = "no-store, private"
    documented_methods = ("POST",)
    http_method_names = ["post", "options"]

    def post(self, request, slug: str = "", **kwargs):
        query = parse_query(request, self.get_params())
        self_check = published(slug)
        answers = self.answers(request.data)
        data = self_check.definition
        try:
            outcome = score(data, answers)
        except AnswerError as e:
            raise InvalidAnswers(e.errors) from None  # the answers are not chained into any log
        context = api_reader_context(request, query)
        support = support_for(self_check, outcome, context)
        images = ImageBatch(base_url(request))
        suggestions = [*support.crisis, *support.others]
        listings = support_cards([s.listing for s in suggestions], images)
        images.resolve()

        def cards(items):
            return [
                {
                    "listing": render_listing_card(listings[s.listing.pk], images),
                    "reasons": [clean_text(r) for r in s.reasons],
                    "sponsored": s.sponsored,
                }
                for s in items
                if s.listing.pk in listings
            ]

        low, high = data.score_range
        body = {
            "self_check": self_check.slug,
            "score": outcome.score,
            "score_range": {"min": low, "max": high},
            "band": render_band(outcome.band),
            "crisis": outcome.crisis,
            "crisis_message": clean_text(self_check.crisis_message) if outcome.crisis else None,
            "not_diagnosis": clean_text(self_check.not_diagnosis),
            "context": reader_context_dict(context),
            "crisis_resources": cards(support.crisis),
            "suggestions": cards(support.others),
            "notice": clean_text(support.notice),
        }
        response = Response(ScoreResultSerializer(body).data)
        add_never_cache_headers(response)
        return response

    @staticmethod
    def answers(payload) -> dict[str, str]:
        if not isinstance(payload, dict) or "answers" not in payload:
            raise InvalidAnswers(
                [{"name": "answers", "reason": "required: an object of question id → option id"}]
            )
        answers = payload["answers"]
        if not isinstance(answers, dict):
            raise InvalidAnswers(
                [{"name": "answers", "reason": "must be an object of question id → option id"}]
            )
        unknown = sorted(set(payload) - {"answers"})
        errors = [{"name": name[:60], "reason": "unknown field"} for name in unknown]
        errors += [
            {"name": f"answers.{str(key)[:60]}", "reason": "the option id must be a string"}
            for key, value in answers.items()
            if not isinstance(value, str)
        ]
        if errors:
            raise InvalidAnswers(errors)
        return answers
