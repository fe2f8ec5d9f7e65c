"""API shapes of sections, topics, article cards and the article bundle.

The bundle is everything an article page needs in one response; its ``body`` is a list of typed
blocks ``{"type", "id", "value"}`` whose ``value`` has one schema per block type (an OpenAPI
``oneOf`` with ``type`` as discriminator). The dicts are built by ``website.api.bundle``.
"""

from __future__ import annotations

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from articles.blocks import LIST_STYLES
from articles.reviews import STATUSES
from website.api.experts.serializers import (
    BylinePersonSerializer,
    PersonCardSerializer,
    SupportCardSerializer,
)
from website.api.selfchecks.serializers import SelfCheckCardSerializer
from website.api.serializers import (
    RELATED_SOURCES,
    WIDENINGS,
    ReaderContextSerializer,
    RenditionSerializer,
    RichTextSerializer,
    SlugNameSerializer,
    constant,
)


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


class ListItemSerializer(serializers.Serializer):
    """One list item: inline HTML (no paragraph wrapper; links, bold, italic, superscript) and the
    same words as plain text.

    Example: ``{"html": "Name the <b>betrayal</b>.", "text": "Name the betrayal."}``
    """

    html = serializers.CharField(allow_blank=True)
    text = serializers.CharField(allow_blank=True)


class ListValueSerializer(serializers.Serializer):
    """A bulleted (``unordered``) or numbered (``ordered``) list; each item is separate."""

    style = serializers.ChoiceField(choices=LIST_STYLES)
    items = ListItemSerializer(many=True)


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
    widened_to = serializers.ChoiceField(choices=list(WIDENINGS), allow_null=True)
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


class SelfCheckValueSerializer(serializers.Serializer):
    """A self-check readers can take in the article: its card; fetch the definition from
    ``/api/v1/self-checks/{slug}/`` and score with ``POST …/score/``."""

    heading = serializers.CharField()
    self_check = SelfCheckCardSerializer()


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
    "list": _block_serializer("list", ListValueSerializer, "ListBlock"),
    "quote": _block_serializer("quote", QuoteValueSerializer, "QuoteBlock"),
    "citation": _block_serializer("citation", CitationSerializer, "CitationBlock"),
    "faq": _block_serializer("faq", FAQValueSerializer, "FAQBlock"),
    "find_support": _block_serializer("find_support", FindSupportValueSerializer, "FindSupportBlock"),
    "safety_note": _block_serializer("safety_note", SafetyNoteValueSerializer, "SafetyNoteBlock"),
    "image": _block_serializer("image", ImageValueSerializer, "ImageBlock"),
    "self_check": _block_serializer("self_check", SelfCheckValueSerializer, "SelfCheckBlock"),
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
    source = serializers.ChoiceField(choices=list(RELATED_SOURCES))
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


# Structured data (``articles.jsonld``): what each schema.org object may hold, optional keys
# omitted when the article has nothing for them.


def _jsonld(class_name: str, doc: str, fields: dict) -> type[serializers.Serializer]:
    """A serializer whose field names start with ``@`` (not Python identifiers)."""
    return type(class_name, (serializers.Serializer,), {**fields, "__doc__": doc})


