"""People who write and review, the listings readers are pointed to, and their vocabularies.

The topic vocabulary (``Topic``) is shared: articles are tagged with it and listings name their
specialties from it, which is what lets the recommendation engine match the two.
"""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.text import slugify
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from taggit.models import TagBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable
from wagtail.search import index

from common.links import check_link_fields, http_url_validator

from .countries import country_choices, country_name, is_country
from .flags import flag_svg
from .panels import LoginLinkPanel


def split_terms(text: str) -> list[str]:
    """Comma- or line-separated terms (synonyms, abbreviations) as a list, blanks dropped."""
    return [t.strip() for t in (text or "").replace("\n", ",").split(",") if t.strip()]


class Topic(TagBase):
    """One term of the shared topic vocabulary (article topics and listing specialties)."""

    description = models.TextField(blank=True)
    synonyms = models.TextField(
        blank=True, help_text="Other words readers and practitioners use for this topic, comma separated."
    )
    is_sensitive = models.BooleanField(
        default=False,
        help_text="Abuse, violence, self-harm or crisis: articles on it get crisis resources first.",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("synonyms"),
        FieldPanel("is_sensitive"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = "topic"

    @property
    def synonym_list(self) -> list[str]:
        return split_terms(self.synonyms)


class Approach(models.Model):
    """A therapeutic approach or method (EFT, Gottman Method, IBCT, ACT…)."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    synonyms = models.TextField(blank=True, help_text="Abbreviations and other names, comma separated.")
    description = models.TextField(blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("synonyms"), FieldPanel("description")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def synonym_list(self) -> list[str]:
        return split_terms(self.synonyms)


class ListingType(models.Model):
    """What kind of listing this is: psychologist, couples therapist, clinic, product brand…"""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", "Individual practitioner"
        ORGANISATION = "organisation", "Organisation"

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    default_kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.INDIVIDUAL)
    is_clinical = models.BooleanField(
        default=True, help_text="Clinical care. Product brands are not, and stay out of clinical groups."
    )
    is_crisis_resource = models.BooleanField(
        default=False, help_text="Helplines and crisis services, shown first on sensitive articles."
    )
    offers_joint_sessions = models.BooleanField(
        default=False, help_text="Couples or family formats, held back where an article advises against them."
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("default_kind"),
        FieldPanel("is_clinical"),
        FieldPanel("is_crisis_resource"),
        FieldPanel("offers_joint_sessions"),
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Language(models.Model):
    """An ISO 639-1 language a practitioner works in; rows come from a data migration."""

    code = models.CharField(max_length=2, primary_key=True)
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Person(index.Indexed, ClusterableModel):
    """Someone who appears on the site: an author, an expert reviewer, an editor."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    honorific = models.CharField(max_length=20, blank=True, help_text='Shown before the name, e.g. "Dr."')
    headline = models.CharField(max_length=160, blank=True)
    bio = RichTextField(blank=True, features=["bold", "italic", "link"])
    photo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linkedin_url = models.URLField(blank=True, validators=[http_url_validator])
    website_url = models.URLField(blank=True, validators=[http_url_validator])
    expertise = ParentalManyToManyField(Topic, blank=True, related_name="experts")
    is_author = models.BooleanField(default=False)
    is_reviewer = models.BooleanField("is expert reviewer", default=False)
    is_board_member = models.BooleanField("expert board member", default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
        editable=False,
        help_text="The login this person uses to act on review tasks; changed only by an administrator.",
    )
    # When ``user`` last changed, however it changed (admin action, shell, data migration): the
    # review step refuses an approval from a login linked after the review started.
    user_linked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Private: never serialised or rendered on public pages.
    contact_email = models.EmailField(blank=True)
    internal_notes = models.TextField(blank=True)

    panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("honorific"), FieldPanel("name")]),
                FieldPanel("slug"),
                FieldPanel("headline"),
                FieldPanel("photo"),
                FieldPanel("bio"),
            ],
            heading="Public profile",
        ),
        MultiFieldPanel([FieldPanel("linkedin_url"), FieldPanel("website_url")], heading="Links"),
        FieldPanel("expertise", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel(
            [
                FieldPanel("is_author"),
                FieldPanel("is_reviewer"),
                FieldPanel("is_board_member"),
            ],
            heading="Roles",
        ),
        LoginLinkPanel(heading="Login"),
        InlinePanel("credentials", heading="Credentials", label="Credential"),
        MultiFieldPanel(
            [FieldPanel("contact_email"), FieldPanel("internal_notes")],
            heading="Private (never shown publicly)",
        ),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("headline"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.honorific} {self.name}".strip()

    def valid_credentials(self, on: datetime.date | None = None) -> list[Credential]:
        on = on or timezone.localdate()
        return [c for c in self.credentials.all() if c.is_valid(on)]

    @property
    def shows_board_badge(self) -> bool:
        """ "Verified Expert Board Member" needs membership and a verified, unexpired credential."""
        return self.is_board_member and bool(self.valid_credentials())

    def get_absolute_url(self) -> str:
        return f"/experts/{self.slug}/"

    link_fields = ("linkedin_url", "website_url")

    def save(self, *args, **kwargs):
        check_link_fields(self, self.link_fields)
        # Read from the database rather than remembered at load: a deferred or stale instance must
        # not hide a change of login.
        saved = (
            Person.objects.filter(pk=self.pk).values_list("user_id", flat=True).first() if self.pk else None
        )
        if self.user_id != saved:
            self.user_linked_at = timezone.now() if self.user_id else None
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "user_linked_at" not in update_fields:
                kwargs["update_fields"] = [*update_fields, "user_linked_at"]
        super().save(*args, **kwargs)


class PersonLoginChange(models.Model):
    """One change of the login linked to a person, made by an administrator: the audit trail.

    Usernames are copied so that the record still says who was who after an account is deleted.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="login_changes")
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_by_username = models.CharField(max_length=150)
    old_username = models.CharField(max_length=150, blank=True)
    new_username = models.CharField(max_length=150, blank=True)
    reason = models.TextField()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = "login change"

    def __str__(self):
        return (
            f"{self.changed_by_username} linked {self.person} to {self.new_username or 'no login'} "
            f"(was {self.old_username or 'none'}) on {self.changed_at:%Y-%m-%d %H:%M}"
        )


class Credential(Orderable):
    """A degree or licence. Only verified, unexpired credentials back the board badge."""

    class Kind(models.TextChoices):
        DEGREE = "degree", "Degree"
        LICENCE = "licence", "Licence"
        CERTIFICATION = "certification", "Certification"

    person = ParentalKey(Person, on_delete=models.CASCADE, related_name="credentials")
    title = models.CharField(max_length=120, help_text='e.g. "PhD, Neuroscience" or "LMFT"')
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DEGREE)
    issuing_body = models.CharField(max_length=160, blank=True)
    country = models.CharField(max_length=2, blank=True, choices=country_choices)
    verified_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    licence_number = models.CharField(max_length=60, blank=True, help_text="Private.")

    panels = [
        FieldPanel("title"),
        FieldPanel("kind"),
        FieldPanel("issuing_body"),
        FieldPanel("country"),
        FieldRowPanel([FieldPanel("verified_on"), FieldPanel("expires_on")]),
        FieldPanel("licence_number"),
    ]

    def __str__(self):
        return self.title

    @staticmethod
    def valid_on(on: datetime.date) -> models.Q:
        """``is_valid`` as a filter (the read model's bylines compute the board badge in SQL)."""
        return models.Q(verified_on__isnull=False, verified_on__lte=on) & (
            models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=on)
        )

    def is_valid(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return (
            self.verified_on is not None
            and self.verified_on <= on
            and (self.expires_on is None or self.expires_on >= on)
        )

    def clean(self):
        if self.verified_on and self.expires_on and self.expires_on < self.verified_on:
            raise ValidationError({"expires_on": "A credential cannot expire before it was verified."})


class ListingDisplay:
    """What a listing card shows that is worked out from a listing's own fields: shared by the
    ``Listing`` model and its card row (``experts.cards.ListingCard``), which name those fields alike."""

    __slots__ = ()

    @property
    def modalities(self) -> list[str]:
        return [m for m, on in (("in_person", self.offers_in_person), ("online", self.offers_online)) if on]

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    @property
    def country_flag(self) -> str:
        """A small inline SVG flag (decorative: always shown beside ``country_name``)."""
        return flag_svg(self.country)

    @property
    def is_sponsored(self) -> bool:
        return self.commercial_relationship != Listing.Commercial.NONE


class Listing(ListingDisplay, index.Indexed, ClusterableModel):
    """A practitioner or organisation shown in "find support" cards."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", "Individual"
        ORGANISATION = "organisation", "Organisation"

    class Commercial(models.TextChoices):
        NONE = "none", "None"
        SPONSORED = "sponsored", "Sponsored"
        AFFILIATE = "affiliate", "Affiliate"

    name = models.CharField(max_length=160)
    slug = models.SlugField(max_length=160, unique=True)
    listing_type = models.ForeignKey(ListingType, on_delete=models.PROTECT, related_name="listings")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.INDIVIDUAL)
    offers_in_person = models.BooleanField("in person", default=True)
    offers_online = models.BooleanField("online", default=False)
    country = models.CharField(max_length=2, choices=country_choices, help_text="ISO 3166 country.")
    city = models.CharField(max_length=120, blank=True)
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    languages = ParentalManyToManyField(Language, blank=True, related_name="listings")
    specialties = ParentalManyToManyField(Topic, blank=True, related_name="listings")
    approaches = ParentalManyToManyField(Approach, blank=True, related_name="listings")
    summary = models.CharField(max_length=280, help_text="One line, as shown on the cards.")
    bio = RichTextField(blank=True, features=["bold", "italic", "link", "ul", "ol"])
    credentials = models.CharField(
        max_length=255,
        blank=True,
        help_text=(
            "Qualifications and registrations as the practitioner holds them, e.g. "
            "“Registered psychologist (professional body), MSc Clinical Psychology”. Check them "
            "before ticking “verified”."
        ),
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Photo or logo.",
    )
    website_url = models.URLField(blank=True, validators=[http_url_validator])
    booking_url = models.URLField(blank=True, validators=[http_url_validator])
    verified = models.BooleanField(default=False)
    verified_on = models.DateField(null=True, blank=True)
    accepting_clients = models.BooleanField("accepting new clients", default=True)
    is_active = models.BooleanField("active", default=True)
    commercial_relationship = models.CharField(
        max_length=20, choices=Commercial.choices, default=Commercial.NONE
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Private.
    contact_email = models.EmailField(blank=True)
    internal_notes = models.TextField(blank=True)

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("name"),
                FieldPanel("slug"),
                FieldPanel("listing_type"),
                FieldPanel("kind"),
                FieldPanel("summary"),
                FieldPanel("bio"),
                FieldPanel("image"),
            ],
            heading="Card",
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("offers_in_person"), FieldPanel("offers_online")]),
                FieldRowPanel([FieldPanel("country"), FieldPanel("city")]),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
                FieldPanel("languages", widget=forms.SelectMultiple(attrs={"size": 8})),
            ],
            heading="Where and how",
        ),
        MultiFieldPanel(
            [
                FieldPanel("credentials"),
                FieldPanel("specialties", widget=forms.CheckboxSelectMultiple),
                FieldPanel("approaches", widget=forms.CheckboxSelectMultiple),
            ],
            heading="Expertise",
        ),
        MultiFieldPanel([FieldPanel("website_url"), FieldPanel("booking_url")], heading="Links"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("verified"), FieldPanel("verified_on")]),
                FieldPanel("accepting_clients"),
                FieldPanel("is_active"),
                FieldPanel("commercial_relationship"),
            ],
            heading="Status",
        ),
        MultiFieldPanel(
            [FieldPanel("contact_email"), FieldPanel("internal_notes")],
            heading="Private (never shown publicly)",
        ),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("summary"),
        index.SearchField("city"),
        index.FilterField("country"),
        index.FilterField("is_active"),
    ]

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["is_active", "verified", "country"], name="listing_active_country_idx")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude" if self.longitude is None else "latitude"] = (
                "Give both latitude and longitude, or neither."
            )
        if self.country and not is_country(self.country):
            errors["country"] = f"{self.country!r} is not an ISO 3166 alpha-2 country code."
        if not (self.offers_in_person or self.offers_online):
            errors["offers_online"] = "A listing must offer in-person or online sessions, or both."
        if errors:
            raise ValidationError(errors)

    link_fields = ("website_url", "booking_url")

    def save(self, *args, **kwargs):
        check_link_fields(self, self.link_fields)
        if not self.slug:
            self.slug = slugify(self.name)[:160]
        super().save(*args, **kwargs)
