"""Elasticsearch queries of the recommendation engine, built with ``elasticsearch.dsl`` as plain dicts.

Kept apart from documents and views so they can be tested as data: each function returns the
exact request body sent to ``_search``.

Related articles: ``more_like_this`` over title, standfirst, headings and FAQ, body and topic names
(like the article's own document; BM25 on each field, the salient fields boosted) OR shared topics
OR topics linked through the concept vocabulary, inside a ``function_score`` that adds a little for
the same section, freshness and a current expert review; under a sensitive article that advises
against joint sessions, articles about a joint format are excluded. ``min_term_freq=1`` and ``min_doc_freq=1``
keep it working on a small magazine, where the defaults (2 and 5) drop almost every term.

Find support: every hard filter in ``filter`` clauses (never scored, never violated), relevance
from specialties, approaches and fitting listing types in ``should`` clauses (one must match), and
the article's need terms as a ``multi_match`` over the listing profile's fields, which only scores.
The competence model (``scoring.competence``) is applied by the shared ranking on the hits; the query
follows it where it can: the need's topics and suited types come from ``concept_need`` (no joint
work where the article advises against it, suited types from the subject only), and crisis services
are left out of articles that are not sensitive.
"""

from __future__ import annotations

from elasticsearch.dsl import Q, Search

from .scoring import Step, SupportQuery
from .text import PROFILE_FIELD_WEIGHTS

MLT_FIELDS = ["title^3", "standfirst^2", "headings^2", "body", "topic_names^2"]
# Candidates carrying a topic linked to the article's through the concept vocabulary.
LINKED_TOPIC_BOOST = 0.8


def related_query(
    alias: str,
    article_id: int,
    *,
    topic_ids: list[int],
    exclude_ids: list[int],
    size: int,
    linked_topic_ids: list[int] = (),
    exclude_joint_formats: bool = False,
) -> dict:
    """Candidates for article ``article_id``'s related articles, scored by text likeness alone.

    ``more_like_this`` finds and scores articles alike in words; articles sharing a topic or a
    linked topic are candidates too, at no score of their own (a filter-only clause), since the
    shared formula weighs topics itself. The article is returned as well (``include``): its own
    score is the most any hit can reach and scales the others to 0–1.
    ``exclude_joint_formats``: the article advises against joint sessions
    (``formats.advises_against_joint_format``), so articles about them are never candidates.
    Sections, recency and review status weigh in the shared ranking (``scoring.rank_related``),
    not here."""
    mlt = Q(
        "more_like_this",
        fields=MLT_FIELDS,
        like=[{"_index": alias, "_id": str(article_id)}],
        min_term_freq=1,
        min_doc_freq=1,
        max_query_terms=50,
        minimum_should_match="10%",
        include=True,
    )
    should = [mlt]
    topics = sorted(set(topic_ids) | set(linked_topic_ids))
    if topics:
        should.append(Q("bool", filter=[Q("terms", topic_ids=topics)]))
    must_not = []
    excluded = sorted(set(exclude_ids) - {article_id})
    if excluded:
        must_not.append(Q("ids", values=[str(pk) for pk in excluded]))
    if exclude_joint_formats:
        must_not.append(Q("term", about_joint_format=True))
    query = Q("bool", should=should, minimum_should_match=1, must_not=must_not)
    search = Search().query(query).source(["article_id", "topic_ids", "section_id"]).extra(size=size + 1)
    return search.to_dict()


# Listing profile fields for find support's text relevance, boosted as ``text.PROFILE_FIELD_WEIGHTS``.
PROFILE_TEXT_FIELDS = [
    f"specialty_names^{PROFILE_FIELD_WEIGHTS['specialties']}",
    f"approach_names^{PROFILE_FIELD_WEIGHTS['approaches']}",
    f"listing_type_name^{PROFILE_FIELD_WEIGHTS['type']}",
    f"summary^{PROFILE_FIELD_WEIGHTS['summary']}",
]
TEXT_BOOST = 0.2


def support_query(
    q: SupportQuery, step: Step, *, affine_type_ids: list[int], exclude_ids: list[int], size: int
) -> dict:
    filters = [Q("term", is_active=True), Q("term", verified=True)]
    must_not = []
    crisis = Q("term", is_crisis_resource=True)
    if not q.include_products:
        filters.append(Q("term", is_clinical=True))
    if q.advises_against_joint_sessions:
        # Joint work's topics are already out of ``q.topic_weights`` (``concepts.concept_need``); a
        # practitioner mainly doing it is excluded by ``plan_support`` on the hits.
        must_not.append(Q("term", offers_joint_sessions=True))
    if not q.is_sensitive and q.has_signals:
        # Crisis services lead on sensitive articles and are not suggested elsewhere (``listing_score``).
        must_not.append(crisis)
    if q.listing_type_id is not None:
        same_type = Q("term", listing_type_id=q.listing_type_id)
        filters.append(
            Q("bool", should=[same_type, crisis], minimum_should_match=1) if q.is_sensitive else same_type
        )
    if q.modality == "in_person":
        filters.append(Q("term", offers_in_person=True))
    elif q.modality == "online":
        filters.append(Q("term", offers_online=True))
    if q.country:
        filters.append(
            Q(
                "bool",
                should=[Q("term", country=q.country), Q("term", offers_online=True)],
                minimum_should_match=1,
            )
        )
        must_not.append(Q("bool", filter=[crisis], must_not=[Q("term", country=q.country)]))
        if q.modality == "in_person":
            filters.append(Q("term", country=q.country))
    if step.country:
        filters.append(Q("term", country=step.country))
    if step.online:
        filters.append(Q("term", offers_online=True))
    if step.language:
        filters.append(Q("term", languages=step.language))
    if exclude_ids:
        must_not.append(Q("ids", values=[str(pk) for pk in sorted(exclude_ids)]))
    weights = {**q.related_topic_weights, **q.topic_weights}
    should = [
        Q("term", specialty_ids={"value": pk, "boost": weight}) for pk, weight in sorted(weights.items())
    ]
    if q.approach_ids:
        should.append(Q("terms", approach_ids=sorted(q.approach_ids), boost=0.5))
    if affine_type_ids:
        should.append(Q("terms", listing_type_id=sorted(affine_type_ids), boost=0.3))
    if q.is_sensitive:
        should.append(Q("term", is_crisis_resource={"value": True, "boost": 2.0}))
    must = []
    if q.need_terms:
        # The profile's text orders candidates, never admits one: a clause that always matches
        # (match_all, boost 0) and adds the engine's own BM25 over the profile fields, boosted as
        # the database's ``text.PROFILE_FIELD_WEIGHTS``, when the need terms occur there.
        text = Q(
            "multi_match",
            query=" ".join(sorted(q.need_terms, key=lambda t: (-q.need_terms[t], t))),
            fields=PROFILE_TEXT_FIELDS,
            type="most_fields",
            boost=TEXT_BOOST,
        )
        must.append(Q("bool", should=[text, Q("match_all", boost=0.0)], minimum_should_match=1))
    query = Q(
        "bool",
        filter=filters,
        must=must,
        must_not=must_not,
        should=should,
        minimum_should_match=1 if q.has_signals else 0,
    )
    return Search().query(query).source(["listing_id"]).extra(size=size).to_dict()
