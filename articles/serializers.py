"""API shapes of sections, topics, article cards and the article bundle.

The bundle is everything an article page needs in one response; its ``body`` is a list of typed
blocks ``{"type", "id", "value"}`` whose ``value`` has one schema per block type (an OpenAPI
``oneOf`` with ``type`` as discriminator). The dicts are built by ``website.api.bundle``.
"""

from __future__ import annotations

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from experts.serializers import BylinePersonSerializer, PersonCardSerializer, SupportCardSerializer
from website.api.serializers import RenditionSerializer, RichTextSerializer, SlugNameSerializer

from .reviews import STATUSES


class SectionSerializer(serializers.Serializer):
    """Example: ``{"id": 4, "slug": "trends-signals", "title": "Trends & Signals",
    "url_path": "/trends-signals/", "intro": "…"}``"""

    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    url_path = serializers.CharField()
    intro = serializers.CharField(allow_blank=True)


class SectionRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    url_path = serializers.CharField()


class TopicSerializer(SlugNameSerializer):
    description = serializers.CharField(allow_blank=True)


class ArticleCardSerializer(serializers.Serializer):
    """An article as listed. Example (abridged): ``{"id": 31, "slug": "repair-after-conflict",
    "url_path": "/trends-signals/repair-after-conflict/", "review_status": "reviewed", "reading_time": 6}``"""

    id = serializers.IntegerField()
    slug = serializers.CharField()
    url_path = serializers.CharField()
    title = serializers.CharField()
    standfirst = serializers.CharField(allow_blank=True)
    section = SectionRefSerializer(allow_null=True)
    topics = SlugNameSerializer(many=True)
    image = RenditionSerializer(allow_null=True, help_text="Card rendition of the hero image.")
    authors = BylinePersonSerializer(many=True)
    reviewer = BylinePersonSerializer(allow_null=True)
    reading_time = serializers.IntegerField(help_text="Minutes.")
    first_published_at = serializers.DateTimeField(allow_null=True)
    last_published_at = serializers.DateTimeField(allow_null=True)
    last_reviewed_at = serializers.DateTimeField(allow_null=True)
    review_status = serializers.ChoiceField(choices=list(STATUSES))


# Body blocks: one value serializer per block type.


class HeadingValueSerializer(serializers.Serializer):
    text = serializers.CharField()
    level = serializers.ChoiceField(choices=["h2", "h3"])
    anchor = serializers.CharField(allow_blank=True)


class QuoteValueSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)
    speaker = serializers.CharField(allow_blank=True)
    credential = serializers.CharField(allow_blank=True)


class CitationSerializer(serializers.Serializer):
    """A research citation; ``number`` is its place in the reference list, ``link`` where to read it."""

    number = serializers.IntegerField()
    title = serializers.CharField(allow_blank=True)
    authors = serializers.CharField(allow_blank=True)
    journal = serializers.CharField(allow_blank=True)
    year = serializers.IntegerField(allow_null=True)
    doi = serializers.CharField(allow_blank=True)
    pmid = serializers.CharField(allow_blank=True)
    url = serializers.URLField(allow_null=True)
    link = serializers.URLField(allow_null=True, help_text="The URL, else the DOI resolver, else PubMed.")


class FAQItemSerializer(serializers.Serializer):
    question = serializers.CharField()
    answer = RichTextSerializer()


class FAQValueSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True)
    items = FAQItemSerializer(many=True)


class FindSupportValueSerializer(serializers.Serializer):
    """A find-support group with its cards resolved: the editor's listings (manual) or the
    recommendation engine's suggestions for the reader's context (automatic)."""

    title = serializers.CharField(allow_blank=True)
    mode = serializers.ChoiceField(choices=["manual", "automatic"])
    listing_type = SlugNameSerializer(allow_null=True)
    cards = SupportCardSerializer(many=True)
    widened_to = serializers.CharField(allow_null=True)
    notice = serializers.CharField(allow_blank=True)


class SafetyNoteValueSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True)
    text = RichTextSerializer()
    advises_against_joint_sessions = serializers.BooleanField()
    resource_label = serializers.CharField(allow_blank=True)
    resource_url = serializers.URLField(allow_null=True)


class ImageValueSerializer(serializers.Serializer):
    image = RenditionSerializer(allow_null=True)
    caption = serializers.CharField(allow_blank=True)


