from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = "Recommendations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from website.freshness import declare_shown

        from . import signals  # noqa: F401
        from .models import Concept, ListingTypeFit

        # The vocabulary decides which listings readers are shown: an edit renews the generation.
        declare_shown(Concept, ListingTypeFit)
