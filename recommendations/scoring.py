"""Scoring shared by every backend: related-article ranking and find-support ranking.

Backends only differ in how they find candidates (a precomputed table, an Elasticsearch query);
what makes a candidate good, the hard filters, the widening steps, reasons, rotation and safety
rules live here, once, as plain functions over plain data so they can be tested exhaustively.

Related articles: ``base = 0.55·text + 0.35·topics + 0.10·same section`` where text is the cosine
of field-weighted BM25 vectors (terms and phrases, from what the article states, not what it warns
against) and topics the cosine of the two IDF-weighted topic sets, topics linked through the
concept vocabulary counting ``RELATED_TOPIC_WEIGHT``; then a greedy diversity pass that discounts
candidates like those already chosen (same topics, same author, same section). Review status and
recency only break ties. Under a sensitive article that advises against joint sessions, articles
about a joint format are never candidates (``formats``).

Find support: ``relevance = 0.6·topics + 0.25·approaches + 0.15·listing type + 0.1·text`` (text:
BM25 of the listing's profile for the article's need terms), plus a context boost of at most
``CONTEXT_BOOST_MAX`` (speaks the reader's language, same country, nearby, accepting clients):
candidates of every widening step are ranked together, relevance first. Equal scores are ordered
by distance for an in-person request with ``near``, then rotated by a hash of (article, day,
listing). See docs/recommendations.md.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext, ngettext

from experts.countries import country_name, language_name

from .text import profile_terms, stem, tokens

# --- related articles -------------------------------------------------------------------------

# The section is a weak signal only: editors file articles by format and audience as much as by
# subject, so sharing one says little about relatedness; it orders articles of a similar subject.
TEXT_WEIGHT, TOPIC_WEIGHT, SECTION_WEIGHT = 0.55, 0.35, 0.10
MIN_RELATED_SCORE = 0.03
REVIEW_FACTORS = {
    "reviewed": 1.0,
    "review_due": 1.0,
    "changed_since_review": 0.92,
    "review_overdue": 0.9,
    "not_reviewed": 0.85,
}
AUTHOR_REPEAT_FACTOR = 0.8
SECTION_REPEAT_FACTOR = 0.9
# Diversity: a candidate loses this share of its score times its topic likeness (Jaccard) to the
# most alike article already chosen; five suggestions about the very same topics are one suggestion.
# Measured on the demo judged set: 0.15 above 0 and above 0.3 (docs/recommendations.md).
TOPIC_REPEAT_PENALTY = 0.15
FRESHNESS_HALF_LIFE_DAYS = 540
# A topic of a broader or narrower concept than one of the article's topics counts this share of a
# shared topic: enough to find and order candidates that share no topic, little enough that a broad
# concern ("Relationship problems") does not make every article under it alike (0.4 and 0.2 scored
# lower on the demo judged set; topics of the same concept are not linked for the same reason).
RELATED_TOPIC_WEIGHT = 0.1


def topic_idf(topic_df: dict[int, int], n_docs: int) -> dict[int, float]:
    return {pk: math.log((1 + n_docs) / (1 + df)) + 1.0 for pk, df in topic_df.items()}


def concept_related_topics(graph, topic_ids: Iterable[int]) -> dict[int, float]:
    """Topics linked to ``topic_ids`` through the concept vocabulary (``concepts.ConceptGraph``):
    the topics of broader and of narrower concepts, at ``RELATED_TOPIC_WEIGHT`` ("Trust and
    betrayal" reaches "Relationships" through "Relationship problems"); not ``topic_ids`` themselves."""
    own = set(topic_ids)
    out: dict[int, float] = {}
    for topic_id in sorted(own):
        for concept_id in graph.topic_concepts.get(topic_id, ()):
            for linked in {*graph.ancestors(concept_id)[1:], *graph.descendants(concept_id)}:
                for other in graph.concept_topics.get(linked, ()):
                    if other not in own:
                        out[other] = RELATED_TOPIC_WEIGHT
    return out


def pair_score(
    a_topics: Iterable[int],
    b_topics: Iterable[int],
    text_similarity: float,
    same_section: bool,
    idf: dict[int, float],
    related_topics: dict[int, float] | None = None,
) -> tuple[float, float, list[int]]:
    """(base score, topic score, shared topic ids) of candidate b for article a.

    The topic score is the cosine of the two articles' IDF-weighted topic sets: the shared topics'
    weight over ``sqrt(weight of a's topics · weight of b's)``, capped at 1. Unlike the share of a's
    topics that b carries, an article tagged with many topics is not alike to every article whose
    topics it contains. ``related_topics``: a's ``concept_related_topics``; b's topics among them
    add their share of a shared topic's weight."""
    a_set, b_set = set(a_topics), set(b_topics)
    shared = sorted(a_set & b_set, key=lambda pk: -idf.get(pk, 1.0))
    total_a = sum(idf.get(pk, 1.0) for pk in a_set)
    total_b = sum(idf.get(pk, 1.0) for pk in b_set)
    linked = sum(idf.get(pk, 1.0) * (related_topics or {}).get(pk, 0.0) for pk in b_set - a_set)
    overlap = sum(idf.get(pk, 1.0) for pk in shared) + linked
    topic_score = min(1.0, overlap / math.sqrt(total_a * total_b)) if total_a and total_b else 0.0
    base = (
        TEXT_WEIGHT * text_similarity
        + TOPIC_WEIGHT * topic_score
        + SECTION_WEIGHT * (1.0 if same_section else 0.0)
    )
    return round(base, 6), round(topic_score, 6), shared


def freshness(published: datetime.datetime | None, now: datetime.datetime) -> float:
    if published is None:
        return 0.85
    age_days = max(0.0, (now - published).total_seconds() / 86400)
    return 0.85 + 0.15 * math.exp(-age_days / FRESHNESS_HALF_LIFE_DAYS)


@dataclass
class RelatedCandidate:
    article: object
    base_score: float
    section_id: int | None
    author_ids: list[int]
    review_status: str
    shared_topic_names: list[str] = field(default_factory=list)
    same_section: bool = False
    text_score: float = 0.0
    section_title: str = ""
    topic_ids: tuple[int, ...] = ()


def related_reasons(candidate: RelatedCandidate) -> list[str]:
    reasons = [
        gettext("Also about %(topic)s") % {"topic": name.lower()} for name in candidate.shared_topic_names[:2]
    ]
    if candidate.same_section and candidate.section_title:
        reasons.append(gettext("More from %(section)s") % {"section": candidate.section_title})
    if candidate.text_score >= 0.1 or not reasons:
        reasons.append(gettext("Similar subject"))
    if candidate.review_status in ("reviewed", "review_due"):
        reasons.append(gettext("Expert-reviewed"))
    return reasons


def topic_likeness(a: Iterable[int], b: Iterable[int]) -> float:
    """Jaccard overlap of two articles' topic sets (0 when either has none)."""
    a_set, b_set = set(a), set(b)
    return len(a_set & b_set) / len(a_set | b_set) if a_set and b_set else 0.0


def rank_related(
    candidates: list[RelatedCandidate],
    *,
    limit: int,
    now: datetime.datetime,
    chosen_authors: Iterable[int] = (),
    chosen_sections: Iterable[int | None] = (),
    chosen_topics: Iterable[Iterable[int]] = (),
) -> list[tuple[RelatedCandidate, float]]:
    """At most ``limit`` candidates, chosen greedily (maximal marginal relevance): each time the
    best base score after the diversity discounts against those chosen before (picks included):
    ``× (1 − TOPIC_REPEAT_PENALTY · topic likeness to the most alike) × 0.8 per shared author ×
    0.9 per same section``. Scores are compared to two decimals; review status and then recency
    break ties, never outweigh relevance."""
    pool = [c for c in candidates if c.base_score >= MIN_RELATED_SCORE]
    authors: dict[int, int] = {}
    sections: dict[int | None, int] = {}
    topic_sets: list[frozenset[int]] = [frozenset(t) for t in chosen_topics]
    for pk in chosen_authors:
        authors[pk] = authors.get(pk, 0) + 1
    for pk in chosen_sections:
        sections[pk] = sections.get(pk, 0) + 1
    out: list[tuple[RelatedCandidate, float]] = []

    def effective(c: RelatedCandidate) -> float:
        repeats = max((authors.get(a, 0) for a in c.author_ids), default=0)
        likeness = max((topic_likeness(c.topic_ids, chosen) for chosen in topic_sets), default=0.0)
        return (
            c.base_score
            * (1.0 - TOPIC_REPEAT_PENALTY * likeness)
            * AUTHOR_REPEAT_FACTOR**repeats
            * SECTION_REPEAT_FACTOR ** sections.get(c.section_id, 0)
        )

    def key(c: RelatedCandidate):
        published = getattr(c.article, "first_published_at", None)
        return (
            round(effective(c), 2),
            REVIEW_FACTORS.get(c.review_status, 0.85),
            freshness(published, now),
            -c.article.pk,
        )

    while pool and len(out) < limit:
        best = max(pool, key=key)
        pool.remove(best)
        out.append((best, round(effective(best), 6)))
        for a in best.author_ids:
            authors[a] = authors.get(a, 0) + 1
        sections[best.section_id] = sections.get(best.section_id, 0) + 1
        topic_sets.append(frozenset(best.topic_ids))
    return out


# --- find support ------------------------------------------------------------------------------

TOPIC_PART, APPROACH_PART, TYPE_PART = 0.6, 0.25, 0.15
# Text relevance (BM25-like, between the article's need terms and the listing's profile) adds at
# most TEXT_PART: below MIN_RELEVANCE on its own, so words never bring a listing the concept
# vocabulary, its fits and the hard filters do not allow; it orders matches the vocabulary finds.
TEXT_PART = 0.1
BM25_K1, BM25_B = 1.2, 0.75
# Average fielded profile length assumed when the backend has no statistics (``avg_profile_length``).
DEFAULT_PROFILE_LENGTH = 20.0
# Context boosts: small and bounded. Their sum, ``CONTEXT_BOOST_MAX``, is the most locality (and
# being open to new clients) can add, so it reorders near-equal relevance but never lifts a match
# whose relevance is lower by more than ``CONTEXT_BOOST_MAX`` plus the rounding step (0.01) above a
# better one.
LANGUAGE_BOOST, COUNTRY_BOOST, NEAR_BOOST, ACCEPTING_BOOST = 0.1, 0.03, 0.02, 0.01
CONTEXT_BOOST_MAX = LANGUAGE_BOOST + COUNTRY_BOOST + NEAR_BOOST + ACCEPTING_BOOST
# The near boost falls linearly from NEAR_BOOST at 0 km to nothing at NEAR_KM.
NEAR_KM = 50
# Below this a card is not shown: two good cards beat three with an off-topic one. A kind of
# practitioner suited to the concern (0.15) or a specialty in one of the article's own topics
# passes; a single specialty in a loosely related concept of an article with several topics does not.
MIN_RELEVANCE = 0.15
# A practitioner whose specialties lie more than this much in joint (couples) work is "mainly couples
# work": not chosen where the article advises against joint sessions, whatever the listing type.
CENTRED_SHARE = 0.5
# Relevance is multiplied by ``competence ** COMPETENCE_POWER``: a practitioner with half their main
# area's weight on the need keeps a quarter of their relevance.
COMPETENCE_POWER = 2
# How many of the article's strongest need terms count as what it is most about (``competence``).
SALIENT_TERMS = 8
# A listing that matches only topics the article names in passing, none of its subject.
MENTION_ONLY_FACTOR = 0.5
GENERIC_TYPE_WORDS = frozenset(
    stem(w)
    for w in (
        "therapist",
        "therapy",
        "practitioner",
        "clinic",
        "service",
        "centre",
        "center",
        "brand",
        "provider",
        "counsellor",
        "counselor",
        "helpline",
        "line",
        "organisation",
    )
)
STEP_LOCAL, STEP_ONLINE_IN_LANGUAGE, STEP_EVERYWHERE = "local", "online_in_language", "everywhere"


@dataclass(frozen=True)
class ListingView:
    """The facts about a listing the ranking needs (built from a ``Listing`` or an index hit)."""

    id: int
    listing_type_id: int
    listing_type_name: str = ""
    is_clinical: bool = True
    is_crisis_resource: bool = False
    offers_joint_sessions: bool = False
    offers_in_person: bool = True
    offers_online: bool = False
    country: str = ""
    city: str = ""
    latitude: float | None = None
    longitude: float | None = None
    languages: frozenset[str] = frozenset()
    specialties: tuple[tuple[int, str], ...] = ()
    approaches: tuple[tuple[int, str], ...] = ()
    accepting_clients: bool = True
    is_active: bool = True
    verified: bool = True
    sponsored: bool = False
    # Fielded term frequencies of the profile (``text.profile_terms``), for text relevance.
    profile_terms: tuple[tuple[str, float], ...] = ()

    # A view is built once per listing and generation (the listing directory) and scored against
    # many queries: what scoring reads of its profile is worked out once, on first use.
    @functools.cached_property
    def profile_tf(self) -> dict[str, float]:
        return dict(self.profile_terms)

    @functools.cached_property
    def profile_length(self) -> float:
        return sum(self.profile_tf.values())

    @classmethod
    def from_listing(cls, listing) -> ListingView:
        """Needs ``listing_type`` selected and ``languages``/``specialties``/``approaches`` prefetched."""
        lt = listing.listing_type
        return cls(
            id=listing.pk,
            listing_type_id=lt.pk,
            listing_type_name=lt.name,
            is_clinical=lt.is_clinical,
            is_crisis_resource=lt.is_crisis_resource,
            offers_joint_sessions=lt.offers_joint_sessions,
            offers_in_person=listing.offers_in_person,
            offers_online=listing.offers_online,
            country=listing.country,
            city=listing.city,
            latitude=float(listing.latitude) if listing.latitude is not None else None,
            longitude=float(listing.longitude) if listing.longitude is not None else None,
            languages=frozenset(lang.code for lang in listing.languages.all()),
            specialties=tuple((t.pk, t.name) for t in listing.specialties.all()),
            approaches=tuple((a.pk, a.name) for a in listing.approaches.all()),
            accepting_clients=listing.accepting_clients,
            is_active=listing.is_active,
            verified=listing.verified,
            sponsored=listing.commercial_relationship != "none",
            profile_terms=profile_terms(
                listing.summary,
                lt.name,
                [t.name for t in listing.specialties.all()],
                [a.name for a in listing.approaches.all()],
            ),
        )


@dataclass(frozen=True)
class SupportQuery:
    """Everything find-support is asked, besides the candidates."""

    article_id: int
    topic_weights: dict[int, float]
    approach_ids: frozenset[int]
    terms: frozenset[str]
    is_sensitive: bool = False
    advises_against_joint_sessions: bool = False
    country: str | None = None
    language: str | None = None
    modality: str | None = None
    near: tuple[float, float] | None = None
    listing_type_id: int | None = None
    include_products: bool = False
    count: int = 2
    day: datetime.date = field(default_factory=datetime.date.today)
    title_terms: frozenset[str] = frozenset()
    # From the concept vocabulary (``recommendations.concepts.concept_need``).
    related_topic_weights: dict[int, float] = field(default_factory=dict)
    suited_types: dict[int, str] = field(default_factory=dict)
    excluded_type_ids: frozenset[int] = frozenset()
    # Listings the page already shows in an editors' group: an automatic group never repeats them.
    exclude_listing_ids: frozenset[int] = frozenset()
    # Text relevance: the article's salient need terms (``text.need_terms``), and the listing
    # profiles' statistics when the backend knows them (IDF per term, average profile length).
    need_terms: dict[str, float] = field(default_factory=dict)
    term_idf: dict[str, float] = field(default_factory=dict)
    avg_profile_length: float = 0.0
    # The competence model (``competence``): each topic's area of work (its root concept; a topic
    # without a concept is its own area) and the topics of joint (couples) work.
    topic_roots: dict[int, int] = field(default_factory=dict)
    joint_topic_ids: frozenset[int] = frozenset()
    # The article's subject: tagged topics and topics related to them (empty: not known).
    subject_topic_ids: frozenset[int] = frozenset()

    @functools.cached_property
    def salient_need_terms(self) -> frozenset[str]:
        """The ``SALIENT_TERMS`` strongest need terms, without the generic words of type names."""
        ranked = sorted(
            (t for t in self.need_terms if t not in GENERIC_TYPE_WORDS),
            key=lambda t: (-self.need_terms[t], t),
        )
        return frozenset(ranked[:SALIENT_TERMS])

    @functools.cached_property
    def need_areas(self) -> dict[int, float]:
        """``{area: weight}`` of the article's need: the areas of its topics, tagged (1) or named (0.5)."""
        areas: dict[int, float] = {}
        for topic_id, weight in self.topic_weights.items():
            area = self.topic_roots.get(topic_id, -topic_id)
            areas[area] = max(areas.get(area, 0.0), weight)
        return areas

    @property
    def has_signals(self) -> bool:
        return bool(self.topic_weights or self.approach_ids)

    @functools.cached_property
    def term_importance(self) -> dict[str, float]:
        """Each need term's weight times its IDF: what a term found in a profile is worth."""
        return {term: weight * self.term_idf.get(term, 1.0) for term, weight in self.need_terms.items()}

    @functools.cached_property
    def total_importance(self) -> float:
        return sum(self.term_importance.values())

    @functools.cached_property
    def total_topic_weight(self) -> float:
        return sum(self.topic_weights.values())

    def topic_weight(self, topic_id: int) -> float:
        """How much a listing's specialty counts: the article's own topic, else a related concept's."""
        return self.topic_weights.get(topic_id) or self.related_topic_weights.get(topic_id, 0.0)


@dataclass(frozen=True)
class Step:
    """One stage of widening. ``country``: required country; ``online``: must offer online sessions;
    ``language``: must speak it."""

    name: str
    country: str | None = None
    online: bool = False
    language: str | None = None


def widening_steps(q: SupportQuery) -> list[Step]:
    """Same country → online listings in the reader's language → everywhere (online)."""
    if q.country is None:
        return [Step(STEP_EVERYWHERE, online=q.modality == "online")]
    if q.modality == "in_person":
        return [Step(STEP_LOCAL, country=q.country)]
    steps = [Step(STEP_LOCAL, country=q.country, online=q.modality == "online")]
    if q.language:
        steps.append(Step(STEP_ONLINE_IN_LANGUAGE, online=True, language=q.language))
    steps.append(Step(STEP_EVERYWHERE, online=True))
    return steps


def hard_filter_violation(v: ListingView, q: SupportQuery) -> str | None:
    """Why ``v`` may never be shown for ``q``, or None. Checked on every candidate, whatever found it."""
    if not (v.is_active and v.verified):
        return "not active and verified"
    if not v.is_clinical and not q.include_products:
        return "product brand in a clinical group"
    if q.advises_against_joint_sessions and v.offers_joint_sessions:
        return "joint sessions advised against"
    if q.advises_against_joint_sessions and not v.is_crisis_resource and mainly_joint_work(v, q):
        return "mainly joint work, advised against"
    if (
        q.listing_type_id is not None
        and v.listing_type_id != q.listing_type_id
        and not (q.is_sensitive and v.is_crisis_resource)
    ):
        return "other listing type"
    if q.modality == "in_person":
        if not v.offers_in_person:
            return "does not see clients in person"
        if q.country and v.country != q.country:
            return "in person in another country"
    if q.modality == "online" and not v.offers_online:
        return "does not offer online sessions"
    if q.country and v.country != q.country and not v.offers_online:
        return "in person only, in another country"
    if v.is_crisis_resource and q.country and v.country != q.country:
        return "crisis service of another country"
    return None


def in_step(v: ListingView, step: Step) -> bool:
    if step.country and v.country != step.country:
        return False
    if step.online and not v.offers_online:
        return False
    return not (step.language and step.language not in v.languages)


@functools.lru_cache(maxsize=4096)
def name_tokens(name: str) -> frozenset[str]:
    """``tokens`` of a vocabulary or type name: ranking asks for the same few names per candidate."""
    return frozenset(tokens(name))


def type_affinity(type_name: str, terms: frozenset[str]) -> float:
    words = [t for t in name_tokens(type_name) if t not in GENERIC_TYPE_WORDS]
    return 1.0 if words and any(w in terms for w in words) else 0.0


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


@dataclass
class RankedListing:
    view: ListingView
    score: float
    relevance: float
    reasons: list[str]
    step: str


def _matched(v: ListingView, q: SupportQuery):
    specialties = [(pk, name) for pk, name in v.specialties if q.topic_weight(pk)]
    approaches = [(pk, name) for pk, name in v.approaches if pk in q.approach_ids]
    affinity = 0.0
    if q.has_signals and (v.listing_type_id in q.suited_types or type_affinity(v.listing_type_name, q.terms)):
        affinity = 1.0
    return specialties, approaches, affinity


def excluded_by_concept(v: ListingView, q: SupportQuery) -> bool:
    """A kind suited to a concern only as the subject (an integration coach), on another article."""
    return q.has_signals and v.listing_type_id in q.excluded_type_ids and not v.is_crisis_resource


def area_shares(v: ListingView, q: SupportQuery) -> dict[int, float]:
    """``{area: share}`` of the listing's specialties by area of work (``SupportQuery.topic_roots``)."""
    shares: dict[int, float] = {}
    for topic_id, _ in v.specialties:
        area = q.topic_roots.get(topic_id, -topic_id)
        shares[area] = shares.get(area, 0.0) + 1.0 / len(v.specialties)
    return shares


def competence(v: ListingView, q: SupportQuery) -> float:
    """How much of what the practitioner mainly does is the article's need, 0–1.

    The listing's specialties are grouped by area of work (a topic's root concept: "Couples
    therapy", "Trust and betrayal" and "Relationships" are one area). The share of its specialties
    in the article's need areas (weighted as the need: tagged 1, named 0.5) is divided by the share
    of its main area and capped at 1: a practitioner whose main area is the need scores 1, one with
    a single "anxiety" tag beside two tags of couples work 0.5, one with nothing in the need 0.
    A listing without specialties is not judged by them (1); nor is a kind of practitioner suited to
    the need whose profile names one of the article's salient need terms (``salient_need_terms``).
    The result is raised to ``COMPETENCE_POWER``."""
    shares = area_shares(v, q)
    if not shares:
        return 1.0
    on_need = sum(share * q.need_areas.get(area, 0.0) for area, share in shares.items())
    focus = min(1.0, on_need / max(shares.values()))
    if v.listing_type_id in q.suited_types and not q.salient_need_terms.isdisjoint(v.profile_tf):
        # A suited kind of practitioner whose tags miss the need but whose own words name what the
        # article is most about (a psychologist tagged "Anxiety" who works with couples).
        focus = 1.0
    return focus**COMPETENCE_POWER


def mainly_joint_work(v: ListingView, q: SupportQuery) -> bool:
    """More than ``CENTRED_SHARE`` of the listing's specialties are joint (couples) work."""
    if not v.specialties or not q.joint_topic_ids:
        return False
    joint = sum(1 for topic_id, _ in v.specialties if topic_id in q.joint_topic_ids)
    return joint / len(v.specialties) > CENTRED_SHARE


def reader_distance_km(v: ListingView, q: SupportQuery) -> float | None:
    """How far the reader (``near``) is from where ``v`` sees clients in person, when both are known."""
    if q.near is None or not v.offers_in_person or v.latitude is None or v.longitude is None:
        return None
    return distance_km(q.near, (v.latitude, v.longitude))


def context_boost(v: ListingView, q: SupportQuery) -> float:
    """Locality and availability, at most ``CONTEXT_BOOST_MAX``: a boost, never a fill order."""
    boost = ACCEPTING_BOOST if v.accepting_clients else 0.0
    if q.country and v.country == q.country:
        boost += COUNTRY_BOOST
    if q.language and q.language in v.languages:
        boost += LANGUAGE_BOOST
    km = reader_distance_km(v, q)
    if km is not None and km < NEAR_KM:
        boost += NEAR_BOOST * (1.0 - km / NEAR_KM)
    return boost


def text_relevance(v: ListingView, q: SupportQuery) -> float:
    """BM25 of the listing's profile for the article's need terms, scaled to 0–1: each term's
    saturated frequency ``tf·(k1+1) / (tf + k1·(1 − b + b·len/avg))`` times its IDF and its need
    weight, over the most the query could reach (every term saturated)."""
    if not q.need_terms or not v.profile_terms:
        return 0.0
    importance = q.term_importance
    norm = BM25_K1 * (
        1 - BM25_B + BM25_B * v.profile_length / (q.avg_profile_length or DEFAULT_PROFILE_LENGTH)
    )
    most = q.total_importance * (BM25_K1 + 1)
    # Over the profile's few terms rather than the article's many: the same sum.
    reached = sum(
        importance[term] * f * (BM25_K1 + 1) / (f + norm)
        for term, f in v.profile_tf.items()
        if term in importance
    )
    return min(1.0, reached / most) if most else 0.0


def listing_score(v: ListingView, q: SupportQuery, floor: float = 0.0) -> tuple[float, float] | None:
    """``(score, relevance)`` of a candidate, as ``score_listing`` gives them, without its reasons:
    ``plan_support`` ranks every candidate by these and writes reasons for the chosen only.
    ``score = relevance + context_boost``. ``None`` when the relevance cannot reach ``floor``
    whatever the text says (the factors below only lower it): most candidates of a large directory
    stop there, before the costlier text and competence."""
    specialties, approaches, affinity = _matched(v, q)
    total_topic = q.total_topic_weight
    topic_part = sum(q.topic_weight(pk) for pk, _ in specialties) / total_topic if total_topic else 0.0
    approach_part = len(approaches) / len(q.approach_ids) if q.approach_ids else 0.0
    relevance = TOPIC_PART * min(1.0, topic_part) + APPROACH_PART * approach_part + TYPE_PART * affinity
    if relevance + TEXT_PART < floor:
        return None
    relevance += TEXT_PART * text_relevance(v, q)
    if q.has_signals:
        relevance *= competence(v, q)
        if (
            specialties
            and q.subject_topic_ids
            and not any(pk in q.subject_topic_ids for pk, _ in specialties)
        ):
            # Only the article's passing mentions match: not what the reader came for.
            relevance *= MENTION_ONLY_FACTOR
    if excluded_by_concept(v, q) or (v.is_crisis_resource and not q.is_sensitive and q.has_signals):
        relevance = 0.0
    return round(relevance + context_boost(v, q), 6), round(relevance, 6)


def distance_phrase(km: float) -> str:
    """A distance as a reader wants it: "less than 1 km", "3 km", "about 45 km", "about 410 km"."""
    if km < 1:
        return gettext("less than 1 km")
    if km < 10:
        return gettext("%(km)d km") % {"km": round(km)}
    step = 5 if km < 100 else 10
    return gettext("about %(km)d km") % {"km": step * round(km / step)}


def location_reason(v: ListingView, q: SupportQuery) -> str | None:
    """ "In Munich, 3 km from you" for an in-person listing when the reader gave ``near`` (and the
    listing is in the reader's country, or the country is not known); None otherwise."""
    km = reader_distance_km(v, q)
    if km is None or (q.country is not None and v.country != q.country):
        return None
    distance = distance_phrase(km)
    if v.city:
        return gettext("In %(city)s, %(distance)s from you") % {"city": v.city, "distance": distance}
    return gettext("%(distance)s from you") % {"distance": distance[:1].upper() + distance[1:]}


def score_listing(v: ListingView, q: SupportQuery, step: Step) -> RankedListing:
    score, relevance = listing_score(v, q)
    specialties, approaches, affinity = _matched(v, q)
    # Reasons name what the article is most about first: tagged before mentioned, then the title's words.
    matched = sorted(
        specialties,
        key=lambda item: (-q.topic_weight(item[0]), not name_tokens(item[1]) & q.title_terms, item[1]),
    )
    reasons: list[str] = []
    if v.is_crisis_resource:
        reasons.append(gettext("Crisis support service"))
    suited_for = q.suited_types.get(v.listing_type_id) if q.has_signals else None
    if suited_for:
        reasons.append(
            gettext("%(kind)s: works with %(concern)s")
            % {"kind": v.listing_type_name, "concern": suited_for.lower()}
        )
    reasons += [gettext("Specialises in %(topic)s") % {"topic": name.lower()} for _, name in matched[:2]]
    reasons += [gettext("Works with %(approach)s") % {"approach": name} for _, name in approaches[:2]]
    if affinity and not matched and not suited_for:
        reasons.append(f"{v.listing_type_name}")
    located = location_reason(v, q)
    if located:
        reasons.append(located)
    if q.modality != "in_person" and v.offers_online:
        reasons.append(gettext("Offers online sessions"))
    elif v.offers_in_person and not located:
        reasons.append(
            gettext("Sees clients in person in %(city)s") % {"city": v.city}
            if v.city
            else gettext("Sees clients in person")
        )
    if q.country and v.country == q.country:
        reasons.append(gettext("Based in %(country)s") % {"country": country_in_sentence(v.country)})
    if q.language and q.language in v.languages:
        reasons.append(gettext("Speaks %(language)s") % {"language": language_name(q.language)})
    if v.accepting_clients and not v.is_crisis_resource:
        reasons.append(gettext("Accepting new clients"))
    return RankedListing(v, score, relevance, reasons, step.name)


def rotation_key(article_id: int, day: datetime.date, listing_id: int) -> str:
    return hashlib.sha256(f"{article_id}:{day.isoformat()}:{listing_id}".encode()).hexdigest()


def rank_key(v: ListingView, score: float, q: SupportQuery) -> tuple:
    """Best score first (to two decimals); for an in-person request with ``near``, the nearer
    (whole km; listings without a known place last); then a rotation seeded by article and day."""
    by_distance = 0
    if q.modality == "in_person" and q.near is not None:
        km = reader_distance_km(v, q)
        by_distance = round(km) if km is not None else math.inf
    return (-round(score, 2), by_distance, rotation_key(q.article_id, q.day, v.id))


def order_fairly(items: list[RankedListing], q: SupportQuery) -> list[RankedListing]:
    """In ``rank_key`` order: best first, rotating among equals."""
    return sorted(items, key=lambda r: rank_key(r.view, r.score, q))


def best_fairly(scored: list[tuple[ListingView, float]], n: int, q: SupportQuery) -> list[ListingView]:
    """The first ``n`` of ``scored`` (view, score) pairs in ``rank_key`` order, hashing only the
    candidates whose rounded score reaches the ``n``-th best (the rest cannot be among them)."""
    if n <= 0 or not scored:
        return []
    by_score = sorted(scored, key=lambda item: -round(item[1], 2))
    if len(by_score) > n:
        cutoff = round(by_score[n - 1][1], 2)
        by_score = [item for item in by_score if round(item[1], 2) >= cutoff]
    by_score.sort(key=lambda item: rank_key(item[0], item[1], q))
    return [v for v, _ in by_score[:n]]


@dataclass
class SupportPlan:
    ranked: list[RankedListing]
    widened_to: str | None
    notice: str


def crisis_slots(count: int) -> int:
    return max(1, math.ceil(count / 2))


# ``shortlist``: how far below the ``count``-th best estimate a candidate may be and still be
# scored exactly (above ``rank_key``'s rounding step of 0.01), and how close to ``MIN_RELEVANCE`` an
# estimate must be to be checked exactly (far above the model's own rounding to six decimals).
ESTIMATE_MARGIN = 0.02
ESTIMATE_EPSILON = 1e-5


def shortlist(
    candidates: list[ListingView],
    q: SupportQuery,
    estimate: Callable[[int], tuple[float, float]],
    step_of: dict[int, int],
) -> list[ListingView]:
    """The candidates ``plan_support`` must score exactly, given an ``estimate(id) -> (score,
    relevance)`` of ``listing_score`` that is off by less than ``ESTIMATE_EPSILON``; in their order.

    Kept: crisis services of a sensitive article (few; they lead whatever their relevance); every
    candidate that may reach ``MIN_RELEVANCE`` and whose estimate is within ``ESTIMATE_MARGIN`` of the
    ``q.count``-th best *certainly relevant* one (any other ranks below at least ``q.count`` shown
    ones); and enough of the first step's for the notice's count ("only 1 option in …"): its
    ``q.count`` best when that many are certainly relevant, else every one that may be.
    """
    certain: list[tuple[float, ListingView]] = []
    plausible: list[tuple[float, ListingView]] = []
    kept: set[int] = set()
    signals = q.has_signals
    for v in candidates:
        if v.is_crisis_resource and q.is_sensitive:
            kept.add(v.id)
            continue
        score, relevance = estimate(v.id)
        if not signals or relevance >= MIN_RELEVANCE + ESTIMATE_EPSILON:
            certain.append((score, v))
        if not signals or relevance >= MIN_RELEVANCE - ESTIMATE_EPSILON:
            plausible.append((score, v))
    if len(certain) >= q.count:
        bar = sorted((score for score, _ in certain), reverse=True)[q.count - 1] - ESTIMATE_MARGIN
    else:
        bar = -math.inf
    kept.update(v.id for score, v in plausible if score >= bar)
    first_step = sorted(((score, v) for score, v in certain if step_of[v.id] == 0), key=lambda item: -item[0])
    if len(first_step) >= q.count:
        kept.update(v.id for _, v in first_step[: q.count])
    else:
        kept.update(v.id for _, v in plausible if step_of[v.id] == 0)
    return [v for v in candidates if v.id in kept]


def plan_support(
    q: SupportQuery,
    fetch: Callable[[Step, set[int]], list[ListingView]],
    estimate: Callable[[int], tuple[float, float]] | None = None,
) -> SupportPlan:
    """Gathers candidates from every widening step (``fetch(step, exclude_ids)``), then ranks them
    together: relevance first, locality only as a bounded boost (``context_boost``).

    A candidate is kept only if it passes every hard filter, is not already shown on the page
    (``q.exclude_listing_ids``) and (when the article gives anything to match on) reaches
    ``MIN_RELEVANCE``; crisis resources lead on sensitive articles. ``widened_to`` is the widest
    step a shown card needed: the first step it belongs to, not the step that was being filled.
    ``estimate``: ``listing_score`` for any candidate's id, worked out in bulk (``columns``); when
    given, only the candidates that could be shown are scored one by one (``shortlist``).
    """
    steps = widening_steps(q)
    seen: set[int] = set(q.exclude_listing_ids)
    candidates: list[ListingView] = []
    step_of: dict[int, int] = {}
    for index, step in enumerate(steps):
        for v in fetch(step, seen):
            if v.id in seen or not in_step(v, step) or hard_filter_violation(v, q) is not None:
                continue
            seen.add(v.id)
            step_of[v.id] = index
            candidates.append(v)
    if estimate is not None:
        candidates = shortlist(candidates, q, estimate, step_of)
    found: list[tuple[ListingView, float]] = []
    crisis: list[tuple[ListingView, float]] = []
    crisis_relevance: dict[int, float] = {}
    for v in candidates:
        # Crisis resources on a sensitive article are ranked whatever their relevance.
        kept_anyway = not q.has_signals or (v.is_crisis_resource and q.is_sensitive)
        scored = listing_score(v, q, floor=0.0 if kept_anyway else MIN_RELEVANCE)
        if scored is None:
            continue
        score, relevance = scored
        if v.is_crisis_resource and q.is_sensitive:
            crisis.append((v, score))
            crisis_relevance[v.id] = relevance
        elif relevance >= MIN_RELEVANCE or not q.has_signals:
            found.append((v, score))
    # One crisis line always leads; more only when they are relevant to the article's need (a
    # domestic-abuse line is not a second answer on a self-harm article).
    leading = best_fairly(crisis, 1, q) if q.is_sensitive else []
    relevant_crisis = [
        (v, score)
        for v, score in crisis
        if v not in leading and (crisis_relevance[v.id] >= MIN_RELEVANCE or not q.has_signals)
    ]
    leading += best_fairly(relevant_crisis, crisis_slots(q.count) - len(leading), q) if leading else []
    needed = q.count - len(leading)
    chosen = best_fairly(found, needed, q)
    # Reasons are written for the shown only.
    ranked = [score_listing(v, q, steps[step_of[v.id]]) for v in leading + chosen]
    widest = max((step_of[v.id] for v in chosen), default=0)
    widened_to = steps[widest].name if widest > 0 else None
    few_local = sum(1 for v, _ in found if step_of[v.id] == 0) < needed
    return SupportPlan(ranked, widened_to, _notice(q, widened_to, len(ranked), few_local=few_local))


# Countries whose English name is written with "the" inside a sentence.
COUNTRIES_WITH_ARTICLE = frozenset(
    {
        "AE",
        "BS",
        "CD",
        "CF",
        "CG",
        "DO",
        "GB",
        "GM",
        "KM",
        "KY",
        "MH",
        "MV",
        "NL",
        "PH",
        "SB",
        "TC",
        "US",
        "VA",
        "VG",
    }
)


def country_in_sentence(code: str) -> str:
    """The country's name as written after "in": "the Netherlands", "the United States", "Germany"."""
    name = country_name(code)
    return gettext("the %(country)s") % {"country": name} if code in COUNTRIES_WITH_ARTICLE else name


def _notice(q: SupportQuery, widened_to: str | None, found: int, *, few_local: bool = True) -> str:
    """What the shown set needed, in words. ``few_local``: the reader's country alone had fewer
    relevant matches than the group shows (else the cards from abroad are there on their merit)."""
    where = country_in_sentence(q.country) if q.country else ""
    language = language_name(q.language or "")
    if widened_to == STEP_ONLINE_IN_LANGUAGE and few_local:
        return gettext("Few matches in %(country)s, so we also show online options in %(language)s.") % {
            "country": where,
            "language": language,
        }
    if widened_to == STEP_ONLINE_IN_LANGUAGE:
        return gettext(
            "We also show online options in %(language)s from outside %(country)s that match this "
            "article more closely."
        ) % {"country": where, "language": language}
    if widened_to == STEP_EVERYWHERE and few_local:
        return gettext("Few matches in %(country)s, so we also show online options from other countries.") % {
            "country": where
        }
    if widened_to == STEP_EVERYWHERE:
        return gettext(
            "We also show online options from outside %(country)s that match this article more closely."
        ) % {"country": where}
    if found < q.count and q.modality == "in_person" and where:
        if found == 0:
            return gettext("No in-person options in %(country)s match this article.") % {"country": where}
        return ngettext(
            "Only %(count)d in-person option in %(country)s matches this article.",
            "Only %(count)d in-person options in %(country)s match this article.",
            found,
        ) % {"count": found, "country": where}
    return ""
