from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Listed first in the bench settings: its ready() runs before Wagtail's API v3 builds its schemas."""

    name = "bench"
    label = "bench"

    def ready(self):
        from .baselines import declare_api_fields

        declare_api_fields()
