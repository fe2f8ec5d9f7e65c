"""``SelfCheck``: a short reflective questionnaire editors write and readers take anonymously.

A snippet, edited in the admin under "Self-checks": a self-check is reusable content placed in
any number of articles (``articles.blocks.SelfCheckBlock``) and shown on its own page, not a page
in the section tree. Nothing a reader answers is ever written to these tables or anywhere else.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import slugify
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.search import index

from . import scoring
from .blocks import BandBlock, QuestionBlock

DEFAULT_NOT_DIAGNOSIS = (
    "This is a reflective check, not a diagnosis. It cannot tell you whether you have a condition;"
    " only a qualified professional who knows your situation can assess that."
)
DEFAULT_CRISIS_MESSAGE = (
    "If you are thinking about harming yourself, or you are not safe where you are, please contact a"
    " crisis service or your local emergency number now. You do not have to go through this alone."
)


class SelfCheck(index.Indexed, models.Model):
    """Questions with scored answer options, score bands with a message each, and a crisis rule."""

    class Kind(models.TextChoices):
        REFLECTIVE = "reflective", "Reflective check written by our editors (not a validated instrument)"
        VALIDATED = "validated", "Validated questionnaire used under licence"

    title = models.CharField(max_length=160)
    slug = models.SlugField(max_length=160, unique=True, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.REFLECTIVE)
    intro = models.TextField(help_text="Who this check is for and what it looks at, in two or three lines.")
    not_diagnosis = models.TextField(
        "not-a-diagnosis statement",
        default=DEFAULT_NOT_DIAGNOSIS,
        help_text="Shown before the questions and with every result.",
    )
    questions = StreamField([("question", QuestionBlock())])
    bands = StreamField(
        [("band", BandBlock())],
        verbose_name="score bands",
        help_text="Together the bands must cover every total from the lowest to the highest possible score.",
    )
    crisis_message = models.TextField(
        default=DEFAULT_CRISIS_MESSAGE,
        help_text="Shown first, with crisis services, after a crisis answer or in a crisis band.",
    )
    source = models.TextField(
        blank=True,
        help_text="Validated questionnaires: the instrument's citation (authors, title, year).",
    )
    licence = models.CharField(
        max_length=300,
        blank=True,
        help_text="Validated questionnaires: the licence or permission under which it is reproduced.",
    )
    live = models.BooleanField("published", default=True, help_text="Readers can find and take it.")
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("title"),
                FieldPanel("slug"),
                FieldPanel("kind"),
                FieldPanel("intro"),
                FieldPanel("not_diagnosis"),
            ],
            heading="About this check",
        ),
        FieldPanel("questions"),
        FieldPanel("bands"),
        FieldPanel("crisis_message"),
        MultiFieldPanel([FieldPanel("source"), FieldPanel("licence")], heading="Source and licence"),
        FieldPanel("live"),
    ]
    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta:
        ordering = ["title"]
        verbose_name = "self-check"

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.title)[:160]
        self.__dict__.pop("_definition", None)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"/self-checks/{self.slug}/"

    @property
    def definition(self) -> scoring.Definition:
        if not hasattr(self, "_definition"):
            self._definition = scoring.definition(self)
        return self._definition

    @property
    def kind_label(self) -> str:
        if self.kind == self.Kind.VALIDATED:
            return "Validated questionnaire"
        return "Reflective check, not a validated instrument"

    def clean(self):
        super().clean()
        self.__dict__.pop("_definition", None)
        errors = {name: messages for name, messages in scoring.definition_problems(self.definition).items()}
        if self.kind == self.Kind.VALIDATED:
            if not self.source.strip():
                errors["source"] = ["Name the validated instrument this check reproduces."]
            if not self.licence.strip():
                errors["licence"] = ["Say under which licence or permission it is reproduced."]
        if errors:
            raise ValidationError(errors)
