"""API shapes of people (authors, reviewers, board members) and listings.

Only public fields are declared: contact e-mails, internal notes, licence numbers and user
accounts are not fields here, so they cannot reach a response. Cards are built as dicts by
``website.api.cards``; these serializers are their allowlist and their schema.
"""

from __future__ import annotations

from rest_framework import serializers

from website.api.serializers import RenditionSerializer, RichTextSerializer, SlugNameSerializer


class BylinePersonSerializer(serializers.Serializer):
    """Who wrote or reviewed, as shown on an article card.
    Example: ``{"slug": "ana-ruiz", "name": "Ana Ruiz", "honorific": "Dr.", "display_name": "Dr. Ana Ruiz",
    "board_badge": true}``"""

    slug = serializers.CharField()
    name = serializers.CharField()
    honorific = serializers.CharField(allow_blank=True)
    display_name = serializers.CharField()
    board_badge = serializers.BooleanField(help_text="Verified Expert Board Member (valid credential).")


class PersonCardSerializer(BylinePersonSerializer):
    """A person's public card: byline fields plus headline, profile path and portrait."""

    headline = serializers.CharField(allow_blank=True)
    url_path = serializers.CharField(help_text="Front-end path of the profile page.")
    photo = RenditionSerializer(allow_null=True)


class CredentialSerializer(serializers.Serializer):
    """A public credential: never the licence number. ``valid``: verified and not expired."""

    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=["degree", "licence", "certification"])
    issuing_body = serializers.CharField(allow_blank=True)
    country = serializers.CharField(allow_blank=True)
    valid = serializers.BooleanField()


class RolesSerializer(serializers.Serializer):
    author = serializers.BooleanField()
    reviewer = serializers.BooleanField()
    board_member = serializers.BooleanField()


class ExpertSerializer(PersonCardSerializer):
    """An expert in the experts list."""

    roles = RolesSerializer()
    expertise = SlugNameSerializer(many=True)
    credentials = CredentialSerializer(many=True)


class ExpertDetailSerializer(ExpertSerializer):
    """An expert's profile with the live articles they wrote and the ones they currently vouch for."""

    bio = RichTextSerializer()
    linkedin_url = serializers.URLField(allow_null=True)
    website_url = serializers.URLField(allow_null=True)

    def get_fields(self):
        # Imported here: article cards embed person bylines from this module.
        from website.api.articles.serializers import ArticleCardSerializer

        fields = super().get_fields()
        fields["articles_written"] = ArticleCardSerializer(many=True)
        fields["articles_reviewed"] = ArticleCardSerializer(many=True)
        return fields


class LanguageSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ListingCardSerializer(serializers.Serializer):
    """A practitioner, clinic or brand as shown on a card.
    Example (abridged): ``{"slug": "lena-hart", "name": "Lena Hart", "listing_type": {"slug":
    "couples-therapist", "name": "Couples therapist"}, "modalities": ["in_person", "online"], "country": "DE",
    "verified": true, "sponsored": false, "distance_km": null}``"""

    slug = serializers.CharField()
    name = serializers.CharField()
    listing_type = SlugNameSerializer()
    kind = serializers.ChoiceField(choices=["individual", "organisation"])
    modalities = serializers.ListField(child=serializers.ChoiceField(choices=["in_person", "online"]))
    country = serializers.CharField()
    country_name = serializers.CharField()
    city = serializers.CharField(allow_blank=True)
    languages = LanguageSerializer(many=True)
    specialties = SlugNameSerializer(many=True)
    approaches = SlugNameSerializer(many=True)
    summary = serializers.CharField(allow_blank=True)
    image = RenditionSerializer(allow_null=True)
    website_url = serializers.URLField(allow_null=True)
    booking_url = serializers.URLField(allow_null=True)
    verified = serializers.BooleanField()
    accepting_clients = serializers.BooleanField()
    sponsored = serializers.BooleanField(help_text="Sponsored or affiliate relationship: label it as such.")
    commercial_relationship = serializers.ChoiceField(choices=["none", "sponsored", "affiliate"])
    distance_km = serializers.FloatField(allow_null=True, help_text="From ?near=, when given.")


class ListingDetailSerializer(ListingCardSerializer):
    bio = RichTextSerializer()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    verified_on = serializers.DateField(allow_null=True)


class SupportCardSerializer(serializers.Serializer):
    """One card of a find-support group: the listing and why it is shown."""

    listing = ListingCardSerializer()
    reasons = serializers.ListField(child=serializers.CharField())
    sponsored = serializers.BooleanField()
