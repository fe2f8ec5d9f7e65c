"""App config of the API package: renews the content generation (validators, response cache) on changes."""

from django.apps import AppConfig

CONTENT_APPS = {"articles", "experts", "selfchecks", "taggit"}


def shows_in_responses(sender) -> bool:
    """Whether saving a row of ``sender`` can change an API response (renditions, revisions, logs cannot)."""
    from wagtail.images import get_image_model
    from wagtail.models import Page, PageViewRestriction, Site

    meta = getattr(sender, "_meta", None)
    if meta is None or sender.__module__ == "__fake__":
        # Historical models in data migrations: the generation table may not exist yet.
        return False
    if meta.app_label in CONTENT_APPS:
        return True
    return issubclass(sender, Page | PageViewRestriction | Site | get_image_model())


class ApiConfig(AppConfig):
    name = "website.api"
    label = "wellness_api"
    verbose_name = "Headless API"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from wagtail.signals import page_published, page_unpublished

        from .caching import bump_content_generation

        def on_change(sender, **kwargs):
            if shows_in_responses(sender):
                bump_content_generation()

        for signal in (post_save, post_delete, m2m_changed):
            # weak=False: the closure has no other reference and would be collected at once.
            signal.connect(on_change, weak=False, dispatch_uid=f"wellness_api_generation_{id(signal)}")
        page_published.connect(bump_content_generation, dispatch_uid="wellness_api_generation_published")
        page_unpublished.connect(bump_content_generation, dispatch_uid="wellness_api_generation_unpublished")
