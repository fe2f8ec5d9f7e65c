"""Property-based tests: the hard filters hold for any reader context and any catalogue."""

import dataclasses
import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommendations.evaluation import violation
from recommendations.interface import ReaderContext
from recommendations.scoring import (
    CONTEXT_BOOST_MAX,
    MIN_RELEVANCE,
    ListingView,
    SupportQuery,
    crisis_slots,
    hard_filter_violation,
    in_step,
    order_fairly,
    plan_support,
    score_listing,
    widening_steps,
)

COUNTRIES = ["DE", "GB", "FR", "AT"]
LANGUAGES = ["de", "en", "fr"]

listing_views = st.builds(
    ListingView,
    id=st.integers(1, 10_000),
    listing_type_id=st.integers(1, 4),
    listing_type_name=st.sampled_from(["Couples therapist", "Psychologist", "Crisis line", "Brand"]),
    is_clinical=st.booleans(),
    is_crisis_resource=st.booleans(),
    offers_joint_sessions=st.booleans(),
    offers_in_person=st.booleans(),
    offers_online=st.booleans(),
    country=st.sampled_from(COUNTRIES),
    languages=st.frozensets(st.sampled_from(LANGUAGES), max_size=3),
    specialties=st.lists(st.tuples(st.integers(1, 5), st.just("t")), max_size=3).map(tuple),
    approaches=st.lists(st.tuples(st.integers(1, 3), st.just("a")), max_size=2).map(tuple),
    is_active=st.booleans(),
    verified=st.booleans(),
    sponsored=st.booleans(),
)
queries = st.builds(
    SupportQuery,
    article_id=st.integers(1, 50),
    topic_weights=st.dictionaries(st.integers(1, 5), st.sampled_from([0.5, 1.0]), max_size=3),
    approach_ids=st.frozensets(st.integers(1, 3), max_size=2),
    terms=st.just(frozenset({"coupl"})),
    is_sensitive=st.booleans(),
    advises_against_joint_sessions=st.booleans(),
    country=st.none() | st.sampled_from(COUNTRIES),
    language=st.none() | st.sampled_from(LANGUAGES),
    modality=st.none() | st.sampled_from(["in_person", "online"]),
    listing_type_id=st.none() | st.integers(1, 4),
    include_products=st.booleans(),
    count=st.integers(1, 6),
    day=st.dates(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
)


def independent_violation(v: ListingView, q: SupportQuery) -> str | None:
    """The rules restated plainly, without the ranking code."""
    if not v.is_active or not v.verified:
        return "status"
    if not v.is_clinical and not q.include_products:
        return "product"
    if q.advises_against_joint_sessions and v.offers_joint_sessions:
        return "joint"
    if q.modality == "in_person" and not (
        v.offers_in_person and (q.country is None or v.country == q.country)
    ):
        return "in person"
    if q.modality == "online" and not v.offers_online:
        return "online"
    if q.country and v.country != q.country and not v.offers_online:
        return "unreachable"
    if (
        q.listing_type_id is not None
        and v.listing_type_id != q.listing_type_id
        and not (q.is_sensitive and v.is_crisis_resource)
    ):
        return "type"
    return None


@settings(max_examples=300, deadline=None)
@given(q=queries, catalogue=st.lists(listing_views, max_size=25, unique_by=lambda v: v.id))
def test_plan_never_violates_a_hard_filter(q, catalogue):
    plan = plan_support(q, lambda step, exclude: list(catalogue))
    assert len(plan.ranked) <= q.count
    assert len({r.view.id for r in plan.ranked}) == len(plan.ranked)
    for ranked in plan.ranked:
        assert independent_violation(ranked.view, q) is None
        assert hard_filter_violation(ranked.view, q) is None


@settings(max_examples=300, deadline=None)
@given(q=queries, catalogue=st.lists(listing_views, max_size=25, unique_by=lambda v: v.id))
def test_crisis_resources_lead_on_sensitive_articles(q, catalogue):
    plan = plan_support(q, lambda step, exclude: list(catalogue))
    kinds = [r.view.is_crisis_resource for r in plan.ranked]
    if q.is_sensitive and any(kinds):
        assert kinds[0] is True
        assert kinds == sorted(kinds, reverse=True)


@pytest.mark.django_db
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    specs=st.lists(
        st.tuples(
            st.sampled_from(COUNTRIES),
            st.booleans(),
            st.booleans(),
            st.booleans(),
            st.booleans(),
            st.sampled_from(["Couples therapist", "Psychologist", "Wellness brand"]),
        ),
        min_size=1,
        max_size=8,
    ),
    contexts=st.lists(
        st.builds(
            ReaderContext,
            country=st.none() | st.sampled_from(COUNTRIES),
            language=st.none() | st.sampled_from(LANGUAGES),
            modality=st.none() | st.sampled_from(["in_person", "online"]),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_database_backend_respects_hard_filters_on_random_catalogues(eval_article, specs, contexts):
    from django.db import transaction

    from experts.models import Listing
    from recommendations.interface import find_support

    from .conftest import make_listing

    article, topic = eval_article
    with transaction.atomic():
        for n, (country, in_person, online, verified, active, type_name) in enumerate(specs):
            make_listing(
                f"Random {n}",
                country=country,
                type_name=type_name,
                specialties=(topic,),
                offers_in_person=in_person or not online,
                offers_online=online,
                verified=verified,
                is_active=active,
                languages=("de", "en"),
            )
        for context in contexts:
            for s in find_support(article, context=context, count=4).suggestions:
                assert violation(s.listing, context, advises_against_joint=False) is None
        transaction.set_rollback(True)
    assert not Listing.objects.filter(slug__startswith="random-").exists()


@pytest.fixture
def eval_article(db):
    from tests import factories

    factories.listing_type("Wellness brand", is_clinical=False)
    factories.listing_type("Psychologist")
    topic = factories.topic("Couples therapy")
    return factories.article(title="Random couples", topics=[topic]), topic


located_views = st.tuples(
    listing_views,
    st.none() | st.tuples(st.floats(47.0, 55.0), st.floats(5.0, 15.0)),
    st.booleans(),
).map(
    lambda t: dataclasses.replace(
        t[0],
        latitude=t[1][0] if t[1] else None,
        longitude=t[1][1] if t[1] else None,
        accepting_clients=t[2],
    )
)
located_queries = st.tuples(queries, st.none() | st.tuples(st.floats(47.0, 55.0), st.floats(5.0, 15.0))).map(
    lambda t: dataclasses.replace(t[0], near=t[1])
)


def plan_by_scoring_everything(q: SupportQuery, catalogue: list[ListingView]):
    """The ranking restated: every allowed candidate of every step scored with its reasons, one
    list ordered; ``widened_to`` is the widest first step of a shown (non-crisis) card. Crisis
    resources only exist in ``crisis`` on sensitive articles."""
    steps = widening_steps(q)
    found, crisis, first_step = [], [], {}
    for v in catalogue:
        if v.id in q.exclude_listing_ids or hard_filter_violation(v, q) is not None:
            continue
        index = next((i for i, step in enumerate(steps) if in_step(v, step)), None)
        if index is None:
            continue
        first_step[v.id] = index
        ranked = score_listing(v, q, steps[index])
        if v.is_crisis_resource and q.is_sensitive:
            crisis.append(ranked)
        elif ranked.relevance >= MIN_RELEVANCE or not q.has_signals:
            found.append(ranked)
    # One crisis line leads; the further crisis slots only take relevant ones.
    ordered_crisis = order_fairly(crisis, q)
    lead = (
        ordered_crisis[:1]
        + [r for r in ordered_crisis[1:] if r.relevance >= MIN_RELEVANCE or not q.has_signals][
            : crisis_slots(q.count) - 1
        ]
    )
    chosen = order_fairly(found, q)[: q.count - len(lead)]
    widest = max((first_step[r.view.id] for r in chosen), default=0)
    return lead + chosen, steps[widest].name if widest else None


@settings(max_examples=500, deadline=None)
@given(q=located_queries, catalogue=st.lists(located_views, max_size=40, unique_by=lambda v: v.id))
def test_plan_equals_scoring_and_ordering_every_candidate(q, catalogue):
    """``plan_support`` writes reasons for the chosen only and hashes only candidates that can be
    chosen; the plan is the one from scoring and ordering every candidate."""
    plan = plan_support(q, lambda step, exclude: list(catalogue))
    assert (plan.ranked, plan.widened_to) == plan_by_scoring_everything(q, catalogue)


@settings(max_examples=500, deadline=None)
@given(q=located_queries, catalogue=st.lists(located_views, max_size=40, unique_by=lambda v: v.id))
def test_locality_never_lifts_a_clearly_weaker_match(q, catalogue):
    """Locality is a bounded boost: a shown card is never ranked above an allowed candidate whose
    relevance is higher by more than ``CONTEXT_BOOST_MAX`` plus the rounding step."""
    plan = plan_support(q, lambda step, exclude: list(catalogue))
    shown = [r for r in plan.ranked if not (q.is_sensitive and r.view.is_crisis_resource)]
    allowed = [
        score_listing(v, q, widening_steps(q)[0])
        for v in catalogue
        if independent_violation(v, q) is None
        and not (v.is_crisis_resource and q.is_sensitive)
        and not (q.country and v.country != q.country and not v.offers_online)
    ]
    for position, card in enumerate(shown):
        for other in allowed:
            if other.relevance - card.relevance > CONTEXT_BOOST_MAX + 0.01:
                assert other.view.id in {r.view.id for r in shown[:position]}


@settings(max_examples=300, deadline=None)
@given(
    q=queries,
    catalogue=st.lists(listing_views, max_size=25, unique_by=lambda v: v.id),
    data=st.data(),
)
def test_listings_already_on_the_page_are_never_repeated(q, catalogue, data):
    ids = [v.id for v in catalogue]
    shown = frozenset(data.draw(st.lists(st.sampled_from(ids), max_size=5)) if ids else [])
    q = dataclasses.replace(q, exclude_listing_ids=shown)
    plan = plan_support(q, lambda step, exclude: list(catalogue))
    assert not {r.view.id for r in plan.ranked} & shown
