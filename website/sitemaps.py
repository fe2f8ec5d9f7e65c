"""``/sitemap.xml``: every page a reader can open, and nothing else.

Wagtail's sitemap lists live pages outside view restrictions; this one also leaves out pages past
their expiry date that ``publish_scheduled`` has not unpublished yet, using the same filter as the
API (``articles.visibility.visible``).
"""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap as DjangoSitemap
from wagtail.contrib.sitemaps.sitemap_generator import Sitemap


class VisiblePagesSitemap(Sitemap):
    def items(self):
        from articles.visibility import visible

        return visible(super().items())


class PublicRootSitemap(DjangoSitemap):
    """A Django sitemap whose URLs start from the configured public root (``website.public_url``),
    never from the request's ``Host`` header, as every absolute URL the site sends does."""

    def get_protocol(self, protocol=None):
        from urllib.parse import urlsplit

        from website.public_url import public_root

        return urlsplit(public_root()).scheme or "https"

    def get_domain(self, site=None):
        from urllib.parse import urlsplit

        from website.public_url import public_root

        return urlsplit(public_root()).netloc


class ListingSitemap(PublicRootSitemap):
    """Directory pages of active listings (``/find-support/<slug>/``), as readers can open them."""

    def items(self):
        from experts.models import Listing

        return Listing.objects.filter(is_active=True).only("slug", "updated_at").order_by("pk")

    def location(self, item) -> str:
        from experts.directory import listing_url

        return listing_url(item)

    def lastmod(self, item):
        return item.updated_at


class SelfCheckSitemap(PublicRootSitemap):
    """Published self-checks' pages (their results are never indexed: they answer a POST)."""

    def items(self):
        from selfchecks.models import SelfCheck

        return SelfCheck.objects.filter(live=True).only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at
