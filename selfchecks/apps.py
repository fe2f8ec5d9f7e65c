from django.apps import AppConfig


class SelfChecksConfig(AppConfig):
    name = "selfchecks"
    verbose_name = "Self-checks"
    default_auto_field = "django.db.models.BigAutoField"
