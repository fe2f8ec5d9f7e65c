"""The concept vocabulary as find support reads it: concerns, their broader concerns, the topics
that name them, and which kinds of practitioner suit them.

An article needs help with the concepts of its topics (tagged: its subject; named in the text: a
mention). A listing is competent in the concepts of its specialties. The two meet through the
hierarchy: a psychologist specialising in "Relationships" is relevant to an article about
infidelity, because infidelity sits under trust and betrayal, under relationship problems. A listing
type that suits a concern suits every narrower concern too; a type that suits a concern only as the
subject (an integration coach and psychedelic experiences) is never suggested elsewhere, whatever
words the article happens to use.

``ConceptGraph`` is plain data, loaded in four queries and remembered per content generation (a
save of a concept or a fit renews the generation), so a find-support request adds no query; what
the competence model derives from it (each topic's area of work, the topics of joint work) is
computed once per graph.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

# A topic reached through a related concept counts this share of the weight of the article's own.
RELATED_CONCEPT_WEIGHT = 0.4

SUITS, ONLY_AS_SUBJECT = "suits", "only_as_subject"


@dataclass
class ConceptGraph:
    names: dict[int, str] = field(default_factory=dict)
    broader: dict[int, set[int]] = field(default_factory=dict)
    topic_concepts: dict[int, set[int]] = field(default_factory=dict)
    concept_topics: dict[int, set[int]] = field(default_factory=dict)
    fits: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    # Listing types that offer joint (couples) sessions, among the fitted ones.
    joint_type_ids: set[int] = field(default_factory=set)

    @classmethod
    def load(cls) -> ConceptGraph:
        from .models import Concept, ListingTypeFit

        graph = cls()
        graph.names = dict(Concept.objects.values_list("pk", "name"))
        for from_id, to_id in Concept.broader.through.objects.values_list("from_concept_id", "to_concept_id"):
            graph.broader.setdefault(from_id, set()).add(to_id)
        for concept_id, topic_id in Concept.topics.through.objects.values_list("concept_id", "topic_id"):
            graph.topic_concepts.setdefault(topic_id, set()).add(concept_id)
            graph.concept_topics.setdefault(concept_id, set()).add(topic_id)
        for concept_id, type_id, rule, joint in ListingTypeFit.objects.order_by(
            "sort_order", "pk"
        ).values_list("concept_id", "listing_type_id", "rule", "listing_type__offers_joint_sessions"):
            graph.fits.setdefault(concept_id, []).append((type_id, rule))
            if joint:
                graph.joint_type_ids.add(type_id)
        return graph

    def ancestors(self, concept_id: int) -> list[int]:
        """``concept_id`` and every broader concept, nearest first (safe against cycles)."""
        out, frontier, seen = [], [concept_id], {concept_id}
        while frontier:
            out += frontier
            nxt = []
            for pk in frontier:
                for up in sorted(self.broader.get(pk, ())):
                    if up not in seen:
                        seen.add(up)
                        nxt.append(up)
            frontier = nxt
        return out

    def descendants(self, concept_id: int) -> set[int]:
        narrower: dict[int, set[int]] = {}
        for pk, ups in self.broader.items():
            for up in ups:
                narrower.setdefault(up, set()).add(pk)
        out, frontier = set(), [concept_id]
        while frontier:
            pk = frontier.pop()
            for down in narrower.get(pk, ()):
                if down not in out and down != concept_id:
                    out.add(down)
                    frontier.append(down)
        return out

    def root(self, concept_id: int) -> int:
        """The broadest concept above ``concept_id`` (the lowest id among several; itself if none)."""
        ancestors = self.ancestors(concept_id)
        tops = [pk for pk in ancestors if not self.broader.get(pk, set()) - {pk}]
        return min(tops or ancestors)

    @functools.cached_property
    def topic_roots(self) -> dict[int, int]:
        """``{topic id: root concept id}`` for every topic that names a concept: a practitioner's
        specialties under one root are one area of work ("Couples therapy", "Trust and betrayal" and
        "Relationships" are all relationship work). Topics without a concept are their own area."""
        return {
            topic_id: min(self.root(c) for c in concepts)
            for topic_id, concepts in self.topic_concepts.items()
        }

    @functools.cached_property
    def joint_work_topic_ids(self) -> frozenset[int]:
        """Topics of the concerns a joint-session kind of practitioner suits (and their narrower
        concerns): work done mainly with couples. Editors say which through the fits and the listing
        type's "offers joint sessions" flag; nothing else marks it."""
        concepts: set[int] = set()
        for concept_id, fits in self.fits.items():
            if any(rule == SUITS and type_id in self.joint_type_ids for type_id, rule in fits):
                concepts |= {concept_id, *self.descendants(concept_id)}
        return frozenset(t for c in concepts for t in self.concept_topics.get(c, ()))

    def concepts_of(self, topic_ids: Iterable[int]) -> list[int]:
        return sorted({c for t in topic_ids for c in self.topic_concepts.get(t, ())})

    def restricted_type_ids(self) -> set[int]:
        return {t for fits in self.fits.values() for t, rule in fits if rule == ONLY_AS_SUBJECT}


