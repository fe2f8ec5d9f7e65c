"""Building an article's profile: its terms, topics, the vocabulary it names, its safety flags.

Shared by both backends: the database backend stores profiles in ``ArticleProfile``; the
Elasticsearch backend sends the same facts as documents.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from .text import mentions, need_terms, need_text, plain_text, weighted_terms


@dataclass
class Vocabulary:
    """The shared topic vocabulary and the approaches, with the words that name them."""

    topic_names: dict[int, str] = field(default_factory=dict)
    topic_words: dict[int, list[str]] = field(default_factory=dict)
    sensitive_topic_ids: set[int] = field(default_factory=set)
    approach_names: dict[int, str] = field(default_factory=dict)
    approach_words: dict[int, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Vocabulary:
        from experts.models import Approach, Topic

        vocab = cls()
        for topic in Topic.objects.all():
            vocab.topic_names[topic.pk] = topic.name
            vocab.topic_words[topic.pk] = [topic.name, *topic.synonym_list]
            if topic.is_sensitive:
                vocab.sensitive_topic_ids.add(topic.pk)
        for approach in Approach.objects.all():
            vocab.approach_names[approach.pk] = approach.name
            vocab.approach_words[approach.pk] = [approach.name, *approach.synonym_list]
        return vocab


@dataclass
class ArticleFacts:
    """The engine's view of one article (what ``ArticleProfile`` stores)."""

    article_id: int
    section_id: int | None
    author_ids: list[int]
    topic_ids: list[int]
    mentioned_topic_ids: list[int]
    approach_ids: list[int]
    terms: dict[str, float]
    is_sensitive: bool
    advises_against_joint_sessions: bool
    title: str = ""
    standfirst: str = ""
    text: str = ""
    # Salient need terms for find support's text relevance (``text.need_terms``).
    need_terms: dict[str, float] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        payload = [
            self.section_id,
            sorted(self.author_ids),
            sorted(self.topic_ids),
            sorted(self.mentioned_topic_ids),
            sorted(self.approach_ids),
            sorted(self.terms.items()),
            self.is_sensitive,
            self.advises_against_joint_sessions,
            sorted(self.need_terms.items()),
        ]
        return hashlib.sha256(json.dumps(payload).encode()).hexdigest()

    def support_topic_weights(self) -> dict[int, float]:
        """Tagged topics count fully; topics only named in the text count half."""
        weights = {pk: 0.5 for pk in self.mentioned_topic_ids}
        weights.update({pk: 1.0 for pk in self.topic_ids})
        return weights


def _advises_against_joint(body) -> bool:
    for block in body or []:
        if block.block_type == "safety_note" and block.value.get("advises_against_joint_sessions"):
            return True
    return False


def article_facts(
    article,
    vocab: Vocabulary,
    *,
    topic_ids: list[int] | None = None,
    author_ids: list[int] | None = None,
    section_id: int | None = None,
) -> ArticleFacts:
    """Facts of ``article``. Pass ``topic_ids``/``author_ids``/``section_id`` when already loaded."""
    if topic_ids is None:
        topic_ids = sorted(article.topics.values_list("pk", flat=True))
    if author_ids is None:
        author_ids = list(article.article_authors.values_list("person_id", flat=True))
    if section_id is None:
        section_id = _parent_id(article)
    text = plain_text(article.title, article.standfirst, article.body)
    # Topics and approaches named in a safety note or a warning sentence are not the article's need.
    need = need_text(article.title, article.standfirst, article.body)
    lowered = need.lower()
    mentioned = sorted(
        pk
        for pk, words in vocab.topic_words.items()
        if pk not in topic_ids and mentions(need, words, lowered)
    )
    approaches = sorted(pk for pk, words in vocab.approach_words.items() if mentions(need, words, lowered))
    names = [vocab.topic_names[pk] for pk in topic_ids if pk in vocab.topic_names]
    return ArticleFacts(
        article_id=article.pk,
        section_id=section_id,
        author_ids=sorted(author_ids),
        topic_ids=sorted(topic_ids),
        mentioned_topic_ids=mentioned,
        approach_ids=approaches,
        terms=weighted_terms(article.title, article.standfirst, article.body, names),
        is_sensitive=bool(article.is_sensitive) or any(pk in vocab.sensitive_topic_ids for pk in topic_ids),
        advises_against_joint_sessions=_advises_against_joint(article.body),
        title=article.title,
        standfirst=article.standfirst or "",
        text=text,
        need_terms=need_terms(article.title, article.standfirst, article.body),
    )


def _parent_id(article) -> int | None:
    from wagtail.models import Page

    parent = (
        Page.objects.filter(path=article.path[: -article.steplen], depth=article.depth - 1).only("pk").first()
    )
    return parent.pk if parent else None


def facts_from_profile(profile) -> ArticleFacts:
    return ArticleFacts(
        article_id=profile.article_id,
        section_id=profile.section_id,
        author_ids=profile.author_ids,
        topic_ids=profile.topic_ids,
        mentioned_topic_ids=profile.mentioned_topic_ids,
        approach_ids=profile.approach_ids,
        terms=profile.terms,
        is_sensitive=profile.is_sensitive,
        advises_against_joint_sessions=profile.advises_against_joint_sessions,
        need_terms=profile.need_terms,
    )
