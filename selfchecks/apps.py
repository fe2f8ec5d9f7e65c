from django.apps import AppConfig


class SelfChecksConfig(AppConfig):
    name = "selfchecks"
    verbose_name = "Self-checks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from website.freshness import declare_shown

        from .models import SelfCheck

        # The reader pages, the article block's card and the API show self-checks.
        declare_shown(SelfCheck)
