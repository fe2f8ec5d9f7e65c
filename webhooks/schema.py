"""The OpenAPI ``webhooks`` section: one entry per event type, with its payload and headers.

Listed in ``SPECTACULAR_SETTINGS["WEBHOOKS"]``. The payloads are built by ``webhooks.events``; these
serializers only describe them, and tests/webhooks/test_schema.py validates real deliveries against
the generated schema so the two cannot drift apart.
"""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiResponse,
    OpenApiWebhook,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers

from .models import EventType

# drf-spectacular 0.30 drops ``parameters`` of webhook operations, so ``add_webhook_headers`` (a
# postprocessing hook) puts these on each of them.
HEADERS = [
    {
        "name": "webhook-id",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": "The event's id (`msg_…`), the same on every retry: drop an id you already handled.",
    },
    {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
        "description": "Seconds since the epoch when this attempt was signed; refuse one far from your "
        "clock.",
    },
    {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": '`v1,` and the base64 HMAC-SHA256 of `"{webhook-id}.{webhook-timestamp}.{body}"`, '
        "keyed with the base64-decoded part of the endpoint's `whsec_` secret (Standard Webhooks). Several "
        "may be given, separated by spaces.",
    },
]


class WebhookArticleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    url = serializers.URLField(allow_null=True, help_text="The public page; null once it is not live.")
    api_url = serializers.URLField(help_text="The article in the content API (404 while not live).")


class WebhookReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reviewed_at = serializers.DateTimeField()
    article = WebhookArticleSerializer()


class WebhookReviewReminderSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["review_due", "review_overdue"])
    review_due_at = serializers.DateTimeField(allow_null=True)
    article = WebhookArticleSerializer()


class WebhookListingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    action = serializers.ChoiceField(choices=["saved", "deleted"])
    is_active = serializers.BooleanField()
    api_url = serializers.URLField(
        help_text="The listing in the content API (404 while inactive or deleted)."
    )


DATA = {
    EventType.ARTICLE_PUBLISHED: (
        WebhookArticleSerializer,
        "An article went live (first time, or again after unpublishing).",
    ),
    EventType.ARTICLE_UPDATED: (WebhookArticleSerializer, "A live article was published again with changes."),
    EventType.ARTICLE_UNPUBLISHED: (WebhookArticleSerializer, "An article was unpublished: drop its page."),
    EventType.REVIEW_RECORDED: (WebhookReviewSerializer, "An expert review of an article was recorded."),
    EventType.REVIEW_DUE: (
        WebhookReviewReminderSerializer,
        "An article's expert review falls due within 30 days.",
    ),
    EventType.REVIEW_OVERDUE: (WebhookReviewReminderSerializer, "An article's expert review is overdue."),
    EventType.LISTING_CHANGED: (WebhookListingSerializer, "A listing was saved or deleted."),
}


def _event_serializer(event_type: EventType, data_serializer: type[serializers.Serializer]):
    const_field = extend_schema_field({"type": "string", "const": event_type.value})(
        type("EventTypeField", (serializers.CharField,), {})
    )
    name = "".join(part.title() for part in event_type.value.split(".")) + "Event"
    return type(
        name,
        (serializers.Serializer,),
        {
            "type": const_field(),
            "timestamp": serializers.DateTimeField(help_text="When the change happened."),
            "data": data_serializer(),
            "__module__": __name__,
        },
    )


def _webhook(event_type: EventType) -> OpenApiWebhook:
    data_serializer, description = DATA[event_type]
    return OpenApiWebhook(
        name=event_type.value,
        decorator=extend_schema(
            summary=event_type.label,
            description=description
            + " Signed by the Standard Webhooks scheme; answer 2xx within 5 seconds, or it is retried.",
            request=_event_serializer(event_type, data_serializer),
            responses={
                200: OpenApiResponse(description="Received. Any 2xx will do; anything else is retried."),
            },
        ),
    )


ARTICLE_PUBLISHED = _webhook(EventType.ARTICLE_PUBLISHED)
ARTICLE_UPDATED = _webhook(EventType.ARTICLE_UPDATED)
ARTICLE_UNPUBLISHED = _webhook(EventType.ARTICLE_UNPUBLISHED)
REVIEW_RECORDED = _webhook(EventType.REVIEW_RECORDED)
REVIEW_DUE = _webhook(EventType.REVIEW_DUE)
REVIEW_OVERDUE = _webhook(EventType.REVIEW_OVERDUE)
LISTING_CHANGED = _webhook(EventType.LISTING_CHANGED)


def add_webhook_headers(result, generator, request, public):
    """Postprocessing hook: the three signature headers on every webhook operation."""
    for operations in result.get("webhooks", {}).values():
        for operation in operations.values():
            operation["parameters"] = [dict(header) for header in HEADERS]
    return result