@dataclass(frozen=True)
class ConceptNeed:
    """What an article's concepts add to a find-support query."""

    related_topic_weights: dict[int, float]
    suited_types: dict[int, str]
    excluded_type_ids: frozenset[int]
    # The article's own topic weights, without joint work where the article advises against it.
    topic_weights: dict[int, float] = field(default_factory=dict)
    topic_roots: dict[int, int] = field(default_factory=dict)
    joint_topic_ids: frozenset[int] = frozenset()
    # The subject's topics: the tagged ones and those related to them (not to mentions).
    subject_topic_ids: frozenset[int] = frozenset()


def concept_need(
    graph: ConceptGraph,
    topic_weights: dict[int, float],
    subject_topic_ids: Iterable[int],
    *,
    advises_against_joint: bool = False,
) -> ConceptNeed:
    """The need of an article with ``topic_weights`` (tagged 1.0, mentioned less) as concepts.

    - ``related_topic_weights``: topics of broader and narrower concepts than the article's own, at
      ``RELATED_CONCEPT_WEIGHT`` of the weight of the topic that led there (not the article's topics);
    - ``suited_types``: listing type id → the article's own concept it suits (for the reason). Only
      the subject (tagged topics) makes a kind of practitioner suited: a passing mention of
      relationships on a self-harm article does not make every psychologist a match. Mentions do
      when the article has no tagged topic;
    - ``excluded_type_ids``: types suited only where a concept is the subject, when it is not;
    - ``topic_weights``: ``topic_weights`` itself, except that where the article advises against
      joint sessions (``advises_against_joint``) joint work (``joint_work_topic_ids``) is no part of
      its need: no topic of it counts, no kind of practitioner suits through it, no reason cites it;
    - ``topic_roots``, ``joint_topic_ids``: for the competence model (``scoring.competence``).
    """
    joint = graph.joint_work_topic_ids
    if advises_against_joint:
        topic_weights = {t: w for t, w in topic_weights.items() if t not in joint}
    subject = set(subject_topic_ids) & set(topic_weights)
    any_subject = bool(subject)
    subject_related: set[int] = set()
    related: dict[int, float] = {}
    suited: dict[int, tuple[int, str]] = {}
    allowed_restricted: set[int] = set()
    for topic_id, weight in sorted(topic_weights.items(), key=lambda item: (-item[1], item[0])):
        is_subject = topic_id in subject
        for concept_id in sorted(graph.topic_concepts.get(topic_id, ())):
            ancestors = graph.ancestors(concept_id)
            for distance, up in enumerate(ancestors):
                for t in graph.concept_topics.get(up, ()):
                    if t not in topic_weights and distance:
                        related[t] = max(related.get(t, 0.0), RELATED_CONCEPT_WEIGHT * weight)
                        if is_subject:
                            subject_related.add(t)
                for type_id, rule in graph.fits.get(up, ()):
                    if not is_subject and (any_subject or rule == ONLY_AS_SUBJECT):
                        continue
                    if rule == ONLY_AS_SUBJECT:
                        allowed_restricted.add(type_id)
                    # The article's most specific concern names the reason ("trust and betrayal", not
                    # "relationship problems"); its subject before its mentions.
                    rank = (0 if is_subject else 1, -len(ancestors), distance)
                    if type_id not in suited or rank < suited[type_id][0]:
                        suited[type_id] = (rank, graph.names.get(concept_id, ""))
            for down in graph.descendants(concept_id):
                for t in graph.concept_topics.get(down, ()):
                    if t not in topic_weights:
                        related[t] = max(related.get(t, 0.0), RELATED_CONCEPT_WEIGHT * weight)
                        if is_subject:
                            subject_related.add(t)
    if advises_against_joint:
        related = {t: w for t, w in related.items() if t not in joint}
    excluded = graph.restricted_type_ids() - allowed_restricted
    return ConceptNeed(
        related_topic_weights=related,
        suited_types={t: name for t, (_, name) in suited.items() if t not in excluded},
        excluded_type_ids=frozenset(excluded),
        topic_weights=dict(topic_weights),
        topic_roots=graph.topic_roots,
        joint_topic_ids=joint,
        subject_topic_ids=frozenset(
            (subject | subject_related) - (joint if advises_against_joint else set())
        ),
    )


