from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        from wagtail.images import get_image_model
        from wagtail.models import Page, PageViewRestriction, Site

        from website.freshness import declare_shown

        from . import signals  # noqa: F401
        from .models import ArticleAuthor, ArticleTopic, EditorialPick, ExpertReview

        # The page tree (every page type is a Page), who may see it, which site it roots, the images
        # pages show, and the article's own relations and reviews. Renditions are not declared: they
        # are made while a page is read, and a change of their image renews the generation already.
        declare_shown(
            Page, PageViewRestriction, Site, get_image_model(), ArticleAuthor, ArticleTopic, EditorialPick
        )
        declare_shown(ExpertReview)
