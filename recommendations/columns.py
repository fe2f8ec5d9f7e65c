"""Find support's scores for every listing of a directory at once, as numpy columns.

``scoring.listing_score`` is the model: one listing, one query, in plain Python. A request asks it
about every candidate the hard filters allow, which on a directory of a few thousand listings is a
thousand calls and most of the request. ``ListingColumns`` holds the same listings column-wise
(specialties and approaches as flat arrays of (row, id) pairs, profile terms as postings) and
works the same formula out for all of them in a few array operations: ``estimate(q)``.

The estimate only *narrows* the candidates: ``to_shortlist`` picks, column-wise, the few a
request could show (hard filters, widening steps, ``scoring.shortlist``'s rules), and
``scoring.plan_support`` checks and scores those exactly, with ``listing_score``, so an answer never
depends on the estimate's floating-point rounding.
``tests/recommendations/test_columns.py`` holds the two together: estimate and model agree on every
listing of random catalogues, and a plan is the same with and without the estimate.

Built once per directory (one per content generation, ``directory.ListingDirectory.columns``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

from .scoring import (
    ACCEPTING_BOOST,
    APPROACH_PART,
    BM25_B,
    BM25_K1,
    CENTRED_SHARE,
    COMPETENCE_POWER,
    COUNTRY_BOOST,
    DEFAULT_PROFILE_LENGTH,
    ESTIMATE_EPSILON,
    ESTIMATE_MARGIN,
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
    widening_steps,
)


class Estimate:
    """``(score, relevance)`` of each listing for one query, looked up by listing id."""

    def __init__(self, position: dict[int, int], ids: np.ndarray, scores: np.ndarray, relevance, may_be_kept):
        self.position = position
        self.score_column, self.relevance_column, self.may_be_kept_column = scores, relevance, may_be_kept
        self.ids = ids
        self.scores = scores.tolist()
        self.relevance = relevance.tolist()

    @functools.cached_property
    def may_be_kept(self) -> set[int]:
        """The listings whose estimate does not rule them out (``scoring.plan_support``'s floor)."""
        return set(self.ids[self.may_be_kept_column].tolist())

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
        self.listed = np.array([v.is_active and v.verified for v in views], dtype=bool)
        self.clinical = np.array([v.is_clinical for v in views], dtype=bool)
        self.joint_sessions = np.array([v.offers_joint_sessions for v in views], dtype=bool)
        self.online = np.array([v.offers_online for v in views], dtype=bool)
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

    # --- what plan_support must see ---------------------------------------------------------------

    def admissible(self, q: SupportQuery) -> np.ndarray:
        """``scoring.hard_filter_violation(v, q) is None`` for every listing (``plan_support`` still
        checks it on every candidate it is handed)."""
        ok = self.listed.copy()
        if not q.include_products:
            ok &= self.clinical
        if q.advises_against_joint_sessions:
            ok &= ~self.joint_sessions
            if q.joint_topic_ids and self.topic_list:
                joint = self._entry_sum(self._per_topic(lambda t: 1.0 if t in q.joint_topic_ids else 0.0))
                share = np.divide(
                    joint, self.specialty_count, out=np.zeros(self.size), where=self.specialty_count > 0
                )
                ok &= self.crisis | ~(share > CENTRED_SHARE)
        if q.listing_type_id is not None:
            ok &= (self.type_ids == q.listing_type_id) | (self.crisis & q.is_sensitive)
        home = self.countries == q.country if q.country else None
        if q.modality == "in_person":
            ok &= self.in_person
            if home is not None:
                ok &= home
        if q.modality == "online":
            ok &= self.online
        if home is not None:
            ok &= (home | self.online) & (~self.crisis | home)
        return ok

    def in_step(self, step) -> np.ndarray:
        """``scoring.in_step(v, step)`` for every listing."""
        found = np.ones(self.size, dtype=bool)
        if step.country:
            found &= self.countries == step.country
        if step.online:
            found &= self.online
        if step.language:
            found &= self.speakers(step.language)
        return found

    def to_shortlist(self, q: SupportQuery, estimate: Estimate) -> set[int]:
        """The ids ``scoring.shortlist`` keeps among every listing the hard filters allow at some
        widening step, worked out column-wise, so that ``plan_support`` is handed those few rather
        than every plausible candidate (a request's work then hardly grows with the directory).

        The same rules as ``shortlist``, on the same estimates: crisis services of a sensitive
        article; the plausible within ``ESTIMATE_MARGIN`` of the ``q.count``-th best certainly
        relevant one; the first step's ``q.count`` best certainly relevant ones (ties by id, as
        candidates come), else every plausible one of it. ``shortlist`` then keeps exactly these
        again; ``tests/recommendations/test_columns.py`` holds the plans equal with and without."""
        scores, relevance = estimate.score_column, estimate.relevance_column
        allowed = self.admissible(q) & estimate.may_be_kept_column
        if q.exclude_listing_ids:
            allowed &= ~np.isin(self.ids, list(q.exclude_listing_ids))
        step_of = np.full(self.size, -1)
        for index, step in reversed(list(enumerate(widening_steps(q)))):
            step_of = np.where(allowed & self.in_step(step), index, step_of)
        candidate = step_of >= 0
        lead = candidate & self.crisis & q.is_sensitive
        rest = candidate & ~lead
        if q.has_signals:
            plausible = rest & (relevance >= MIN_RELEVANCE - ESTIMATE_EPSILON)
            certain = rest & (relevance >= MIN_RELEVANCE + ESTIMATE_EPSILON)
        else:
            plausible = certain = rest
        certain_scores = scores[certain]
        if len(certain_scores) >= q.count:
            bar = np.sort(certain_scores)[len(certain_scores) - q.count] - ESTIMATE_MARGIN
            kept = lead | (plausible & (scores >= bar))
        else:
            kept = lead | plausible
        first = np.flatnonzero(certain & (step_of == 0))
        if len(first) >= q.count:
            best = first[np.lexsort((self.ids[first], -scores[first]))[: q.count]]
            kept[best] = True
        else:
            kept |= plausible & (step_of == 0)
        return set(self.ids[kept].tolist())
