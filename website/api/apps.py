"""App config of the API package: renews the validator generation token when content changes."""

from django.apps import AppConfig

CONTENT_APPS = {"articles", "experts", "wagtailcore", "wagtailimages", "taggit"}


class ApiConfig(AppConfig):
    name = "website.api"
    label = "wellness_api"
    verbose_name = "Headless API"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from wagtail.signals import page_published, page_unpublished

        from .caching import renew_content_generation

        def on_change(sender, **kwargs):
            if getattr(sender, "_meta", None) is not None and sender._meta.app_label in CONTENT_APPS:
                renew_content_generation()

        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(on_change, dispatch_uid=f"wellness_api_generation_{id(signal)}")
        page_published.connect(renew_content_generation, dispatch_uid="wellness_api_generation_published")
        page_unpublished.connect(renew_content_generation, dispatch_uid="wellness_api_generation_unpublished")
