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
from collections.abc import Iterable

from django.utils import timezone

from articles.readmodel import ReadModel, read_model

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


def _named_relation(through, listing_ids, target: str) -> dict[int, list[tuple[int, str]]]:
    """``{listing id: [(target id, target name), …]}`` from a listing's many-to-many table, by name."""
    found: dict[int, list[tuple[int, str]]] = {}
    for listing_id, pk, name in (
        through.objects.filter(listing_id__in=listing_ids)
        .order_by(f"{target}__name", f"{target}_id")
        .values_list("listing_id", f"{target}_id", f"{target}__name")
    ):
        found.setdefault(listing_id, []).append((pk, name))
    return found


LISTING_VIEW_FIELDS = (
    "pk",
    "listing_type_id",
    "listing_type__name",
    "listing_type__is_clinical",
    "listing_type__is_crisis_resource",
    "listing_type__offers_joint_sessions",
    "offers_in_person",
    "offers_online",
    "country",
    "city",
    "latitude",
    "longitude",
    "accepting_clients",
    "is_active",
    "verified",
    "commercial_relationship",
    "summary",
)


def listing_views(listings) -> list[ListingView]:
    """``ListingView`` rows of a ``Listing`` queryset, in id order, in four queries (plain rows, no
    model objects): the listings with their type's flags, then language, specialty and approach ids."""
    from experts.models import Listing

    rows = list(listings.order_by("pk").values_list(*LISTING_VIEW_FIELDS))
    ids = listings.values("pk")
    languages: dict[int, set[str]] = {}
    for listing_id, code in Listing.languages.through.objects.filter(listing_id__in=ids).values_list(
        "listing_id", "language_id"
    ):
        languages.setdefault(listing_id, set()).add(code)
    specialties = _named_relation(Listing.specialties.through, ids, "topic")
    approaches = _named_relation(Listing.approaches.through, ids, "approach")
    views = []
    for row in rows:
        pk, type_id, type_name, clinical, crisis, joint, in_person, online, country, city = row[:10]
        lat, lon, accepting, active, verified, rel, summary = row[10:]
        views.append(
            ListingView(
                id=pk,
                listing_type_id=type_id,
                listing_type_name=type_name,
                is_clinical=clinical,
                is_crisis_resource=crisis,
                offers_joint_sessions=joint,
                offers_in_person=in_person,
                offers_online=online,
                country=country,
                city=city,
                latitude=float(lat) if lat is not None else None,
                longitude=float(lon) if lon is not None else None,
                languages=frozenset(languages.get(pk, ())),
                specialties=tuple(specialties.get(pk, ())),
                approaches=tuple(approaches.get(pk, ())),
                accepting_clients=accepting,
                is_active=active,
                verified=verified,
                sponsored=rel != "none",
                profile_terms=profile_terms(
                    summary,
                    type_name,
                    [name for _, name in specialties.get(pk, ())],
                    [name for _, name in approaches.get(pk, ())],
                ),
            )
        )
    return views


# Listing objects kept per read model at most (readers are shown the same few; this bounds memory).
MAX_CHOSEN_LISTINGS = 5000


def build_listing_directory() -> ListingDirectory | None:
    """Active, verified listings as ``ListingView`` rows (four queries); None above
    ``RECOMMENDATIONS_DIRECTORY_MAX_LISTINGS`` (then candidates come from the backend's
    ``support_candidates``)."""
    from experts.models import Listing

    listings = Listing.objects.filter(is_active=True, verified=True)
    limit = int(reco_setting("RECOMMENDATIONS_DIRECTORY_MAX_LISTINGS"))
    if limit <= 0 or listings.count() > limit:
        return None
    return ListingDirectory(listing_views(listings))


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

    def load_listings(self, ids: Iterable[int]) -> list:
        """Listings with everything the ranking and the cards need, in a constant number of queries."""
        from experts.models import Listing

        return list(
            Listing.objects.filter(pk__in=list(ids))
            .select_related("listing_type", "image")
            .prefetch_related("languages", "specialties", "approaches")
        )

    def load_listing_views(self, ids: list[int]) -> list[ListingView]:
        """What ranking reads about candidate listings, from plain rows in four queries.

        A candidate set can hold hundreds of listings on a large directory; building model objects
        with their prefetched relations for all of them cost most of a find-support request.
        """
        from experts.models import Listing

        if not ids:
            return []
        return listing_views(Listing.objects.filter(pk__in=ids))

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
        """Plans, ranks and loads the suggestions for ``q`` (the tail both entry points share)."""
        q = self.with_text_statistics(q, generation)
        estimate = self.support_estimate(q, generation)
        plan = plan_support(q, self.support_fetch(q, generation, estimate), estimate)
        # Ranking read compact rows; only the listings chosen are loaded whole, for their cards.
        chosen = self.chosen_listings([r.view.id for r in plan.ranked], generation)
        return self.to_support_result(plan, chosen)

    # The listing directory: find support's candidates in process memory, whatever the backend, up
    # to ``RECOMMENDATIONS_DIRECTORY_MAX_LISTINGS``; beyond it, the backend's ``support_candidates``.

    def directory(self, generation: str | None = None) -> ListingDirectory | None:
        """The listing directory of the generation, kept on its read model (built on first use)."""
        return read_model(generation).derive("recommendations.listing-directory", build_listing_directory)

    def support_fetch(self, q: SupportQuery, generation: str | None, estimate=None):
        """``fetch(step, exclude)`` for ``plan_support``: candidates from the in-process
        ``ListingDirectory`` of this generation (no queries), only those ``estimate`` does not rule
        out; or, when the directory is larger than the setting allows, the backend's own
        ``support_candidates`` as compact rows."""
        directory = self.directory(generation)
        if directory is not None:
            within = None if estimate is None else estimate.may_be_kept
            return lambda step, exclude: directory.candidates(q, step, exclude, within=within)

        def fetch(step: Step, exclude: set[int]) -> list[ListingView]:
            ids = [pk for pk in self.support_candidates(q, step, exclude) if pk not in exclude]
            return self.load_listing_views(ids)

        return fetch

    def support_estimate(self, q: SupportQuery, generation: str | None):
        """``estimate(id) -> (score, relevance)`` of every candidate ``support_fetch`` can return,
        worked out in bulk (``columns.ListingColumns``), for ``plan_support`` to score only those
        that could be shown; None (score every candidate) without a directory."""
        directory = self.directory(generation)
        return None if directory is None else directory.columns.estimate(q)

    def chosen_listings(self, ids: list[int], generation: str | None) -> dict:
        """Chosen listings (real ``Listing`` objects with what their cards show), kept on the
        generation's read model: readers of one article in one country are shown the same few."""
        model: ReadModel = read_model(generation)
        chosen = model.derive("recommendations.chosen-listings", dict)
        missing = [pk for pk in ids if pk not in chosen]
        if missing:
            if len(chosen) >= MAX_CHOSEN_LISTINGS:
                chosen.clear()
            chosen.update((obj.pk, obj) for obj in self.load_listings(missing))
        found = {pk: chosen.get(pk) for pk in ids}  # ``get``: another request may clear it meanwhile
        return {pk: obj for pk, obj in found.items() if obj is not None}

    @staticmethod
    def to_support_result(plan: SupportPlan, listings: dict):
        from ..interface import SupportResult, SupportSuggestion

        return SupportResult(
            suggestions=[
                SupportSuggestion(listings[r.view.id], r.reasons, sponsored=r.view.sponsored, score=r.score)
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
