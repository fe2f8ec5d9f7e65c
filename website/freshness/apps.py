from django.apps import AppConfig


class FreshnessConfig(AppConfig):
    name = "website.freshness"
    label = "freshness"
    verbose_name = "Content freshness"

    def ready(self):
        from .shown import connect_receivers

        connect_receivers()
