"""App config of the headless API (freshness of its responses: ``website.freshness``)."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "website.api"
    label = "wellness_api"
    verbose_name = "Headless API"

    def ready(self):
        from .cdn import connect_receivers

        connect_receivers()
