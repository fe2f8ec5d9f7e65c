from django.apps import AppConfig


class ExpertsConfig(AppConfig):
    name = "experts"
    verbose_name = "People and listings"

    def ready(self):
        from wagtail.images import get_image_model

        from website.freshness import declare_shown

        from .models import Approach, Credential, Language, Listing, ListingType, Person, Topic

        # Everything the public expert pages, bylines, listing cards and topic lists show (with the
        # many-to-many tables of these models, and the photos and logos). Sign-in changes
        # (PersonLoginChange) are not shown.
        declare_shown(Person, Credential, Listing, ListingType, Approach, Language, Topic, get_image_model())
