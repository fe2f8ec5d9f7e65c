"""The database backend: precomputed profiles and neighbour tables, SQL filters for listings.

Works the same on SQLite and PostgreSQL. Related articles read the precomputed
``RelatedScore`` rows (one indexed query); find-support filters listings in SQL by every hard
filter and by relevance (a shared specialty, approach or fitting listing type), then ranks the
few candidates in Python with the shared scoring. The tables are written by ``NeighbourStore``.
"""

from __future__ import annotations

import heapq
from collections import defaultdict

from django.db import transaction
from django.db.models import Q

from articles.readmodel import read_model
from website.freshness import content_generation

from ..concepts import ConceptGraph, concept_graph
from ..conf import reco_setting
from ..formats import advises_against_joint_format, load_joint_format_topics, suggestible_under
from ..profiles import ArticleFacts, Vocabulary, article_facts, facts_from_profile
from ..scoring import Step, SupportQuery, concept_related_topics, pair_score, topic_idf, type_affinity
from ..text import bm25_vector, document_length
from .base import BaseBackend, article_page, named_topics

# Terms in more than this share of articles are boilerplate, not subject (only on corpora of
# at least BOILERPLATE_MIN_DOCS articles, where the share means something).
BOILERPLATE_SHARE = 0.5
BOILERPLATE_MIN_DOCS = 20


def eligible_articles():
    """Articles the engine may suggest: those a reader may see."""
    from articles.models import ArticlePage
    from articles.visibility import visible

    return visible(ArticlePage.objects.all())


class Corpus:
    """BM25 vectors of article facts' field-weighted terms and phrases, topic IDF, and the topics
    each article reaches through the concept vocabulary.

    Kept near-linear in the number of articles: each vector keeps its ``MAX_TERMS`` strongest
    terms (as ``more_like_this`` keeps ``max_query_terms``), and each article is scored against at
    most ``MAX_CANDIDATES`` articles by text and as many by shared or linked topics.

    ``format_topics``: topics naming a joint format (``formats.load_joint_format_topics``); under an
    article that advises against joint sessions, articles about them are never neighbours.
    """

    MAX_TERMS = 60
    MAX_CANDIDATES = 300

    def __init__(
        self,
        facts: list[ArticleFacts],
        graph: ConceptGraph | None = None,
        format_topics: frozenset[int] = frozenset(),
    ):
        self.facts = {f.article_id: f for f in facts}
        self.graph = graph or ConceptGraph()
        self.format_topics = format_topics
        n = len(facts)
        df: dict[str, int] = defaultdict(int)
        topic_df: dict[int, int] = defaultdict(int)
        self.topic_postings: dict[int, list[int]] = defaultdict(list)
        for f in facts:
            for term in f.terms:
                df[term] += 1
            for t in f.topic_ids:
                topic_df[t] += 1
                self.topic_postings[t].append(f.article_id)
        if n >= BOILERPLATE_MIN_DOCS:
            stop = {t for t, count in df.items() if count / n > BOILERPLATE_SHARE}
        else:
            stop = set()
        average_length = sum(document_length(f.terms) for f in facts) / n if n else 0.0
        self.vectors = {}
        for f in facts:
            # A term no other article has cannot make two articles alike; kept, it would only take
            # one of the MAX_TERMS places (rare phrases would take most of them).
            kept = {t: w for t, w in f.terms.items() if t not in stop and df[t] > 1}
            vector = bm25_vector(kept, df, n, average_length)
            if len(vector) > self.MAX_TERMS:
                vector = dict(
                    heapq.nlargest(self.MAX_TERMS, vector.items(), key=lambda item: (item[1], item[0]))
                )
            self.vectors[f.article_id] = vector
        self.topic_idf = topic_idf(topic_df, n)
        self._linked: dict[int, dict[int, float]] = {}
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for pk, vector in self.vectors.items():
            for term, weight in vector.items():
                self.postings[term].append((pk, weight))

    def linked_topics(self, pk: int) -> dict[int, float]:
        """Topics linked to article ``pk``'s through the concept vocabulary, with their weight."""
        if pk not in self._linked:
            self._linked[pk] = concept_related_topics(self.graph, self.facts[pk].topic_ids)
        return self._linked[pk]

    def text_similarities(self, pk: int) -> dict[int, float]:
        """Dot products with every article sharing a kept term (symmetric: sim(a, b) == sim(b, a))."""
        out: dict[int, float] = defaultdict(float)
        for term, weight in self.vectors.get(pk, {}).items():
            for other, other_weight in self.postings[term]:
                if other != pk:
                    out[other] += weight * other_weight
        return out

    def candidates(self, pk: int) -> tuple[dict[int, float], set[int]]:
        """(text similarities, the articles worth scoring against ``pk``)."""
        text = self.text_similarities(pk)
        topics: dict[int, float] = defaultdict(float)
        linked = self.linked_topics(pk)
        for t, share in [(t, 1.0) for t in self.facts[pk].topic_ids] + list(linked.items()):
            weight = self.topic_idf.get(t, 1.0) * share
            for other in self.topic_postings[t]:
                if other != pk:
                    topics[other] += weight
        best = set(heapq.nlargest(self.MAX_CANDIDATES, text, key=lambda o: (text[o], -o)))
        best |= set(heapq.nlargest(self.MAX_CANDIDATES, topics, key=lambda o: (topics[o], -o)))
        return text, best

    def suggestible(self, pk: int, other: int) -> bool:
        """Whether ``other`` may be suggested under ``pk`` (``formats.suggestible_under``)."""
        return suggestible_under(self.facts[pk], self.facts[other], self.format_topics)

    def score(self, a: ArticleFacts, b: ArticleFacts, text: float) -> dict:
        same_section = a.section_id is not None and a.section_id == b.section_id
        score, topic_score, shared = pair_score(
            a.topic_ids, b.topic_ids, text, same_section, self.topic_idf, self.linked_topics(a.article_id)
        )
        return {
            "article_id": a.article_id,
            "related_id": b.article_id,
            "score": score,
            "text_score": round(text, 6),
            "topic_score": topic_score,
            "same_section": same_section,
            "shared_topic_ids": shared,
        }

    def scores_for(self, pk: int) -> list[dict]:
        """Scored neighbours of article ``pk`` (topic overlap or text overlap), best first."""
        a = self.facts[pk]
        text, candidates = self.candidates(pk)
        rows = [
            self.score(a, self.facts[other], text.get(other, 0.0))
            for other in candidates
            if self.suggestible(pk, other)
        ]
        rows.sort(key=lambda r: (-r["score"], r["related_id"]))
        return rows