def _block_serializer(type_name: str, value_class: type[serializers.Field], class_name: str):
    return type(
        class_name,
        (serializers.Serializer,),
        {
            "type": serializers.ChoiceField(choices=[type_name]),
            "id": serializers.CharField(),
            "value": value_class(),
            "__doc__": f"A ``{type_name}`` block of an article body.",
        },
    )


BLOCK_SERIALIZERS = {
    "heading": _block_serializer("heading", HeadingValueSerializer, "HeadingBlock"),
    "paragraph": _block_serializer("paragraph", RichTextSerializer, "ParagraphBlock"),
    "quote": _block_serializer("quote", QuoteValueSerializer, "QuoteBlock"),
    "citation": _block_serializer("citation", CitationSerializer, "CitationBlock"),
    "faq": _block_serializer("faq", FAQValueSerializer, "FAQBlock"),
    "find_support": _block_serializer("find_support", FindSupportValueSerializer, "FindSupportBlock"),
    "safety_note": _block_serializer("safety_note", SafetyNoteValueSerializer, "SafetyNoteBlock"),
    "image": _block_serializer("image", ImageValueSerializer, "ImageBlock"),
}


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="BodyBlock",
        serializers={name: cls for name, cls in BLOCK_SERIALIZERS.items()},
        resource_type_field_name="type",
        many=False,
    )
)
class BodyBlockField(serializers.Field):
    """One typed body block; the value's shape depends on ``type``."""

    _instances = {name: cls() for name, cls in BLOCK_SERIALIZERS.items()}

    def to_representation(self, value):
        return self._instances[value["type"]].to_representation(value)


class ReviewSerializer(serializers.Serializer):
    """The expert review behind "Expert-Reviewed by …"; every field but ``status`` is null without one."""

    status = serializers.ChoiceField(choices=list(STATUSES))
    reviewer = PersonCardSerializer(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    summary = serializers.CharField(allow_blank=True)
    conflict_of_interest = serializers.CharField(allow_blank=True)
    next_review_due = serializers.DateTimeField(allow_null=True)


class FAQEntrySerializer(serializers.Serializer):
    question = serializers.CharField()
    answer = RichTextSerializer()


class RelatedArticleSerializer(serializers.Serializer):
    article = ArticleCardSerializer()
    source = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())


class ImagesSerializer(serializers.Serializer):
    hero = RenditionSerializer(allow_null=True)
    card = RenditionSerializer(allow_null=True)
    social = RenditionSerializer(allow_null=True)


class SeoSerializer(serializers.Serializer):
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    canonical_url = serializers.URLField()
    image = RenditionSerializer(allow_null=True)


class ReaderContextSerializer(serializers.Serializer):
    """The reader context the automatic find-support groups were chosen for."""

    country = serializers.CharField(allow_null=True)
    language = serializers.CharField(allow_null=True)
    modality = serializers.CharField(allow_null=True)
    near = serializers.ListField(child=serializers.FloatField(), allow_null=True, min_length=2, max_length=2)


class ArticleBundleSerializer(serializers.Serializer):
    """Everything an article page needs, in one response."""

    id = serializers.IntegerField()
    slug = serializers.CharField()
    url_path = serializers.CharField()
    title = serializers.CharField()
    standfirst = serializers.CharField(allow_blank=True)
    section = SectionRefSerializer(allow_null=True)
    topics = SlugNameSerializer(many=True)
    authors = PersonCardSerializer(many=True)
    review = ReviewSerializer()
    reading_time = serializers.IntegerField()
    is_sensitive = serializers.BooleanField()
    first_published_at = serializers.DateTimeField(allow_null=True)
    last_published_at = serializers.DateTimeField(allow_null=True)
    images = ImagesSerializer()
    body = serializers.ListField(child=BodyBlockField())
    faq = FAQEntrySerializer(many=True)
    citations = CitationSerializer(many=True)
    editorial_picks = ArticleCardSerializer(many=True)
    related = RelatedArticleSerializer(many=True)
    reader_context = ReaderContextSerializer()
    seo = SeoSerializer()
    jsonld = serializers.ListField(
        child=serializers.DictField(),
        help_text="schema.org objects (MedicalWebPage, "
        'FAQPage) to place in a <script type="application/ld+json">.',
    )
    is_preview = serializers.BooleanField()