def concept_graph(generation: str | None = None) -> ConceptGraph:
    """This generation's graph, kept on its read model (``articles.readmodel``); loaded afresh
    without a generation."""
    if generation is None:
        return ConceptGraph.load()
    from articles.readmodel import read_model

    return read_model(generation).derive("recommendations.concept-graph", ConceptGraph.load)


# --- defaults -------------------------------------------------------------------------------------

DEFAULT_CONCEPTS = [
    # name, synonyms, broader, topic slugs, [(listing type slug, rule)]
    (
        "Relationship problems",
        "relationship difficulties, couple problems, marriage problems",
        [],
        ["relationships", "couples-therapy", "communication"],
        [("couples-therapist", SUITS), ("psychologist", SUITS)],
    ),
    (
        "Trust and betrayal",
        "broken trust, betrayal",
        ["Relationship problems"],
        ["trust-and-betrayal", "trust-and-infidelity"],
        [],
    ),
    ("Infidelity", "affair, cheating, unfaithfulness", ["Trust and betrayal"], [], []),
    (
        "Psychedelic experiences",
        "psychedelics, psilocybin, ayahuasca",
        [],
        ["psychedelic-integration"],
        [("integration-coach", ONLY_AS_SUBJECT)],
    ),
]


def ensure_default_concepts(concept_model, fit_model, topic_model, listing_type_model) -> int:
    """Creates the shipped concepts that are missing and links the topics and listing types that
    exist, by slug; never removes what editors wrote. Returns how many concepts it created. Takes the
    models so that a data migration can pass its historical ones (hence the through tables)."""
    broader_through = concept_model.broader.through
    topics_through = concept_model.topics.through
    created = 0
    for name, synonyms, broader, topic_slugs, fits in DEFAULT_CONCEPTS:
        concept, new = concept_model.objects.get_or_create(name=name, defaults={"synonyms": synonyms})
        created += new
        if new:
            for parent in concept_model.objects.filter(name__in=broader):
                broader_through.objects.get_or_create(from_concept_id=concept.pk, to_concept_id=parent.pk)
        for topic in topic_model.objects.filter(slug__in=topic_slugs):
            topics_through.objects.get_or_create(concept_id=concept.pk, topic_id=topic.pk)
        for slug, rule in fits:
            listing_type = listing_type_model.objects.filter(slug=slug).first()
            if listing_type is not None:
                fit_model.objects.get_or_create(
                    concept_id=concept.pk, listing_type_id=listing_type.pk, defaults={"rule": rule}
                )
    return created


def ensure_default_vocabulary() -> int:
    """``ensure_default_concepts`` with the current models (the demo loader and evaluation call it
    after creating topics and listing types)."""
    from experts.models import ListingType, Topic

    from .models import Concept, ListingTypeFit

    return ensure_default_concepts(Concept, ListingTypeFit, Topic, ListingType)
