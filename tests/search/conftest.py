"""A small magazine to search, shared by the database, API, page and live engine tests."""

from __future__ import annotations

import pytest

from search.backends import reset_backends
from search.interface import breaker
from tests import factories


@pytest.fixture(autouse=True)
def _search_settings(settings):
    settings.WELLNESS = {**settings.WELLNESS, "ANON_RATE": None, "SEARCH_BACKEND": "database"}
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
    reset_backends()
    breaker.reset()
    yield
    reset_backends()
    breaker.reset()


def paragraphs(*texts):
    return [("paragraph", f"<p>{t}</p>") for t in texts]


@pytest.fixture
def magazine(db):
    """Two sections, three topics (two with synonyms), five live articles.

    - ``title_trust``: "trust" in its title; ``body_trust``: "trust" only in its body;
    - ``insomnia``: "therapy" only in an FAQ answer, "Noor Estel" its only author;
    - ``script``: a title holding ``<script>``;
    - ``couples``: tagged "Couples therapy" (synonym "marriage counselling"), neither word in its text.
    """
    relationships = factories.section("Relationships", slug="relationships")
    sleep = factories.section("Sleep Health", slug="sleep-health")
    couples = factories.topic("Couples therapy", synonyms="marriage counselling")
    trust = factories.topic("Trust", synonyms="infidelity, affair")
    sleep_topic = factories.topic("Sleep")
    noor = factories.person("Noor Estel", slug="noor-estel")
    pages = {
        "title_trust": factories.article(
            relationships,
            "Rebuilding trust after a breach",
            topics=[trust],
            standfirst="What repair looks like for two people.",
            body=paragraphs("Repair takes months of small, consistent acts."),
        ),
        "body_trust": factories.article(
            relationships,
            "Arguing well as a couple",
            topics=[couples],
            standfirst="Fights that end in understanding.",
            body=paragraphs("A good argument keeps trust intact while you disagree about the dishes."),
        ),
        "insomnia": factories.article(
            sleep,
            "Insomnia basics",
            topics=[sleep_topic],
            authors=(noor,),
            standfirst="Why the hour before bed matters.",
            body=[
                ("paragraph", "<p>Light, noise and worry keep people awake.</p>"),
                ("faq", factories.faq_value(("Can talking help?", "Yes: cognitive therapy works for many."))),
            ],
        ),
        "script": factories.article(
            relationships,
            "<script>alert(1)</script> Trust falls",
            slug="trust-falls",
            topics=[trust],
            standfirst="A <b>bold</b> claim & a small one.",
            body=paragraphs("Exercises in trust for teams."),
        ),
        "couples": factories.article(
            relationships,
            "Two chairs, one room",
            topics=[couples],
            standfirst="A first session, step by step.",
            body=paragraphs("What happens when a practitioner sees two partners together."),
        ),
    }
    return {"pages": pages, "sections": (relationships, sleep), "topics": (couples, trust, sleep_topic)}
