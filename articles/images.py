"""Image renditions for API responses, fetched in bulk.

Builders first ``want(image_id)`` every image a response shows, then ``resolve()`` loads all of
them with their renditions in two queries (Wagtail's ``prefetch_renditions``); ``rendition(id, name,
alt)`` then gives ``{"url", "width", "height", "alt"}`` for one of the named filter specs in
``WELLNESS["API_RENDITIONS"]`` (or the ``specs`` a batch is given: the HTML page names its own,
``HTML_RENDITIONS``); ``image(id)`` gives the loaded image itself, for a template's ``{% image %}``.
Renditions that do not exist yet are generated on first use.
"""

from __future__ import annotations

import logging

from wagtail.images import get_image_model

from common.text import clean_text
from website.conf import wellness_settings

logger = logging.getLogger(__name__)


# The renditions the HTML templates show, under the names the API uses for the same places.
HTML_RENDITIONS = {
    "hero": "fill-1200x675",
    "lead": "fill-960x540",
    "card": "fill-480x270",
    "body": "width-800",
    "portrait": "fill-96x96",
    "logo": "fill-96x96",
}


class ImageBatch:
    def __init__(self, base_url: str, specs: dict[str, str] | None = None):
        self.base_url = base_url.rstrip("/")
        self._wanted: set[int] = set()
        self._images: dict[int, object] | None = None
        self.specs = dict(specs if specs is not None else wellness_settings.API_RENDITIONS)

    def want(self, image_id: int | None) -> None:
        if image_id:
            self._wanted.add(image_id)

    def resolve(self) -> None:
        if not self._wanted:
            self._images = {}
            return
        specs = dict.fromkeys(self.specs.values())
        queryset = get_image_model().objects.filter(pk__in=self._wanted).prefetch_renditions(*specs)
        self._images = {image.pk: image for image in queryset}

    def image(self, image_id: int | None):
        """The loaded image (renditions of ``specs`` prefetched), or None."""
        if not image_id:
            return None
        if self._images is None:
            self.resolve()
        return self._images.get(image_id)

    def rendition(self, image_id: int | None, name: str, alt: str | None = None) -> dict | None:
        if not image_id:
            return None
        if self._images is None:
            self.resolve()
        image = self._images.get(image_id)
        if image is None:
            return None
        try:
            rendition = image.get_rendition(self.specs[name])
        except Exception:  # a missing or broken source file must not break the response
            logger.warning("No %s rendition for image %s", name, image_id, exc_info=True)
            return None
        url = rendition.url
        if url.startswith("/"):
            url = self.base_url + url
        return {
            "url": url,
            "width": rendition.width,
            "height": rendition.height,
            "alt": clean_text(alt if alt is not None else image.default_alt_text),
        }
