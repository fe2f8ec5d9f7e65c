"""Find support's scores for every listing of a directory at once, as numpy columns.

``scoring.listing_score`` is the model: one listing, one query, in plain Python. A request asks it
about every candidate the hard filters allow, which on a directory of a few thousand listings is a
thousand calls and most of the request. ``ListingColumns`` holds the same listings column-wise
(specialties and approaches as flat arrays of (row, id) pairs, profile terms as postings) and
works the same formula out for all of them in a few array operations: ``estimate(q)``.

The estimate only *narrows* the candidates: ``scoring.plan_support`` scores exactly, with
``listing_score``, every candidate whose estimate could place it among the shown, so an answer never
depends on the estimate's floating-point rounding (``scoring.shortlist``).
``tests/recommendations/test_columns.py`` holds the two together: estimate and model agree on every
listing of random catalogues, and a plan is the same with and without the estimate.

Built once per directory (one per content generation, ``directory.ListingDirectory.columns``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .scoring import (
    ACCEPTING_BOOST,
    APPROACH_PART,
    BM25_B,
    BM25_K1,
    COMPETENCE_POWER,
    COUNTRY_BOOST,
    DEFAULT_PROFILE_LENGTH,
    ESTIMATE_EPSILON,
    LANGUAGE_BOOST,
    MENTION_ONLY_FACTOR,
    MIN_RELEVANCE,
    NEAR_BOOST,
    NEAR_KM,
    TEXT_PART,
    TOPIC_PART,
    TYPE_PART,
    ListingView,
    SupportQuery,
    type_affinity,
)


class Estimate:
    """``(score, relevance)`` of each listing for one query, looked up by listing id."""

    def __init__(self, position: dict[int, int], ids: np.ndarray, scores: np.ndarray, relevance, may_be_kept):
        self.position = position
        self.scores = scores.tolist()
        self.relevance = relevance.tolist()
        # The listings whose estimate does not rule them out (``scoring.plan_support``'s floor).
        self.may_be_kept: set[int] = set(ids[may_be_kept].tolist())

    def __call__(self, listing_id: int) -> tuple[float, float]:
        i = self.position[listing_id]
        return self.scores[i], self.relevance[i]


class ListingColumns:
    def __init__(self, views: Sequence[ListingView]):
        n = len(views)
        self.size = n
        self.position = {v.id: i for i, v in enumerate(views)}
        self.ids = np.array([v.id for v in views], dtype=np.int64)
        self.type_ids = np.array([v.listing_type_id for v in views], dtype=np.int64)
        self.type_names = {v.listing_type_id: v.listing_type_name for v in views}
        self.crisis = np.array([v.is_crisis_resource for v in views], dtype=bool)
        self.accepting = np.array([v.accepting_clients for v in views], dtype=bool)
        self.in_person = np.array([v.offers_in_person for v in views], dtype=bool)
        self.countries = np.array([v.country for v in views], dtype=object)
        self.languages = [v.languages for v in views]
        self._speakers: dict[str, np.ndarray] = {}
        self.latitude = np.array([np.nan if v.latitude is None else v.latitude for v in views], dtype=float)
        self.longitude = np.array(
            [np.nan if v.longitude is None else v.longitude for v in views], dtype=float
        )
        # Specialties: one entry per (listing, topic) pair; ``topic_of_entry`` indexes ``topics``.
        rows = [i for i, v in enumerate(views) for _ in v.specialties]
        topic_ids = [pk for v in views for pk, _ in v.specialties]
        self.entry_row = np.array(rows, dtype=np.int64)
        self.topics, self.topic_of_entry = np.unique(np.array(topic_ids, dtype=np.int64), return_inverse=True)
        self.topic_list = self.topics.tolist()
        self.specialty_count = np.bincount(self.entry_row, minlength=n).astype(float)
        self.approach_row = np.array([i for i, v in enumerate(views) for _ in v.approaches], dtype=np.int64)
        self.approach_id = np.array([pk for v in views for pk, _ in v.approaches], dtype=np.int64)
        # Profile terms as postings: term -> (rows, frequencies).
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for i, v in enumerate(views):
            for term, f in v.profile_tf.items():
                entry = postings.setdefault(term, ([], []))
                entry[0].append(i)
                entry[1].append(f)
        self.postings = {
            term: (np.array(r, dtype=np.int64), np.array(f, dtype=float)) for term, (r, f) in postings.items()
        }
        self.profile_length = np.array([v.profile_length for v in views], dtype=float)
        self._areas: tuple[object, np.ndarray, np.ndarray] | None = None

    # --- per query -------------------------------------------------------------------------------

    def _per_topic(self, values) -> np.ndarray:
        """An entry array from a value per distinct topic (``values(topic_id)``)."""
        if not self.topic_list:
            return np.zeros(0)
        return np.array([values(t) for t in self.topic_list], dtype=float)[self.topic_of_entry]

    def _entry_sum(self, entry_values: np.ndarray) -> np.ndarray:
        return np.bincount(self.entry_row, weights=entry_values, minlength=self.size)

    def _area_of_topics(self, topic_roots: dict[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """Each distinct topic's area, and each listing's largest count of specialties in one area.
        Kept for the last ``topic_roots`` (one per concept graph, so one per generation)."""
        if self._areas is not None and self._areas[0] is topic_roots:
            return self._areas[1], self._areas[2]
        areas = np.array([topic_roots.get(t, -t) for t in self.topic_list], dtype=np.int64)
        largest = np.zeros(self.size)
        if self.topic_list:
            entry_area = np.unique(areas[self.topic_of_entry], return_inverse=True)[1]
            pairs, counts = np.unique(
                self.entry_row * (entry_area.max() + 1) + entry_area, return_counts=True
            )
            np.maximum.at(largest, pairs // (entry_area.max() + 1), counts)
        self._areas = (topic_roots, areas, largest)
        return areas, largest

    def _text(self, q: SupportQuery) -> np.ndarray:
        """``scoring.text_relevance`` for every listing."""
        reached = np.zeros(self.size)
        most = q.total_importance * (BM25_K1 + 1)
        if not q.need_terms or not most:
            return reached
        norm = BM25_K1 * (
            1 - BM25_B + BM25_B * self.profile_length / (q.avg_profile_length or DEFAULT_PROFILE_LENGTH)
        )
        for term, importance in q.term_importance.items():
            found = self.postings.get(term)
            if found is not None:
                rows, f = found
                reached[rows] += importance * f * (BM25_K1 + 1) / (f + norm[rows])
        return np.minimum(1.0, reached / most)

    def _names_salient_term(self, q: SupportQuery) -> np.ndarray:
        named = np.zeros(self.size, dtype=bool)
        for term in q.salient_need_terms:
            found = self.postings.get(term)
            if found is not None:
                named[found[0]] = True
        return named

    def _competence(self, q: SupportQuery, suited: np.ndarray) -> np.ndarray:
        """``scoring.competence`` for every listing."""
        areas, largest = self._area_of_topics(q.topic_roots)
        need_areas = q.need_areas
        on_need = self._entry_sum(
            np.array([need_areas.get(a, 0.0) for a in areas.tolist()], dtype=float)[self.topic_of_entry]
            if self.topic_list
            else np.zeros(0)
        )
        has = self.specialty_count > 0
        focus = np.ones(self.size)
        focus[has] = np.minimum(1.0, on_need[has] / largest[has])
        focus[suited & self._names_salient_term(q)] = 1.0
        return focus**COMPETENCE_POWER

    def _boost(self, q: SupportQuery) -> np.ndarray:
        """``scoring.context_boost`` for every listing."""
        boost = np.where(self.accepting, ACCEPTING_BOOST, 0.0)
        if q.country:
            boost = boost + np.where(self.countries == q.country, COUNTRY_BOOST, 0.0)
        if q.language:
            boost = boost + np.where(self.speakers(q.language), LANGUAGE_BOOST, 0.0)
        if q.near is not None:
            km = self.distance_km(q.near)
            close = self.in_person & (km < NEAR_KM)  # NaN (no known place) compares False
            boost = boost + np.where(close, NEAR_BOOST * (1.0 - np.where(close, km, 0.0) / NEAR_KM), 0.0)
        return boost

    def speakers(self, language: str) -> np.ndarray:
        if language not in self._speakers:
            self._speakers[language] = np.array([language in langs for langs in self.languages], dtype=bool)
        return self._speakers[language]

    def distance_km(self, near: tuple[float, float]) -> np.ndarray:
        """``scoring.distance_km`` from ``near`` to every listing (NaN where the place is unknown)."""
        lat1, lon1 = np.radians(near[0]), np.radians(near[1])
        lat2, lon2 = np.radians(self.latitude), np.radians(self.longitude)
        h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
        return 6371.0 * 2 * np.arcsin(np.minimum(1.0, np.sqrt(h)))

    def estimate(self, q: SupportQuery) -> Estimate:
        """``listing_score(v, q)`` for every listing ``v``, as an ``Estimate``."""
        signals = q.has_signals
        weight = self._per_topic(q.topic_weight)
        matched = weight != 0
        total_topic = q.total_topic_weight
        topic_part = self._entry_sum(weight) / total_topic if total_topic else np.zeros(self.size)
        approach_part = np.zeros(self.size)
        if q.approach_ids and len(self.approach_id):
            hits = np.isin(self.approach_id, list(q.approach_ids)).astype(float)
            approach_part = np.bincount(self.approach_row, weights=hits, minlength=self.size) / len(
                q.approach_ids
            )
        suited_ids = [t for t in self.type_names if t in q.suited_types]
        suited = np.isin(self.type_ids, suited_ids)
        affine = [
            t for t, name in self.type_names.items() if t in q.suited_types or type_affinity(name, q.terms)
        ]
        affinity = np.isin(self.type_ids, affine) if signals else np.zeros(self.size, dtype=bool)
        relevance = (
            TOPIC_PART * np.minimum(1.0, topic_part)
            + APPROACH_PART * approach_part
            + TYPE_PART * affinity
            + TEXT_PART * self._text(q)
        )
        if signals:
            relevance = relevance * self._competence(q, suited)
            if q.subject_topic_ids:
                in_subject = self._per_topic(lambda t: t in q.subject_topic_ids) != 0
                mention_only = (self._entry_sum(matched.astype(float)) > 0) & (
                    self._entry_sum((matched & in_subject).astype(float)) == 0
                )
                relevance = np.where(mention_only, relevance * MENTION_ONLY_FACTOR, relevance)
            excluded = np.isin(self.type_ids, list(q.excluded_type_ids)) & ~self.crisis
            relevance = np.where(excluded, 0.0, relevance)
            if not q.is_sensitive:
                relevance = np.where(self.crisis, 0.0, relevance)
        if signals:
            may_be_kept = (relevance >= MIN_RELEVANCE - ESTIMATE_EPSILON) | (self.crisis & q.is_sensitive)
        else:
            may_be_kept = np.ones(self.size, dtype=bool)
        return Estimate(self.position, self.ids, relevance + self._boost(q), relevance, may_be_kept)