JsonLdOrganization = _jsonld(
    "JsonLdOrganization",
    "A schema.org Organization.",
    {"@type": constant("Organization"), "name": serializers.CharField(), "url": serializers.CharField()},
)
JsonLdCredential = _jsonld(
    "JsonLdCredential",
    "A schema.org EducationalOccupationalCredential (never a licence number).",
    {
        "@type": constant("EducationalOccupationalCredential"),
        "name": serializers.CharField(),
        "recognizedBy": _jsonld(
            "JsonLdCredentialIssuer",
            "The body that issued a credential.",
            {"@type": constant("Organization"), "name": serializers.CharField()},
        )(required=False),
    },
)
JsonLdPerson = _jsonld(
    "JsonLdPerson",
    "A schema.org Person: public profile fields only.",
    {
        "@type": constant("Person"),
        "name": serializers.CharField(),
        "url": serializers.CharField(),
        "jobTitle": serializers.CharField(required=False),
        "sameAs": serializers.ListField(child=serializers.CharField(), required=False),
        "hasCredential": JsonLdCredential(many=True, required=False),
        "memberOf": JsonLdOrganization(required=False),
    },
)
JsonLdScholarlyArticle = _jsonld(
    "JsonLdScholarlyArticle",
    "A cited work.",
    {
        "@type": constant("ScholarlyArticle"),
        "name": serializers.CharField(allow_blank=True),
        "author": serializers.CharField(required=False),
        "isPartOf": _jsonld(
            "JsonLdPeriodical",
            "The journal a cited work appeared in.",
            {"@type": constant("Periodical"), "name": serializers.CharField()},
        )(required=False),
        "datePublished": serializers.CharField(required=False),
        "identifier": _jsonld(
            "JsonLdIdentifier",
            "A DOI or PubMed identifier.",
            {
                "@type": constant("PropertyValue"),
                "propertyID": serializers.ChoiceField(choices=["DOI", "PMID"]),
                "value": serializers.CharField(),
            },
        )(many=True, required=False),
        "url": serializers.CharField(required=False),
    },
)
JsonLdMedicalWebPage = _jsonld(
    "JsonLdMedicalWebPage",
    "The article as a schema.org MedicalWebPage.",
    {
        "@context": constant("https://schema.org"),
        "@type": constant("MedicalWebPage"),
        "headline": serializers.CharField(),
        "name": serializers.CharField(),
        "description": serializers.CharField(allow_blank=True),
        "url": serializers.CharField(),
        "mainEntityOfPage": serializers.CharField(),
        "inLanguage": serializers.CharField(),
        "publisher": JsonLdOrganization(),
        "author": JsonLdPerson(many=True),
        "datePublished": serializers.CharField(required=False),
        "dateModified": serializers.CharField(required=False),
        "reviewedBy": JsonLdPerson(required=False),
        "lastReviewed": serializers.CharField(required=False),
        "citation": JsonLdScholarlyArticle(many=True, required=False),
        "about": _jsonld(
            "JsonLdThing",
            "A topic the article is about.",
            {"@type": constant("Thing"), "name": serializers.CharField()},
        )(many=True, required=False),
        "keywords": serializers.CharField(required=False),
        "image": _jsonld(
            "JsonLdImage",
            "The hero image.",
            {
                "@type": constant("ImageObject"),
                "url": serializers.CharField(),
                "caption": serializers.CharField(allow_blank=True),
            },
        )(required=False),
    },
)
JsonLdFAQPage = _jsonld(
    "JsonLdFAQPage",
    "The article's questions and answers as a schema.org FAQPage.",
    {
        "@context": constant("https://schema.org"),
        "@type": constant("FAQPage"),
        "url": serializers.CharField(),
        "mainEntity": _jsonld(
            "JsonLdQuestion",
            "A question and its plain-text answer.",
            {
                "@type": constant("Question"),
                "name": serializers.CharField(),
                "acceptedAnswer": _jsonld(
                    "JsonLdAnswer",
                    "An answer.",
                    {"@type": constant("Answer"), "text": serializers.CharField()},
                )(),
            },
        )(many=True),
    },
)
JSONLD_SERIALIZERS = {"MedicalWebPage": JsonLdMedicalWebPage, "FAQPage": JsonLdFAQPage}


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="JsonLd",
        serializers=JSONLD_SERIALIZERS,
        resource_type_field_name="@type",
        many=False,
    )
)
class JsonLdField(serializers.Field):
    """One schema.org object; its shape depends on ``@type``."""

    _instances = {name: cls() for name, cls in JSONLD_SERIALIZERS.items()}

    def to_representation(self, value):
        return self._instances[value["@type"]].to_representation(value)


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
        child=JsonLdField(),
        help_text="schema.org objects (MedicalWebPage, "
        'FAQPage), each to place in its own <script type="application/ld+json">.',
    )
    is_preview = serializers.BooleanField()