class NeighbourStore:
    """Writes ``ArticleProfile`` and ``RelatedScore``: one article at a time, or all of them."""

    @property
    def neighbours(self) -> int:
        return int(reco_setting("RECOMMENDATIONS_NEIGHBOURS"))

    def facts_for_all(self, vocab: Vocabulary | None = None) -> list[ArticleFacts]:
        from articles.models import ArticleAuthor, ArticleTopic

        vocab = vocab or Vocabulary.load()
        articles = list(eligible_articles())
        ids = [a.pk for a in articles]
        topics: dict[int, list[int]] = defaultdict(list)
        for page_id, tag_id in ArticleTopic.objects.filter(content_object_id__in=ids).values_list(
            "content_object_id", "tag_id"
        ):
            topics[page_id].append(tag_id)
        authors: dict[int, list[int]] = defaultdict(list)
        for page_id, person_id in ArticleAuthor.objects.filter(page_id__in=ids).values_list(
            "page_id", "person_id"
        ):
            authors[page_id].append(person_id)
        parents = _parent_ids(articles)
        return [
            article_facts(
                a,
                vocab,
                topic_ids=sorted(topics[a.pk]),
                author_ids=authors[a.pk],
                section_id=parents.get(a.pk),
            )
            for a in articles
        ]

    @staticmethod
    def _profile(facts: ArticleFacts):
        from ..models import ArticleProfile

        return ArticleProfile(
            article_id=facts.article_id,
            section_id=facts.section_id,
            author_ids=facts.author_ids,
            topic_ids=facts.topic_ids,
            mentioned_topic_ids=facts.mentioned_topic_ids,
            approach_ids=facts.approach_ids,
            terms=facts.terms,
            is_sensitive=facts.is_sensitive,
            advises_against_joint_sessions=facts.advises_against_joint_sessions,
            need_terms=facts.need_terms,
            fingerprint=facts.fingerprint,
        )

    @transaction.atomic
    def rebuild(self) -> dict:
        from ..models import ArticleProfile, RelatedScore

        facts = self.facts_for_all()
        RelatedScore.objects.all().delete()
        ArticleProfile.objects.all().delete()
        ArticleProfile.objects.bulk_create([self._profile(f) for f in facts], batch_size=500)
        corpus = Corpus(facts, concept_graph(), load_joint_format_topics())
        rows = []
        for f in facts:
            rows += [RelatedScore(**r) for r in corpus.scores_for(f.article_id)[: self.neighbours]]
        RelatedScore.objects.bulk_create(rows, batch_size=1000)
        return {"articles": len(facts), "neighbour_rows": len(rows)}

    @transaction.atomic
    def index_article(self, pk: int) -> str:
        """Profile and neighbours of one article; removes it when it is no longer live and public."""
        from ..models import ArticleProfile, RelatedScore

        article = eligible_articles().filter(pk=pk).first()
        if article is None:
            self.remove_article(pk)
            return "removed"
        facts = article_facts(article, Vocabulary.load())
        ArticleProfile.objects.filter(pk=pk).delete()
        self._profile(facts).save()
        others = [facts_from_profile(p) for p in ArticleProfile.objects.exclude(pk=pk)]
        corpus = Corpus([facts, *others], concept_graph(), load_joint_format_topics())
        RelatedScore.objects.filter(Q(article_id=pk) | Q(related_id=pk)).delete()
        own = [RelatedScore(**r) for r in corpus.scores_for(pk)[: self.neighbours]]
        # The other direction: this article may now belong among others' nearest neighbours.
        text, candidates = corpus.candidates(pk)
        back = [
            RelatedScore(**corpus.score(corpus.facts[other], facts, text.get(other, 0.0)))
            for other in candidates
            if corpus.suggestible(other, pk)
        ]
        RelatedScore.objects.bulk_create(own + back, batch_size=1000)
        self._trim({r.article_id for r in back})
        return "indexed"

    def _trim(self, article_ids: set[int]) -> None:
        from ..models import RelatedScore

        if not article_ids:
            return
        rows = defaultdict(list)
        for row in RelatedScore.objects.filter(article_id__in=article_ids).values_list(
            "pk", "article_id", "score"
        ):
            rows[row[1]].append(row)
        drop = []
        for items in rows.values():
            items.sort(key=lambda r: -r[2])
            drop += [r[0] for r in items[self.neighbours :]]
        if drop:
            RelatedScore.objects.filter(pk__in=drop).delete()

    def remove_article(self, pk: int) -> None:
        from ..models import ArticleProfile, RelatedScore

        RelatedScore.objects.filter(Q(article_id=pk) | Q(related_id=pk)).delete()
        ArticleProfile.objects.filter(pk=pk).delete()

    def drift(self) -> dict:
        """Articles missing from the tables, stale profiles, and profiles of articles no longer eligible."""
        from ..models import ArticleProfile

        facts = {f.article_id: f for f in self.facts_for_all()}
        stored = dict(ArticleProfile.objects.values_list("pk", "fingerprint"))
        return {
            "missing": sorted(set(facts) - set(stored)),
            "stale": sorted(pk for pk in set(facts) & set(stored) if facts[pk].fingerprint != stored[pk]),
            "extra": sorted(set(stored) - set(facts)),
        }


