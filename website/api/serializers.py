"""Serializers every part of the API shares: images, rich text, problems, small references.

All API serializers are read-only views over plain dicts built by the services in
``website.api.cards`` and ``website.api.bundle``: the serializer is the allowlist (a key that is not
declared never reaches a client) and the source of the OpenAPI schema.
"""

from __future__ import annotations

from rest_framework import serializers


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
