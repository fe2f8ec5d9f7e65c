"""``/sitemap.xml``: every page a reader can open, and nothing else.

Wagtail's sitemap lists live pages outside view restrictions; this one also leaves out pages past
their expiry date that ``publish_scheduled`` has not unpublished yet, using the same filter as the
API (``articles.visibility.visible``).
"""

from __future__ import annotations

from wagtail.contrib.sitemaps.sitemap_generator import Sitemap


class VisiblePagesSitemap(Sitemap):
    def items(self):
        from articles.visibility import visible

        return visible(super().items())
