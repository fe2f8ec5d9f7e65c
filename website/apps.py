from django.apps import AppConfig


class WebsiteConfig(AppConfig):
    name = "website"
    verbose_name = "Website"

    def ready(self):
        from . import checks  # noqa: F401  (registers the settings check)
        from .login_throttle import connect_signals

        connect_signals()
