"""What every backend shares: the read pipeline around a backend's own candidate search.

A backend is assembled from small collaborator classes set as attributes (as Wagtail's search
backends are): a subclass swaps one part, e.g. a different query compiler, and keeps the rest.
Subclasses implement the two hooks ``related_candidates`` and ``support_candidates``; the second
serves find support only where the listing directory is too large to keep in process memory
(``RECOMMENDATIONS_DIRECTORY_MAX_LISTINGS``): below that, every backend answers find support from
the directory, which is exact where a search engine's candidates are its top few, and costs no round trip.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping

from django.utils import timezone

from articles.readmodel import ReadModel, read_model
from experts.cards import ListingCard, read_listing_cards

from ..concepts import concept_graph, concept_need
from ..conf import reco_setting
from ..directory import ListingDirectory
from ..formats import advises_against_joint_format
from ..profiles import ArticleFacts, Vocabulary, article_facts, facts_from_profile
from ..scoring import (
    ListingView,
    RelatedCandidate,
    Step,
    SupportPlan,
    SupportQuery,
    plan_support,
    rank_related,
)
from ..text import profile_terms, tokens


def listing_view(card: ListingCard) -> ListingView:
    """What ranking reads about a listing, from its card row (``experts.cards.ListingCard``)."""
    lt = card.listing_type
    specialties = tuple((t.id, t.name) for t in card.specialties)
    approaches = tuple((a.id, a.name) for a in card.approaches)
    return ListingView(
        id=card.id,
        listing_type_id=lt.id,
        listing_type_name=lt.name,
        is_clinical=lt.is_clinical,
        is_crisis_resource=lt.is_crisis_resource,
        offers_joint_sessions=lt.offers_joint_sessions,
        offers_in_person=card.offers_in_person,
        offers_online=card.offers_online,
        country=card.country,
        city=card.city,
        latitude=card.latitude,
        longitude=card.longitude,
        languages=frozenset(card.languages),
        specialties=specialties,
        approaches=approaches,
        accepting_clients=card.accepting_clients,
        is_active=card.is_active,
        verified=card.verified,
        sponsored=card.is_sponsored,
        profile_terms=profile_terms(
            card.summary, lt.name, [name for _, name in specialties], [name for _, name in approaches]
        ),
    )


def build_listing_directory() -> ListingDirectory | None:
    """Active, verified listings as card rows and the ``ListingView`` rows ranking reads of them
    (a count and four queries); None above ``RECOMMENDATIONS_DIRECTORY_MAX_LISTINGS`` (then
    candidates come from the backend's ``support_candidates``)."""
    from experts.models import Listing

    listings = Listing.objects.filter(is_active=True, verified=True)
    limit = int(reco_setting("RECOMMENDATIONS_DIRECTORY_MAX_LISTINGS"))
    if limit <= 0 or listings.count() > limit:
        return None
    cards = read_listing_cards(listings)
    return ListingDirectory([listing_view(card) for card in cards], cards)


def article_page(article):
    """``article`` as an ``ArticlePage``: callers may pass a read model ``ArticleRow``, and computing
    an unindexed article's facts reads its body (one query for the real page)."""
    from articles.models import ArticlePage

    if isinstance(article, ArticlePage):
        return article
    return ArticlePage.objects.get(pk=article.pk)


def named_topics(model: ReadModel, ids) -> dict[int, str]:
    """``{topic id: name}`` from the read model (topics of visible articles), else read."""
    from experts.models import Topic

    ids = set(ids)
    found = {pk: model.topics[pk].name for pk in ids if pk in model.topics}
    missing = ids - found.keys()
    if missing:
        found.update(Topic.objects.filter(pk__in=missing).values_list("pk", "name"))
    return found


class BaseBackend:
    name = "base"

    # --- hooks ---------------------------------------------------------------------------------

    def related_candidates(
        self, article, facts: ArticleFacts, exclude: set[int], size: int, generation: str | None = None
    ) -> list[tuple[int, dict]]:
        """(article id, score details) pairs, best first. Override in a backend."""
        raise NotImplementedError

    def support_candidates(self, q: SupportQuery, step: Step, exclude: set[int]) -> list[int]:
        """Ids of listings worth ranking at ``step``. Override in a backend."""
        raise NotImplementedError

    # --- the neighbour table ---------------------------------------------------------------------

    @staticmethod
    def stored_neighbours(article, exclude: set[int], size: int) -> list[tuple[int, dict]] | None:
        """Up to ``size`` (article id, score details) pairs of ``article`` from the precomputed
        neighbour table (``RelatedScore``, one indexed query), best first; None when the article is
        not indexed yet (no profile), so that a backend finds its candidates another way.

        The database side writes the table at every content change whatever the configured backend
        (``tasks``), so every backend may read it."""
        from ..models import ArticleProfile, RelatedScore

        rows = list(
            RelatedScore.objects.filter(article_id=article.pk)
            .exclude(related_id__in=exclude)
            .order_by("-score", "related_id")
            .values("related_id", "score", "text_score", "shared_topic_ids")[:size]
        )
        if rows or ArticleProfile.objects.filter(pk=article.pk).exists():
            return [(r["related_id"], r) for r in rows]
        return None

    # --- shared pipeline -----------------------------------------------------------------------

    def article_facts(self, article, generation: str | None = None) -> ArticleFacts:
        """The stored profile when there is one, else computed now (article not indexed yet).

        ``generation``: the content generation token, for backends that remember derived data."""
        from ..models import ArticleProfile

        profile = ArticleProfile.objects.filter(article_id=article.pk).first()
        if profile is not None:
            return facts_from_profile(profile)
        return article_facts(article_page(article), Vocabulary.load())

    def related_articles(
        self, article, *, limit: int = 6, generation: str | None = None, with_picks: bool = True
    ):
        """Editorial picks first, then the backend's candidates ranked (``rank_related``).

        Ranking reads the read model's ``ArticleRow``s (``articles.readmodel``) of the generation;
        each suggestion carries the chosen row (id, slug, title, dates), not a page: callers that
        show more render its card. ``generation``: as for ``find_support``. ``with_picks=False``
        ranks as if the article had no editorial picks (the evaluation measures the model so)."""
        from ..interface import RelatedArticle
        from ..scoring import related_reasons

        model = read_model(generation)
        picked = model.picks_of(article.pk) if with_picks else []
        pick_ids = [pk for pk in dict.fromkeys(picked) if pk != article.pk]
        facts = self.article_facts(article, generation)
        exclude = {article.pk, *pick_ids}
        candidates = self.related_candidates(
            article, facts, exclude, size=max(limit * 4, 20), generation=generation
        )
        rows = model.rows(pick_ids + [pk for pk, _ in candidates])
        topic_ids = {t for _, details in candidates for t in details.get("shared_topic_ids", [])}
        topic_names = named_topics(model, topic_ids)

        out: list[RelatedArticle] = []
        picked_authors: list[int] = []
        picked_sections: list[int | None] = []
        picked_topics: list[tuple[int, ...]] = []
        for pk in pick_ids:
            if pk in rows and len(out) < limit:
                out.append(RelatedArticle(rows[pk], "editorial_pick", ["Editor's pick"], score=1.0))
                picked_authors += rows[pk].author_ids
                picked_sections.append(rows[pk].section_id)
                picked_topics.append(rows[pk].topic_ids)
        pool = []
        for pk, details in candidates:
            row = rows.get(pk)
            if row is None or pk in exclude:
                continue
            pool.append(
                RelatedCandidate(
                    article=row,
                    base_score=details["score"],
                    section_id=row.section_id,
                    author_ids=list(row.author_ids),
                    review_status=row.review_status,
                    shared_topic_names=[
                        topic_names[t] for t in details.get("shared_topic_ids", []) if t in topic_names
                    ],
                    same_section=row.section_id is not None and row.section_id == facts.section_id,
                    text_score=details.get("text_score", 0.0),
                    section_title=row.section_title,
                    topic_ids=row.topic_ids,
                )
            )
        for candidate, score in rank_related(
            pool,
            limit=limit - len(out),
            now=timezone.now(),
            chosen_authors=picked_authors,
            chosen_sections=picked_sections,
            chosen_topics=picked_topics,
        ):
            out.append(
                RelatedArticle(candidate.article, "automatic", related_reasons(candidate), score=score)
            )
        return out

    def support_query(
        self,
        article,
        facts: ArticleFacts,
        context,
        *,
        listing_type,
        count: int,
        include_products: bool,
        day: datetime.date | None = None,
        generation: str | None = None,
        exclude_listings: Iterable[int] = (),
    ) -> SupportQuery:
        """What find-support is asked. Two judgement calls live here:

        - a listing type "fits" when its name shares a word with the article's title or topic names
          (the key terms), not with any word of the body;
        - the joint-session exclusion applies to sensitive articles whose safety note advises against
          joint formats. A relationship article's caveat ("not where there is abuse") does not hide
          every couples therapist from its readers.
        """
        advises_against_joint = advises_against_joint_format(facts)
        need = concept_need(
            concept_graph(generation),
            facts.support_topic_weights(),
            facts.topic_ids,
            advises_against_joint=advises_against_joint,
        )
        title_terms = frozenset(tokens(article.title))
        key_terms = set(title_terms)
        # Joint work the article advises against is no key term either (``concept_need``).
        for name in self.topic_names([pk for pk in facts.topic_ids if pk in need.topic_weights], generation):
            key_terms.update(tokens(name))
        return SupportQuery(
            article_id=article.pk,
            topic_weights=need.topic_weights,
            related_topic_weights=need.related_topic_weights,
            suited_types=need.suited_types,
            excluded_type_ids=need.excluded_type_ids,
            topic_roots=need.topic_roots,
            joint_topic_ids=need.joint_topic_ids,
            subject_topic_ids=need.subject_topic_ids,
            approach_ids=frozenset(facts.approach_ids),
            terms=frozenset(key_terms),
            title_terms=title_terms,
            is_sensitive=facts.is_sensitive,
            advises_against_joint_sessions=advises_against_joint,
            country=getattr(context, "country", None),
            language=getattr(context, "language", None),
            modality=getattr(context, "modality", None),
            near=getattr(context, "near", None),
            listing_type_id=getattr(listing_type, "pk", listing_type),
            include_products=include_products,
            count=max(1, int(count)),
            day=day or timezone.localdate(),
            exclude_listing_ids=frozenset(exclude_listings),
            need_terms=self.need_terms(article, facts, generation),
        )

    def need_terms(self, article, facts: ArticleFacts, generation: str | None = None) -> dict[str, float]:
        """The article's salient need terms (``text.need_terms``): the stored facts' when they carry
        them. Override where facts come from somewhere that leaves them out."""
        return facts.need_terms

    def with_text_statistics(self, q: SupportQuery, generation: str | None) -> SupportQuery:
        """``q`` with the listing profiles' IDF and average length, for a backend that keeps them for
        every path it answers from. None does yet: the database backend's directory and SQL paths
        must give the same answer, so text relevance counts every term once (the need terms are
        already weighted by salience) and takes ``DEFAULT_PROFILE_LENGTH`` as the average."""
        return q

    def topic_names(self, topic_ids, generation: str | None = None) -> list[str]:
        from experts.models import Topic

        return list(Topic.objects.filter(pk__in=topic_ids).values_list("name", flat=True))

    def load_listing_cards(self, ids: list[int]) -> list[ListingCard]:
        """Card rows of candidate listings (``experts.cards.read_listing_cards``: four queries, no
        model objects); ranking reads their ``listing_view`` and the chosen ones' cards show them.

        A candidate set can hold hundreds of listings on a large directory; building model objects
        with their prefetched relations for all of them cost most of a find-support request.
        """
        from experts.models import Listing

        if not ids:
            return []
        return read_listing_cards(Listing.objects.filter(pk__in=ids))

    def load_listing_views(self, ids: list[int]) -> list[ListingView]:
        """What ranking reads about candidate listings, from plain rows in four queries."""
        return [listing_view(card) for card in self.load_listing_cards(ids)]

    # --- find support ------------------------------------------------------------------------------

    def find_support(
        self,
        article,
        *,
        context=None,
        listing_type=None,
        count: int = 2,
        include_products: bool = False,
        exclude_listings: Iterable[int] = (),
        day: datetime.date | None = None,
        generation: str | None = None,
    ):
        """``generation``: the content generation token when the caller has read it (the API has),
        for backends that keep derived data per generation; otherwise they read it if they need it.
        ``exclude_listings``: listings the page already shows (``SupportQuery.exclude_listing_ids``)."""
        facts = self.article_facts(article, generation)
        q = self.support_query(
            article,
            facts,
            context,
            listing_type=listing_type,
            count=count,
            include_products=include_products,
            day=day,
            generation=generation,
            exclude_listings=exclude_listings,
        )
        return self.support_for_query(q, generation)

    def find_support_for_topics(
        self,
        topic_ids,
        *,
        title: str = "",
        is_sensitive: bool = False,
        context=None,
        listing_type=None,
        count: int = 2,
        include_products: bool = False,
        seed: int = 0,
        day: datetime.date | None = None,
        generation: str | None = None,
    ):
        """Find-support for a concern named by topics rather than by an article (a self-check's
        result): the same query, hard filters, widening and ranking as ``find_support``, with the
        topics weighing as an article's tagged topics do. ``seed`` varies the tie rotation."""
        topic_ids = sorted(set(topic_ids))
        title_terms = frozenset(tokens(title))
        key_terms = set(title_terms)
        for name in self.topic_names(topic_ids, generation):
            key_terms.update(tokens(name))
        topic_weights = {pk: 1.0 for pk in topic_ids}
        need = concept_need(concept_graph(generation), topic_weights, topic_ids)
        q = SupportQuery(
            article_id=seed,
            topic_weights=topic_weights,
            related_topic_weights=need.related_topic_weights,
            suited_types=need.suited_types,
            excluded_type_ids=need.excluded_type_ids,
            topic_roots=need.topic_roots,
            joint_topic_ids=need.joint_topic_ids,
            subject_topic_ids=need.subject_topic_ids,
            approach_ids=frozenset(),
            terms=frozenset(key_terms),
            title_terms=title_terms,
            is_sensitive=is_sensitive,
            country=getattr(context, "country", None),
            language=getattr(context, "language", None),
            modality=getattr(context, "modality", None),
            near=getattr(context, "near", None),
            listing_type_id=getattr(listing_type, "pk", listing_type),
            include_products=include_products,
            count=max(1, int(count)),
            day=day or timezone.localdate(),
            need_terms={term: 1.0 for term in sorted(key_terms)},
        )
        return self.support_for_query(q, generation)

    def support_for_query(self, q: SupportQuery, generation: str | None):
        """Plans, ranks and gives the suggestions for ``q`` (the tail both entry points share)."""
        q = self.with_text_statistics(q, generation)
        estimate = self.support_estimate(q, generation)
        fetch, cards = self.support_source(q, generation, estimate)
        plan = plan_support(q, fetch, estimate)
        return self.to_support_result(plan, cards)

    # The listing directory: find support's candidates in process memory, whatever the backend, up
    # to ``RECOMMENDATIONS_DIRECTORY_MAX_LISTINGS``; beyond it, the backend's ``support_candidates``.

    def directory(self, generation: str | None = None) -> ListingDirectory | None:
        """The listing directory of the generation, kept on its read model (built on first use)."""
        return read_model(generation).derive("recommendations.listing-directory", build_listing_directory)

    def support_source(
        self, q: SupportQuery, generation: str | None, estimate=None
    ) -> tuple[Callable[[Step, set[int]], list[ListingView]], Mapping[int, ListingCard]]:
        """``(fetch, cards)``: ``fetch(step, exclude)`` for ``plan_support``, and the card rows of
        every listing it returns, by id, for the suggestions' cards.

        While the generation's ``ListingDirectory`` exists, candidates come from it (no queries),
        only those the estimate says could be shown (``ListingColumns.to_shortlist``), and the cards
        are its own rows: an answer reads no
        listing. When the directory is larger than the setting allows, the backend's own
        ``support_candidates`` are read as card rows (four queries a step), ranked by their
        ``listing_view``, and the chosen ones' cards are those rows."""
        directory = self.directory(generation)
        if directory is not None:
            # Only what ``shortlist`` would keep of every candidate, worked out column-wise.
            within = None if estimate is None else directory.columns.to_shortlist(q, estimate)

            def from_directory(step: Step, exclude: set[int]) -> list[ListingView]:
                return directory.candidates(q, step, exclude, within=within)

            return from_directory, directory.cards
        cards: dict[int, ListingCard] = {}

        def fetch(step: Step, exclude: set[int]) -> list[ListingView]:
            ids = [pk for pk in self.support_candidates(q, step, exclude) if pk not in exclude]
            found = self.load_listing_cards(ids)
            cards.update((card.id, card) for card in found)
            return [listing_view(card) for card in found]

        return fetch, cards

    def support_estimate(self, q: SupportQuery, generation: str | None):
        """``estimate(id) -> (score, relevance)`` of every candidate ``support_source`` can return,
        worked out in bulk (``columns.ListingColumns``), for ``plan_support`` to score only those
        that could be shown; None (score every candidate) without a directory."""
        directory = self.directory(generation)
        return None if directory is None else directory.columns.estimate(q)

    @staticmethod
    def to_support_result(plan: SupportPlan, cards: Mapping[int, ListingCard]):
        from ..interface import SupportResult, SupportSuggestion

        return SupportResult(
            suggestions=[
                SupportSuggestion(cards[r.view.id], r.reasons, sponsored=r.view.sponsored, score=r.score)
                for r in plan.ranked
            ],
            widened_to=plan.widened_to,
            notice=plan.notice,
        )

    # --- indexing --------------------------------------------------------------------------------

    def index_object(self, app_label: str, model_name: str, pk: int) -> None:
        raise NotImplementedError

    def rebuild(self, log=print) -> dict:
        raise NotImplementedError

    def check(self, *, fix: bool = False, log=print) -> dict:
        raise NotImplementedError
