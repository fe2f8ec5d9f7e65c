"""The related-article model: field-weighted BM25 terms and phrases, topics linked through the
concept vocabulary, diversity, and review status and recency as tie-breakers only."""

import datetime

import pytest

from recommendations.concepts import ConceptGraph
from recommendations.scoring import (
    RELATED_TOPIC_WEIGHT,
    TOPIC_REPEAT_PENALTY,
    RelatedCandidate,
    concept_related_topics,
    pair_score,
    rank_related,
)
from recommendations.text import bm25_vector, stem, weighted_terms

NOW = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)


class Body(list):
    """A body of (block type, text) children as ``weighted_terms`` reads them."""

    def __init__(self, *children):
        super().__init__(_Child(kind, text) for kind, text in children)


class _Child:
    def __init__(self, kind, text):
        self.block_type = kind
        self.value = text
        self.block = type("B", (), {"plain_words": staticmethod(lambda value: [value])})()


class TestFieldWeightedTerms:
    def test_headings_and_faq_weigh_above_running_text(self):
        terms = weighted_terms(
            "", "", Body(("heading", "jealousy"), ("faq", "boundaries"), ("paragraph", "gardening"))
        )
        assert terms[stem("jealousy")] > terms[stem("boundaries")] > terms[stem("gardening")]

    def test_safety_notes_and_citations_add_nothing_captions_little(self):
        terms = weighted_terms(
            "", "", Body(("safety_note", "emergency"), ("citation", "journal"), ("image", "garden"))
        )
        assert stem("emergency") not in terms and stem("journal") not in terms
        assert terms[stem("garden")] == pytest.approx(0.3)

    def test_phrases_come_from_the_salient_fields_only(self):
        terms = weighted_terms("Rebuilding trust", "", Body(("paragraph", "quiet distance")))
        assert "rebuild trust" in terms
        assert "quiet distance" not in terms and "quiet" in terms


class TestBM25:
    def test_a_term_every_article_has_weighs_almost_nothing(self):
        vector = bm25_vector({"therapi": 1.0, "jealousi": 1.0}, {"therapi": 10, "jealousi": 1}, 10, 2.0)
        assert vector["jealousi"] > 20 * vector["therapi"]

    def test_repeating_a_word_saturates(self):
        df = {"trust": 2, "debt": 2}
        once = bm25_vector({"trust": 1.0, "debt": 1.0}, df, 10, 2.0)
        many = bm25_vector({"trust": 20.0, "debt": 1.0}, df, 10, 21.0)
        assert many["trust"] / many["debt"] < 3 < 20  # far below the 20-fold count
        assert once["trust"] == pytest.approx(once["debt"])


def graph() -> ConceptGraph:
    """Relationship problems (topics 1 and 2) ⊃ Trust and betrayal (topic 3) ⊃ Infidelity (topic 4)."""
    g = ConceptGraph()
    g.names = {10: "Relationship problems", 11: "Trust and betrayal", 12: "Infidelity"}
    g.broader = {11: {10}, 12: {11}}
    g.topic_concepts = {1: {10}, 2: {10}, 3: {11}, 4: {12}}
    g.concept_topics = {10: {1, 2}, 11: {3}, 12: {4}}
    return g


class TestLinkedTopics:
    def test_broader_and_narrower_concepts_link_topics(self):
        assert concept_related_topics(graph(), [3]) == {
            1: RELATED_TOPIC_WEIGHT,
            2: RELATED_TOPIC_WEIGHT,
            4: RELATED_TOPIC_WEIGHT,
        }

    def test_topics_of_the_same_concept_are_not_linked(self):
        # "Relationships" and "Communication" under one broad concern: every article under it would
        # otherwise look alike.
        assert concept_related_topics(graph(), [1]) == {3: RELATED_TOPIC_WEIGHT, 4: RELATED_TOPIC_WEIGHT}

    def test_a_linked_topic_counts_its_share_of_a_shared_one(self):
        linked = concept_related_topics(graph(), [3])
        _, shared_score, shared = pair_score([3], [3], 0.0, False, {})
        _, linked_score, none_shared = pair_score([3], [4], 0.0, False, {}, linked)
        _, unrelated, _ = pair_score([3], [9], 0.0, False, {}, linked)
        assert (shared, none_shared) == ([3], [])
        assert linked_score == pytest.approx(RELATED_TOPIC_WEIGHT * shared_score)
        assert unrelated == 0.0


class Row:
    def __init__(self, pk, published=None):
        self.pk = pk
        self.first_published_at = published


def candidate(pk, score, *, topics=(), status="reviewed", published=None, section=None):
    return RelatedCandidate(
        article=Row(pk, published),
        base_score=score,
        section_id=section,
        author_ids=[],
        review_status=status,
        topic_ids=tuple(topics),
    )


def order(candidates, **kwargs):
    return [c.article.pk for c, _ in rank_related(candidates, limit=5, now=NOW, **kwargs)]


class TestDiversity:
    def test_a_near_duplicate_of_a_chosen_article_gives_way_to_a_different_one(self):
        first = candidate(1, 0.60, topics=(1, 2, 3))
        twin = candidate(2, 0.50, topics=(1, 2, 3))
        other = candidate(3, 0.48, topics=(1, 5))
        assert order([first, twin, other]) == [1, 3, 2]
        assert 0.50 * (1 - TOPIC_REPEAT_PENALTY) < 0.48 * (1 - TOPIC_REPEAT_PENALTY / 4)

    def test_editorial_picks_count_as_chosen(self):
        twin = candidate(2, 0.50, topics=(1, 2, 3))
        other = candidate(3, 0.48, topics=(7,))
        assert order([twin, other]) == [2, 3]
        assert order([twin, other], chosen_topics=[(1, 2, 3)]) == [3, 2]


class TestTieBreakers:
    def test_review_status_does_not_outweigh_relevance(self):
        reviewed = candidate(1, 0.40, status="reviewed")
        unreviewed = candidate(2, 0.46, status="not_reviewed")
        assert order([reviewed, unreviewed]) == [2, 1]

    def test_review_status_then_recency_break_ties(self):
        old = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
        new = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
        assert order([candidate(1, 0.40, status="not_reviewed"), candidate(2, 0.401)]) == [2, 1]
        assert order([candidate(1, 0.40, published=old), candidate(2, 0.40, published=new)]) == [2, 1]
        assert order([candidate(1, 0.40, published=new), candidate(2, 0.40, published=old)]) == [1, 2]
