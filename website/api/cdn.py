"""Purging a CDN in front of the site when a page is published or unpublished.

Through Wagtail's front-end cache (``wagtail.contrib.frontend_cache``), configured by Wagtail's own
``WAGTAILFRONTENDCACHE`` setting (Cloudflare, CloudFront, Azure or an HTTP ``PURGE`` endpoint; see
docs/api.md, "CDN"). Without that setting nothing is sent: it is off by default.

API responses are public with a ``max-age`` (``WELLNESS["API_CACHE_CONTROL"]``), so a CDN may keep
them. On publish and unpublish, the page's HTML URL and, for an article, its API URLs (the bundle,
its related and find-support endpoints, the article list) are purged, once the transaction has
committed, so the CDN's next request reads the committed content. Purging goes through Wagtail's
purge task (django-tasks), so a slow CDN never holds up the editor's request on a queued backend.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from wagtail.contrib.frontend_cache.utils import PurgeBatch, get_backends

from articles.models import ArticlePage
from website.public_url import public_root

API_URL_NAMES = ("api_v1:article-detail", "api_v1:article-related", "api_v1:article-support")


def article_api_urls(slug: str) -> list[str]:
    """Absolute URLs of the API responses that show the article ``slug``."""
    root = public_root()
    urls = [root + reverse(name, kwargs={"slug": slug}) for name in API_URL_NAMES]
    return [*urls, root + reverse("api_v1:article-list")]


def purge_page(page) -> None:
    """Purges ``page``'s HTML URL (and an article's API URLs) from every configured CDN."""
    batch = PurgeBatch()
    batch.add_page(page)
    if isinstance(page.specific_deferred, ArticlePage):
        batch.add_urls(article_api_urls(page.slug))
    batch.purge()


def page_changed(sender, instance, **kwargs) -> None:
    if get_backends():  # the setting, read per change: tests and settings changes take effect
        transaction.on_commit(lambda: purge_page(instance))


def connect_receivers() -> None:
    from wagtail.signals import page_published, page_unpublished

    page_published.connect(page_changed, dispatch_uid="wellness_cdn_published")
    page_unpublished.connect(page_changed, dispatch_uid="wellness_cdn_unpublished")
