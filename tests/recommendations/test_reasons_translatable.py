"""Reasons and notices are written through gettext (issue 14: "ready for translation")."""

import datetime

from recommendations import scoring
from recommendations.scoring import (
    ListingView,
    RelatedCandidate,
    Step,
    SupportQuery,
    plan_support,
    related_reasons,
    score_listing,
)


def marked(monkeypatch):
    """Every string gettext returns is marked, so an unmarked reason shows."""
    monkeypatch.setattr(scoring, "gettext", lambda message: f"«{message}»")


def test_every_find_support_reason_goes_through_gettext(monkeypatch):
    marked(monkeypatch)
    v = ListingView(
        id=1,
        listing_type_id=1,
        listing_type_name="Couples therapist",
        country="NL",
        city="Utrecht",
        offers_in_person=True,
        offers_online=True,
        languages=frozenset({"nl"}),
        specialties=((1, "Trust"),),
        approaches=((2, "Emotionally focused therapy"),),
        latitude=52.09,
        longitude=5.12,
    )
    crisis = ListingView(
        id=2, listing_type_id=3, listing_type_name="Crisis line", is_crisis_resource=True, country="NL"
    )
    q = SupportQuery(
        article_id=1,
        topic_weights={1: 1.0},
        approach_ids=frozenset({2}),
        terms=frozenset(),
        suited_types={1: "Relationship problems"},
        country="NL",
        language="nl",
        near=(52.1, 5.1),
        is_sensitive=True,
        day=datetime.date(2026, 12, 4),
    )
    reasons = score_listing(v, q, Step("local")).reasons + score_listing(crisis, q, Step("local")).reasons
    assert len(reasons) >= 8
    assert all(r.startswith("«") and r.endswith("»") for r in reasons), reasons
    assert "«Based in «the Netherlands»»" in reasons


def test_related_reasons_go_through_gettext(monkeypatch):
    marked(monkeypatch)
    candidate = RelatedCandidate(
        article=None,
        base_score=0.5,
        section_id=3,
        author_ids=[],
        text_score=0.3,
        shared_topic_names=["Trust"],
        same_section=True,
        section_title="Relationships",
        review_status="reviewed",
    )
    reasons = related_reasons(candidate)
    assert len(reasons) == 4
    assert all(r.startswith("«") and r.endswith("»") for r in reasons), reasons


def test_notices_go_through_gettext(monkeypatch):
    marked(monkeypatch)
    q = SupportQuery(
        article_id=1,
        topic_weights={},
        approach_ids=frozenset(),
        terms=frozenset(),
        country="US",
        modality="in_person",
        count=3,
    )
    plan = plan_support(q, lambda step, exclude: [])
    assert plan.notice == "«No in-person options in «the United States» match this article.»"
