"""Formats an article can advise against, and which articles are about them.

A safety note may say that joint sessions (couples or family work) are not appropriate, as on an
article about coercive control, where what is said in the room can be punished at home. On a
sensitive article (find support's scope for the rule), find support then never suggests a
practitioner type offering joint sessions, and the related model never suggests an article whose
subject is the format: an article tagged with a topic that names it.

Which topics name a joint format is read from the vocabulary editors already keep: a topic whose
name shares a non-generic word with the name of a listing type that offers joint sessions
("Couples therapy" ↔ "Couples therapist"). Synonyms do not count, so that a broad topic
("Relationships", with "marriage" among its synonyms) never turns into a format. Computed at write
time (``rebuild_recommendations``, indexing an article), never per request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .scoring import name_tokens, type_affinity


def joint_format_topics(joint_type_names: Iterable[str], topic_names: Mapping[int, str]) -> frozenset[int]:
    """Ids of the topics (``{id: name}``) whose name names one of the joint-session listing types."""
    types = list(joint_type_names)
    return frozenset(
        pk for pk, name in topic_names.items() if any(type_affinity(t, name_tokens(name)) for t in types)
    )


def load_joint_format_topics() -> frozenset[int]:
    """``joint_format_topics`` of the current vocabulary (two queries)."""
    from experts.models import ListingType, Topic

    joint = list(ListingType.objects.filter(offers_joint_sessions=True).values_list("name", flat=True))
    if not joint:
        return frozenset()
    return joint_format_topics(joint, dict(Topic.objects.values_list("pk", "name")))


def about_joint_format(topic_ids: Iterable[int], format_topics: frozenset[int]) -> bool:
    """Whether an article tagged with ``topic_ids`` has a joint format as (part of) its subject."""
    return not format_topics.isdisjoint(topic_ids)


def advises_against_joint_format(facts) -> bool:
    """Whether an article (``ArticleFacts``) advises against joint formats, by find support's rule
    (``BaseBackend.support_query``): a sensitive article whose safety note says so. A relationship
    article's caveat ("not where there is abuse") does not keep couples articles from its readers."""
    return bool(facts.advises_against_joint_sessions and facts.is_sensitive)


def suggestible_under(article, candidate, format_topics: frozenset[int]) -> bool:
    """Whether ``candidate`` may be suggested under ``article`` (both ``ArticleFacts``): not when
    the article advises against joint formats and the candidate is about one."""
    return not (
        advises_against_joint_format(article) and about_joint_format(candidate.topic_ids, format_topics)
    )
