"""The listings find-support may suggest, held in process memory for one content generation.

Every find-support request used to ask the database for its candidates at each widening step and
then read their compact rows: five queries and about half of the request's time. The listings
change far less often than they are read, so each process keeps them all here instead, as
the same ``ListingView`` rows, with a few inverted indexes (by country, language, specialty,
approach, listing type, and who offers online sessions), and as the card rows
(``experts.cards.ListingCard``) the views were made from, which the chosen listings' cards show.

Correctness does not rest on the indexes being exact. ``candidates`` returns a *superset* of the
listings that can be shown at a step, and ``plan_support`` applies every hard filter, the step and
the relevance rule to each candidate, as it does for the database's and Elasticsearch's candidates.
Ranking orders candidates totally (score, then a rotation hash unique per listing), so any superset
gives the same answer; ``tests/recommendations/test_directory.py`` checks that against the SQL path.

Freshness comes from the content generation (``website.freshness``): a directory is only used for
the token it was built under, and every listing save, delete or relation change renews the token.
Both backends answer find support from it (``backends.base``); above
``RECOMMENDATIONS_DIRECTORY_MAX_LISTINGS`` listings they ask their own store per request instead
(SQL, or the engine's listing index). ``columns`` holds the same listings column-wise, for scoring
them all at once (``recommendations.columns``).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .columns import ListingColumns
from .scoring import ListingView, Step, SupportQuery, type_affinity

if TYPE_CHECKING:
    from experts.cards import ListingCard


class ListingDirectory:
    """Active, verified listings as ``ListingView`` rows, with the indexes candidate search needs,
    and their card rows (``cards``: what the chosen ones' cards show, so that an answer reads no
    listing)."""

    def __init__(self, views: Iterable[ListingView], cards: Iterable[ListingCard] = ()):
        self.views: dict[int, ListingView] = {}
        self.by_country: dict[str, set[int]] = defaultdict(set)
        self.by_language: dict[str, set[int]] = defaultdict(set)
        self.by_specialty: dict[int, set[int]] = defaultdict(set)
        self.by_approach: dict[int, set[int]] = defaultdict(set)
        self.by_type: dict[int, set[int]] = defaultdict(set)
        self.type_names: dict[int, str] = {}
        self.online: set[int] = set()
        self.crisis: set[int] = set()
        for v in views:
            if not (v.is_active and v.verified):
                continue
            self.views[v.id] = v
            self.by_country[v.country].add(v.id)
            for code in v.languages:
                self.by_language[code].add(v.id)
            for pk, _ in v.specialties:
                self.by_specialty[pk].add(v.id)
            for pk, _ in v.approaches:
                self.by_approach[pk].add(v.id)
            self.by_type[v.listing_type_id].add(v.id)
            self.type_names[v.listing_type_id] = v.listing_type_name
            if v.offers_online:
                self.online.add(v.id)
            if v.is_crisis_resource:
                self.crisis.add(v.id)
        self.cards: dict[int, ListingCard] = {card.id: card for card in cards if card.id in self.views}

    @functools.cached_property
    def columns(self) -> ListingColumns:
        """The same listings column-wise, for scoring them all at once (built on first use)."""
        return ListingColumns(list(self.views.values()))

    def __len__(self) -> int:
        return len(self.views)

    def relevant(self, q: SupportQuery) -> set[int] | None:
        """Listings sharing a specialty, an approach or a fitting type with the article (plus crisis
        services on a sensitive one); None when the article gives nothing to match on (all are)."""
        if not q.has_signals:
            return None
        found: set[int] = set()
        for pk in (*q.topic_weights, *q.related_topic_weights):
            found |= self.by_specialty.get(pk, set())
        for type_id in q.suited_types:
            found |= self.by_type.get(type_id, set())
        for pk in q.approach_ids:
            found |= self.by_approach.get(pk, set())
        for type_id, name in self.type_names.items():
            if type_affinity(name, q.terms):
                found |= self.by_type[type_id]
        if q.is_sensitive:
            found |= self.crisis
        return found

    def candidates(
        self, q: SupportQuery, step: Step, exclude: set[int], within: set[int] | None = None
    ) -> list[ListingView]:
        """A superset of the listings ``plan_support`` may keep at ``step``, in id order; among
        ``within`` when given (the backends pass ``columns.ListingColumns.to_shortlist``, the few
        that could be shown; ``columns.Estimate.may_be_kept`` is the coarser superset)."""
        pools: list[set[int]] = []
        relevant = self.relevant(q) if within is None else within
        if relevant is not None:
            pools.append(relevant)
        country = step.country or (q.country if q.modality == "in_person" else None)
        if country:
            pools.append(self.by_country.get(country, set()))
        if step.online or q.modality == "online":
            pools.append(self.online)
        if step.language:
            pools.append(self.by_language.get(step.language, set()))
        if q.listing_type_id is not None:
            of_type = self.by_type.get(q.listing_type_id, set())
            pools.append(of_type | self.crisis if q.is_sensitive else of_type)
        if pools:
            pools.sort(key=len)
            ids = set(pools[0]).intersection(*pools[1:])
        else:
            ids = set(self.views)
        return [self.views[pk] for pk in sorted(ids - exclude)]
