"""The demo content, written into the database as ``load_demo`` writes it (this module sits above
every app, as the demo touches them all: the content package, the self-checks its articles embed,
the concept vocabulary linked to its topics).

``import_demo_content`` is also what the recommendation evaluation uses for its demo judged set,
without drawing images or creating accounts."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from articles.content_package import import_package, parse_package
from recommendations.concepts import ensure_default_vocabulary
from selfchecks.demo import ensure_demo_self_checks

DEMO_PACKAGE = Path(settings.BASE_DIR) / "website" / "fixtures" / "demo-content.json"


def read_demo_package() -> dict:
    """The demo content package, parsed and checked (``ContentPackageError`` names what is wrong)."""
    return parse_package(DEMO_PACKAGE.read_text(encoding="utf-8"), str(DEMO_PACKAGE))


def import_demo_content(data: dict | None = None):
    """Imports ``data`` (the demo package by default) with what it needs around it; returns
    ``(data, result)``. Run it inside a transaction."""
    data = read_demo_package() if data is None else data
    # The flagship article embeds the demo self-check, so it exists before the import; written
    # again after it, when the topics its bands name exist too.
    ensure_demo_self_checks()
    result = import_package(data)
    ensure_demo_self_checks()
    # The shipped concept vocabulary, linked to the demo's topics and listing types.
    ensure_default_vocabulary()
    return data, result
