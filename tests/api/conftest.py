"""Shared builders for the API tests: images, a rich article, a JSON client."""

from __future__ import annotations

import io

import pytest
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images import get_image_model

from tests import factories


@pytest.fixture(autouse=True)
def _api_settings(settings):
    settings.WELLNESS = {**getattr(settings, "WELLNESS", {}), "ANON_RATE": None}
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]


def make_image(title: str = "Photo", size=(80, 60)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (120, 160, 200)).save(buffer, format="PNG")
    return get_image_model().objects.create(
        title=title, file=ImageFile(buffer, name=f"{title}.png"), description=f"{title} description"
    )


def rich_body(n: int, listings=(), images=(), link_to=None, automatic: int = 1):
    """A body with ``n`` of each repeatable block (headings, paragraphs, citations, FAQ items…)."""
    link = f'<a linktype="page" id="{link_to.pk}">a linked article</a>' if link_to else "no link"
    body = []
    for i in range(n):
        body += [
            ("heading", {"text": f"Part {i}", "level": "h2", "anchor": ""}),
            ("paragraph", f"<p>Paragraph {i} with <b>bold</b> and {link}.</p>"),
            ("quote", {"text": f"Quote {i}", "speaker": "Someone", "credential": "LMFT"}),
            (
                "citation",
                {
                    "title": f"Study {i}",
                    "authors": "A. Author",
                    "journal": "J",
                    "year": 2020,
                    "doi": f"10.1000/{i}",
                    "pmid": "",
                    "url": "",
                },
            ),
            (
                "safety_note",
                {
                    "title": "Care",
                    "text": f"<p>Note {i}</p>",
                    "advises_against_joint_sessions": False,
                    "resource_label": "Help",
                    "resource_url": "https://example.org/help",
                },
            ),
        ]
    body.append(
        (
            "faq",
            {
                "title": "FAQ",
                "items": [{"question": f"Q{i}?", "answer": f"<p>A{i} {link}</p>"} for i in range(max(1, n))],
            },
        )
    )
    if listings:
        body.append(
            (
                "find_support",
                {
                    "title": "Find support",
                    "mode": "manual",
                    "listings": list(listings),
                    "listing_type": None,
                    "count": 2,
                    "include_products": False,
                },
            )
        )
    for _ in range(automatic):
        body.append(
            (
                "find_support",
                {
                    "title": "Suggested",
                    "mode": "automatic",
                    "listings": [],
                    "listing_type": None,
                    "count": 2,
                    "include_products": False,
                },
            )
        )
    for image in images:
        body.append(("image", {"image": image, "alt": "An image", "caption": "Caption"}))
    return body


@pytest.fixture
def api(client):
    """``api(path, **headers)`` → response, with ``.json()`` for JSON and problem bodies."""

    def get(path, data=None, **headers):
        return client.get(path, data=data, **headers)

    return get


@pytest.fixture
def site_content(db):
    """A small magazine: a section, reviewers, listings and two published articles."""
    section = factories.section("Trends & Signals")
    reviewer = factories.person(
        "Ana Ruiz",
        reviewer=True,
        board=True,
        honorific="Dr.",
        contact_email="ana@private.example",
        internal_notes="secret note",
    )
    author = factories.person("Ben Ode", contact_email="ben@private.example")
    listing = factories.listing("Lena Hart", contact_email="lena@private.example", internal_notes="private")
    other = factories.article(section, "Other article", topics=["Trust"], authors=(author,))
    return {"section": section, "reviewer": reviewer, "author": author, "listing": listing, "other": other}
