"""Serializers every part of the API shares: images, rich text, problems, small references.

All API serializers are read-only views over plain dicts built by the services in
``website.api.cards`` and ``website.api.bundle``: the serializer is the allowlist (a key that is not
declared never reaches a client) and the source of the OpenAPI schema.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

MODALITIES = ("in_person", "online")
# How far the find-support engine looked past the reader's country (None: it did not need to).
WIDENINGS = ("online_in_language", "everywhere")
# Where a related article comes from: the editor's picks, or the recommendation engine.
RELATED_SOURCES = ("editorial_pick", "automatic")


class RenditionSerializer(serializers.Serializer):
    """An image rendition. Example: ``{"url": "https://…/media/images/x.fill-640x360.jpg",
    "width": 640, "height": 360, "alt": "Two people talking on a bench"}``"""

    url = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    alt = serializers.CharField(allow_blank=True)


class RichTextSerializer(serializers.Serializer):
    """Rich text: sanitised HTML (internal links as front-end paths) and its plain text.
    Example: ``{"html": "<p>See <a href=\\"/sleep/naps/\\">naps</a>.</p>", "text": "See naps."}``"""

    html = serializers.CharField(allow_blank=True)
    text = serializers.CharField(allow_blank=True)


class SlugNameSerializer(serializers.Serializer):
    """A vocabulary term. Example: ``{"slug": "trust", "name": "Trust"}``"""

    slug = serializers.CharField()
    name = serializers.CharField()


class ProblemParameterSerializer(serializers.Serializer):
    name = serializers.CharField()
    reason = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, the body of every error (media type ``application/problem+json``)."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(allow_blank=True)
    errors = ProblemParameterSerializer(many=True)


def constant(value: str, **kwargs) -> serializers.CharField:
    """A string field that always holds ``value`` (``const`` in the schema: a literal type)."""
    field_class = extend_schema_field({"type": "string", "const": value})(
        type("ConstantField", (serializers.CharField,), {})
    )
    return field_class(**kwargs)


@extend_schema_field(
    {
        "type": "array",
        "prefixItems": [
            {"type": "number", "minimum": -90, "maximum": 90, "description": "Latitude"},
            {"type": "number", "minimum": -180, "maximum": 180, "description": "Longitude"},
        ],
        "items": False,
        "minItems": 2,
        "maxItems": 2,
    }
)
class CoordinatesField(serializers.ListField):
    """``[latitude, longitude]`` in decimal degrees: a pair, typed as a tuple."""

    child = serializers.FloatField()


class ReaderContextSerializer(serializers.Serializer):
    """The reader context the automatic find-support suggestions were chosen for.
    Example: ``{"country": "DE", "language": "de", "modality": "online", "near": [52.52, 13.4]}``"""

    country = serializers.CharField(allow_null=True, help_text="ISO 3166-1 alpha-2, upper case.")
    language = serializers.CharField(allow_null=True, help_text="ISO 639-1, lower case.")
    modality = serializers.ChoiceField(choices=list(MODALITIES), allow_null=True)
    near = CoordinatesField(allow_null=True)


class ApiEndpointSerializer(serializers.Serializer):
    """One operation of the API. Example: ``{"operation_id": "articles_list", "method": "GET",
    "path": "/api/v1/articles/", "summary": "Article cards, newest first, with filters…"}``"""

    operation_id = serializers.CharField()
    method = serializers.ChoiceField(choices=["GET", "POST"])
    path = serializers.CharField(help_text="Path template; `{slug}` stands for a slug.")
    summary = serializers.CharField(allow_blank=True)


class ApiIndexSerializer(serializers.Serializer):
    """What ``/api/v1/`` answers: where the contract and the docs are, and every endpoint."""

    title = serializers.CharField()
    version = serializers.CharField()
    schema = serializers.URLField(help_text="The OpenAPI document (JSON).")
    docs = serializers.URLField(help_text="Interactive documentation.")
    endpoints = ApiEndpointSerializer(many=True)
