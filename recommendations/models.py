"""Precomputed data of the database backend: one profile per live article and its nearest neighbours.

Reads then cost a constant handful of queries whatever the size of the catalogue: the neighbours
of an article are one indexed lookup, not a comparison with every other article. The tables are
kept by the indexing tasks (``recommendations.tasks``) and rebuilt by ``rebuild_recommendations``.
They are kept on every site, also when Elasticsearch serves reads, because they are the fallback.

The concept vocabulary (``Concept``, ``ListingTypeFit``) is edited by editors as snippets.
"""

from django.core.exceptions import ValidationError
from django.db import models
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable

from experts.models import split_terms


class ArticleProfile(models.Model):
    """What the engine knows of one live, public article."""

    article = models.OneToOneField(
        "articles.ArticlePage", primary_key=True, on_delete=models.CASCADE, related_name="reco_profile"
    )
    section_id = models.IntegerField(null=True)
    author_ids = models.JSONField(default=list)
    topic_ids = models.JSONField(default=list, help_text="Topics the article is tagged with.")
    mentioned_topic_ids = models.JSONField(
        default=list, help_text="Other topics whose name or a synonym appears in the text."
    )
    approach_ids = models.JSONField(default=list, help_text="Approaches named in the text.")
    terms = models.JSONField(default=dict, help_text="Weighted stemmed terms, before IDF.")
    need_terms = models.JSONField(
        default=dict,
        help_text="Salient stemmed terms of the article's need, for find support's text relevance.",
    )
    is_sensitive = models.BooleanField(default=False)
    advises_against_joint_sessions = models.BooleanField(default=False)
    fingerprint = models.CharField(max_length=64, help_text="Hash of the inputs, to detect drift.")
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "article recommendation profile"

    def __str__(self):
        return f"Profile of article {self.article_id}"


class RelatedScore(models.Model):
    """A precomputed similarity of ``related`` to ``article`` (directional: topic rarity is measured
    from ``article``'s side)."""

    article = models.ForeignKey("articles.ArticlePage", on_delete=models.CASCADE, related_name="+")
    related = models.ForeignKey("articles.ArticlePage", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    text_score = models.FloatField(default=0.0)
    topic_score = models.FloatField(default=0.0)
    same_section = models.BooleanField(default=False)
    shared_topic_ids = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "related"], name="unique_related_score"),
            models.CheckConstraint(
                condition=~models.Q(article=models.F("related")), name="related_score_not_self"
            ),
        ]
        indexes = [models.Index(fields=["article", "-score"], name="related_score_lookup_idx")]

    def __str__(self):
        return f"{self.related_id} for {self.article_id}: {self.score:.3f}"


SELF_BROADER_ERROR = "A concept cannot be broader than itself."


class ConceptForm(WagtailAdminModelForm):
    """The admin form: the relation is only set on the instance at save, so it is checked here."""

    def clean(self):
        cleaned = super().clean()
        broader = cleaned.get("broader") or []
        if self.instance.pk and any(c.pk == self.instance.pk for c in broader):
            self.add_error("broader", SELF_BROADER_ERROR)
        return cleaned


class Concept(ClusterableModel):
    """A reader's concern, in editors' words, with broader and narrower concerns and synonyms.

    Concepts sit above topics: "Infidelity" is narrower than "Trust and betrayal", itself narrower
    than "Relationship problems". Find support matches an article's concerns to a practitioner's
    through them (``recommendations.concepts``), and the fits say which kinds of practitioner suit a
    concern. Edited as snippets in the admin.
    """

    name = models.CharField(max_length=120, unique=True)
    synonyms = models.TextField(blank=True, help_text="Other names readers and writers use, comma separated.")
    description = models.TextField(blank=True)
    broader = ParentalManyToManyField(
        "self",
        symmetrical=False,
        related_name="narrower",
        blank=True,
        help_text="Wider concerns this one belongs to (e.g. trust and betrayal → relationship problems).",
    )
    topics = ParentalManyToManyField(
        "experts.Topic",
        related_name="concepts",
        blank=True,
        help_text="Topics that name this concern, on articles (tags) and on listings (specialties).",
    )

    base_form_class = ConceptForm

    panels = [
        FieldPanel("name"),
        FieldPanel("synonyms"),
        FieldPanel("description"),
        FieldPanel("broader"),
        FieldPanel("topics"),
        InlinePanel("fits", label="Kinds of practitioner that suit this concern"),
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def synonym_list(self) -> list[str]:
        return split_terms(self.synonyms)

    def clean(self):
        super().clean()
        if self.pk and any(c.pk == self.pk for c in self.broader.all()):
            raise ValidationError({"broader": SELF_BROADER_ERROR})


class ListingTypeFit(Orderable):
    """Whether a kind of practitioner (a listing type) suits a concept and its narrower concepts."""

    class Rule(models.TextChoices):
        SUITS = "suits", "Suits this concern"
        ONLY_AS_SUBJECT = "only_as_subject", "Only where this concern is the article's subject"

    concept = ParentalKey(Concept, on_delete=models.CASCADE, related_name="fits")
    listing_type = models.ForeignKey("experts.ListingType", on_delete=models.CASCADE, related_name="fits")
    rule = models.CharField(
        max_length=20,
        choices=Rule.choices,
        default=Rule.SUITS,
        help_text=(
            "\u201cOnly where…\u201d: this kind is never suggested for other articles, e.g. an integration"
            " coach only where psychedelic experiences are the subject."
        ),
    )

    panels = [FieldPanel("listing_type"), FieldPanel("rule")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["concept", "listing_type"], name="unique_listing_type_fit"),
        ]

    def __str__(self):
        return f"{self.listing_type} for {self.concept}"