# Articles whose need terms one snapshot keeps at most (bounds memory above the read model's limit).
MAX_NEED_TERMS = 20000

PROFILE_FACT_FIELDS = (
    "pk",
    "section_id",
    "author_ids",
    "topic_ids",
    "mentioned_topic_ids",
    "approach_ids",
    "is_sensitive",
    "advises_against_joint_sessions",
)


def stored_facts(ids=None) -> dict[int, ArticleFacts]:
    """Stored profiles' facts without their terms (nothing at request time reads them), in one query."""
    from ..models import ArticleProfile

    profiles = ArticleProfile.objects.all() if ids is None else ArticleProfile.objects.filter(pk__in=ids)
    return {
        pk: ArticleFacts(
            article_id=pk,
            section_id=section,
            author_ids=list(authors),
            topic_ids=list(topics),
            mentioned_topic_ids=list(mentioned),
            approach_ids=list(approaches),
            terms={},
            is_sensitive=sensitive,
            advises_against_joint_sessions=advises,
        )
        for pk, section, authors, topics, mentioned, approaches, sensitive, advises in profiles.values_list(
            *PROFILE_FACT_FIELDS
        )
    }


def _parent_ids(articles) -> dict[int, int | None]:
    from wagtail.models import Page

    parent_paths = {a.pk: a.path[: -a.steplen] for a in articles}
    parents = dict(Page.objects.filter(path__in=set(parent_paths.values())).values_list("path", "pk"))
    return {pk: parents.get(path) for pk, path in parent_paths.items()}


class DatabaseBackend(BaseBackend):
    """Default backend: everything in the site's own database."""

    name = "database"
    store_class = NeighbourStore

    def __init__(self):
        self.store = self.store_class()

    def related_candidates(
        self, article, facts: ArticleFacts, exclude: set[int], size: int, generation: str | None = None
    ):
        stored = self.stored_neighbours(article, exclude, size)
        if stored is not None:
            return stored
        return self._unindexed_candidates(article, facts, exclude, size)

    def _unindexed_candidates(self, article, facts: ArticleFacts, exclude: set[int], size: int):
        """Not indexed yet (e.g. content loaded without signals): shared topics and section only."""
        from articles.models import ArticleTopic

        found = ArticleTopic.objects.filter(tag_id__in=facts.topic_ids).exclude(content_object_id__in=exclude)
        if advises_against_joint_format(facts):
            about_format = ArticleTopic.objects.filter(tag_id__in=load_joint_format_topics())
            found = found.exclude(content_object_id__in=about_format.values("content_object_id"))
        shared: dict[int, list[int]] = defaultdict(list)
        for page_id, tag_id in found.values_list("content_object_id", "tag_id")[: size * 10]:
            shared[page_id].append(tag_id)
        total = len(facts.topic_ids) or 1
        rows = [
            (pk, {"score": 0.35 * len(tags) / total, "shared_topic_ids": tags, "text_score": 0.0})
            for pk, tags in shared.items()
        ]
        rows.sort(key=lambda r: (-r[1]["score"], r[0]))
        return rows[:size]

    def related_articles(self, article, *, generation: str | None = None, **kwargs):
        """As ``BaseBackend.related_articles``, ranking on this process's ``ArticleDirectory`` of the
        generation (read here once when the caller has not)."""
        return super().related_articles(article, generation=generation or content_generation()[0], **kwargs)

    # --- find support ---------------------------------------------------------------------------

    def find_support(self, article, *, generation: str | None = None, **kwargs):
        """As ``BaseBackend.find_support``, with what it derives remembered per content generation
        (read here once when the caller has not)."""
        return super().find_support(article, generation=generation or content_generation()[0], **kwargs)

    def find_support_for_topics(self, topic_ids, *, generation: str | None = None, **kwargs):
        """As ``BaseBackend.find_support_for_topics``, on this generation's directory."""
        return super().find_support_for_topics(
            topic_ids, generation=generation or content_generation()[0], **kwargs
        )

    def article_facts(self, article, generation: str | None = None) -> ArticleFacts:
        """An indexed article's stored facts: every profile's, kept on the generation's read model
        (within its size limit; the indexing tasks renew the generation), else read per request;
        facts computed from an article not indexed yet are not kept (it may be a preview's draft)."""
        if generation is None:
            return super().article_facts(article)
        model = read_model(generation)
        if model.articles is not None:
            found = model.derive("recommendations.stored-facts", stored_facts).get(article.pk)
        else:
            found = stored_facts([article.pk]).get(article.pk)
        return found if found is not None else article_facts(article_page(article), Vocabulary.load())

    def need_terms(self, article, facts: ArticleFacts, generation: str | None = None) -> dict[str, float]:
        """The stored profile's need terms, kept on the generation's read model (the stored facts
        there carry none): one query for an article's first find-support request of a generation."""
        if facts.need_terms or generation is None:
            return super().need_terms(article, facts, generation)
        from ..models import ArticleProfile

        kept = read_model(generation).derive("recommendations.need-terms", dict)
        terms = kept.get(article.pk)  # ``get``: another request may clear it meanwhile
        if terms is None:
            stored = ArticleProfile.objects.filter(pk=article.pk).values_list("need_terms", flat=True).first()
            terms = stored or {}
            if len(kept) >= MAX_NEED_TERMS:
                kept.clear()
            kept[article.pk] = terms
        return terms

    def topic_names(self, topic_ids, generation: str | None = None) -> list[str]:
        """From the generation's read model, which holds the topics of every visible article."""
        if generation is None:
            return super().topic_names(topic_ids)
        return sorted(named_topics(read_model(generation), topic_ids).values())

    def support_candidates(self, q: SupportQuery, step: Step, exclude: set[int]) -> list[int]:
        from experts.models import Listing, ListingType

        qs = Listing.objects.filter(is_active=True, verified=True)
        if not q.include_products:
            qs = qs.filter(listing_type__is_clinical=True)
        if q.advises_against_joint_sessions:
            qs = qs.exclude(listing_type__offers_joint_sessions=True)
        crisis = Q(listing_type__is_crisis_resource=True)
        if q.listing_type_id is not None:
            qs = qs.filter(
                Q(listing_type_id=q.listing_type_id) | crisis
                if q.is_sensitive
                else Q(listing_type_id=q.listing_type_id)
            )
        if q.modality == "in_person":
            qs = qs.filter(offers_in_person=True)
        elif q.modality == "online":
            qs = qs.filter(offers_online=True)
        if q.country:
            qs = qs.filter(Q(country=q.country) | Q(offers_online=True)).exclude(
                crisis & ~Q(country=q.country)
            )
            if q.modality == "in_person":
                qs = qs.filter(country=q.country)
        if step.country:
            qs = qs.filter(country=step.country)
        if step.online:
            qs = qs.filter(offers_online=True)
        if step.language:
            qs = qs.filter(languages__code=step.language)
        if q.has_signals:
            affine = [
                pk
                for pk, name in ListingType.objects.values_list("pk", "name")
                if type_affinity(name, q.terms)
            ]
            relevant = (
                Q(specialties__in=list(q.topic_weights))
                | Q(approaches__in=list(q.approach_ids))
                | Q(listing_type_id__in=affine)
            )
            qs = qs.filter(relevant | crisis if q.is_sensitive else relevant)
        if exclude:
            qs = qs.exclude(pk__in=exclude)
        return list(qs.order_by("pk").values_list("pk", flat=True).distinct())

    # --- indexing ---------------------------------------------------------------------------------

    def index_object(self, app_label: str, model_name: str, pk: int) -> str:
        if (app_label, model_name) == ("articles", "articlepage"):
            return self.store.index_article(pk)
        return "nothing to store"  # listings are read live from their own table

    def remove_object(self, app_label: str, model_name: str, pk: int) -> str:
        if (app_label, model_name) == ("articles", "articlepage"):
            self.store.remove_article(pk)
            return "removed"
        return "nothing to store"

    def rebuild(self, log=print) -> dict:
        report = self.store.rebuild()
        log(f"database: {report['articles']} article profiles, {report['neighbour_rows']} neighbour rows")
        return report

    def check(self, *, fix: bool = False, log=print) -> dict:
        drift = self.store.drift()
        for kind, ids in drift.items():
            if ids:
                log(f"database: {len(ids)} {kind}: {ids[:20]}{' …' if len(ids) > 20 else ''}")
        if fix and any(drift.values()):
            self.store.rebuild()
            log("database: rebuilt")
        return drift
