"""Find support's column-wise estimate (``recommendations.columns``) is the model, worked out in bulk.

The estimate only narrows the candidates ``plan_support`` scores one by one; these tests hold it to
the model (``scoring.listing_score``) on every listing of random catalogues shaped like real ones
(concepts with areas of work, profiles with words, reader places), and hold the plan with the
estimate to the plan without it, on catalogues where many candidates are relevant so that the
cut-off decides.
"""

import dataclasses
import datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from recommendations import scoring
from recommendations.columns import Estimate, ListingColumns
from recommendations.directory import ListingDirectory
from recommendations.scoring import ListingView, SupportQuery, listing_score, plan_support

COUNTRIES = ["DE", "GB", "NL"]
LANGUAGES = ["de", "en", "nl"]
TYPES = {1: "Couples therapist", 2: "Psychologist", 3: "Crisis line", 4: "Integration coach"}
WORDS = ["trust", "betray", "coupl", "anxieti", "sleep", "grief", "trauma", "stress"]
# Topics 1–8 in three areas of work (root concepts 101–103); 9 has no concept (its own area).
ROOTS = {1: 101, 2: 101, 3: 101, 4: 102, 5: 102, 6: 103, 7: 103, 8: 103}

coordinates = st.none() | st.tuples(st.floats(50.0, 53.0), st.floats(4.0, 8.0))

views = st.builds(
    lambda pk, type_id, crisis, flags, country, languages, specialties, approaches, profile, place, listed: (
        ListingView(
            id=pk,
            listing_type_id=type_id,
            listing_type_name=TYPES[type_id],
            is_clinical=flags[0],
            is_crisis_resource=crisis,
            offers_joint_sessions=flags[1],
            offers_in_person=flags[2],
            offers_online=flags[3],
            accepting_clients=flags[4],
            country=country,
            languages=languages,
            specialties=tuple((t, f"topic {t}") for t in specialties),
            approaches=tuple((a, f"approach {a}") for a in approaches),
            profile_terms=tuple(sorted(profile.items())),
            latitude=place[0] if place else None,
            longitude=place[1] if place else None,
            is_active=listed[0],
            verified=listed[1],
        )
    ),
    # Mostly listed (active and verified), so that the hard filters' other rules decide too.
    listed=st.tuples(st.booleans(), st.booleans()).filter(lambda t: all(t))
    | st.tuples(st.booleans(), st.booleans()),
    pk=st.integers(1, 5000),
    type_id=st.sampled_from(sorted(TYPES)),
    crisis=st.booleans(),
    flags=st.tuples(*(st.booleans() for _ in range(5))),
    country=st.sampled_from(COUNTRIES),
    languages=st.frozensets(st.sampled_from(LANGUAGES), max_size=3),
    # Mostly the article's own topics: many candidates are relevant, so the cut-off decides.
    specialties=st.lists(st.integers(1, 9), max_size=4),
    approaches=st.lists(st.integers(1, 3), max_size=2, unique=True),
    profile=st.dictionaries(st.sampled_from(WORDS), st.sampled_from([0.5, 1.0, 2.0, 3.0]), max_size=5),
    place=coordinates,
)

queries = st.builds(
    lambda topics, related, approaches, sensitive, joint, reader, need, subject, suited, excluded, count, near, kind: (  # noqa: E501
        SupportQuery(
            article_id=7,
            topic_weights=topics,
            related_topic_weights=related,
            approach_ids=approaches,
            terms=frozenset({"coupl", "trust"}),
            is_sensitive=sensitive,
            advises_against_joint_sessions=joint,
            country=reader[0],
            language=reader[1],
            modality=reader[2],
            near=near,
            count=count,
            day=datetime.date(2026, 12, 4),
            need_terms=need,
            topic_roots=ROOTS,
            joint_topic_ids=frozenset({1}),
            subject_topic_ids=subject,
            suited_types=suited,
            excluded_type_ids=excluded,
            listing_type_id=kind[0],
            include_products=kind[1],
        )
    ),
    topics=st.dictionaries(st.integers(1, 9), st.sampled_from([0.5, 1.0]), max_size=3),
    related=st.dictionaries(st.integers(1, 9), st.sampled_from([0.1, 0.3]), max_size=3),
    approaches=st.frozensets(st.integers(1, 3), max_size=2),
    sensitive=st.booleans(),
    joint=st.booleans(),
    reader=st.tuples(
        st.none() | st.sampled_from(COUNTRIES),
        st.none() | st.sampled_from(LANGUAGES),
        st.none() | st.sampled_from(["in_person", "online"]),
    ),
    need=st.dictionaries(st.sampled_from(WORDS), st.floats(0.1, 3.0), max_size=6),
    subject=st.frozensets(st.integers(1, 9), max_size=4),
    suited=st.dictionaries(st.integers(1, 4), st.just("Relationship problems"), max_size=2),
    excluded=st.frozensets(st.integers(1, 4), max_size=1),
    count=st.integers(1, 4),
    near=coordinates,
    # A group of one listing type (or any), products allowed or not.
    kind=st.tuples(st.none() | st.sampled_from(sorted(TYPES)), st.booleans()),
)
catalogues = st.lists(views, min_size=1, max_size=60, unique_by=lambda v: v.id)


@settings(max_examples=300, deadline=None)
@given(q=queries, catalogue=catalogues)
def test_the_estimate_is_the_model_on_every_listing(q, catalogue):
    estimate = ListingColumns(catalogue).estimate(q)
    for v in catalogue:
        score, relevance = listing_score(v, q)
        estimated_score, estimated_relevance = estimate(v.id)
        assert abs(estimated_relevance - relevance) < scoring.ESTIMATE_EPSILON / 10, v
        assert abs(estimated_score - score) < scoring.ESTIMATE_EPSILON / 10, v


@settings(max_examples=500, deadline=None)
@given(q=queries, catalogue=catalogues)
def test_a_plan_with_the_estimate_is_the_plan_without(q, catalogue):
    directory = ListingDirectory(catalogue)
    estimate = directory.columns.estimate(q)
    without = plan_support(q, lambda step, exclude: list(catalogue))
    narrowed = plan_support(
        q, lambda step, exclude: directory.candidates(q, step, exclude, within=estimate.may_be_kept), estimate
    )
    assert narrowed == without


@settings(max_examples=300, deadline=None)
@given(q=queries, catalogue=catalogues)
def test_the_columns_hard_filters_are_the_rule_on_every_listing(q, catalogue):
    admissible = ListingColumns(catalogue).admissible(q)
    for v, ok in zip(catalogue, admissible.tolist(), strict=True):
        assert ok == (scoring.hard_filter_violation(v, q) is None), v


@settings(max_examples=500, deadline=None)
@given(
    q=queries,
    catalogue=catalogues,
    reader=st.none() | st.tuples(st.sampled_from(COUNTRIES), st.sampled_from(LANGUAGES)),
    shown=st.frozensets(st.integers(1, 5000), max_size=3),
)
def test_a_plan_handed_only_the_shortlist_is_the_plan_without_the_estimate(q, catalogue, reader, shown):
    """What the directory hands over (``to_shortlist``: the hard filters, the widening steps and
    ``shortlist``'s rules column-wise) leaves every answer as it is, notice and widening included."""
    if reader is not None:  # three widening steps
        q = dataclasses.replace(q, country=reader[0], language=reader[1], modality=None)
    shown = frozenset(shown | {v.id for v in catalogue[:1]})  # listings the page already shows
    q = dataclasses.replace(q, exclude_listing_ids=shown)
    directory = ListingDirectory(catalogue)
    estimate = directory.columns.estimate(q)
    within = directory.columns.to_shortlist(q, estimate)
    assert within <= estimate.may_be_kept
    narrowed = plan_support(
        q, lambda step, exclude: directory.candidates(q, step, exclude, within=within), estimate
    )
    assert narrowed == plan_support(q, lambda step, exclude: [v for v in catalogue if v.id not in exclude])


class TestToShortlist:
    """``to_shortlist``'s rules on estimates set by hand: a reader in Germany, three widening steps;
    three British practitioners online (the last step) and two German ones seeing clients in person
    (the first)."""

    def views(self):
        online = dict(country="GB", offers_online=True, offers_in_person=False, languages=frozenset({"en"}))
        local = dict(country="DE", offers_online=False, offers_in_person=True, languages=frozenset({"de"}))
        return [
            ListingView(id=pk, listing_type_id=2, listing_type_name="Psychologist", **place)
            for pk, place in ((1, online), (2, online), (3, online), (4, local), (5, local))
        ]

    def kept(self, count, scores, relevance=(0.5,) * 5):
        views = self.views()
        columns = ListingColumns(views)
        q = SupportQuery(
            article_id=1,
            topic_weights={1: 1.0},
            approach_ids=frozenset(),
            terms=frozenset(),
            country="DE",
            language="de",
            count=count,
        )
        estimate = Estimate(
            columns.position,
            columns.ids,
            np.array(scores, dtype=float),
            np.array(relevance, dtype=float),
            np.ones(len(views), dtype=bool),
        )
        return columns.to_shortlist(q, estimate)

    def test_what_could_round_to_a_tie_with_the_last_shown_is_kept(self):
        # Second best 0.885: the bar is 0.865, so 0.85 cannot be shown; the first step's best two too.
        assert self.kept(2, (0.9, 0.885, 0.85, 0.5, 0.45)) == {1, 2, 4, 5}
        # One card: within 0.02 of the best (0.885 may round to its 0.89 and win the rotation).
        assert self.kept(1, (0.9, 0.885, 0.85, 0.5, 0.45)) == {1, 2, 4}

    def test_the_first_step_keeps_every_plausible_one_when_too_few_are_certainly_relevant(self):
        just_below = scoring.MIN_RELEVANCE - scoring.ESTIMATE_EPSILON / 2  # plausible, not certain
        assert self.kept(2, (0.9, 0.885, 0.85, 0.5, 0.45), (0.5, 0.5, 0.5, 0.5, just_below)) == {1, 2, 4, 5}
        far_below = scoring.MIN_RELEVANCE - 2 * scoring.ESTIMATE_EPSILON  # ruled out
        assert self.kept(2, (0.9, 0.885, 0.85, 0.5, 0.45), (0.5, 0.5, 0.5, 0.5, far_below)) == {1, 2, 4}


def test_only_the_candidates_that_could_be_shown_are_scored_one_by_one(monkeypatch):
    """Three hundred relevant practitioners (ten on the whole need, the others on part of it), two
    cards: at most the ten are scored exactly, the others only estimated."""
    catalogue = [
        ListingView(
            id=pk,
            listing_type_id=2,
            listing_type_name="Psychologist",
            country="DE",
            offers_online=True,
            languages=frozenset({"de"}),
            specialties=((1, "topic"), (2, "topic"), (3, "topic")) if pk % 30 == 0 else ((1, "topic"),),
            profile_terms=(("trust", float(pk % 7)),),
        )
        for pk in range(1, 301)
    ]
    q = SupportQuery(
        article_id=1,
        topic_weights={1: 1.0, 2: 1.0, 3: 0.5},
        approach_ids=frozenset(),
        terms=frozenset({"trust"}),
        country="DE",
        language="de",
        count=2,
        day=datetime.date(2026, 12, 4),
        need_terms={"trust": 1.0},
        topic_roots=ROOTS,
    )
    scored = []
    model = scoring.listing_score
    monkeypatch.setattr(scoring, "listing_score", lambda v, *a, **k: scored.append(v.id) or model(v, *a, **k))
    directory = ListingDirectory(catalogue)
    estimate = directory.columns.estimate(q)
    plan = plan_support(
        q, lambda step, exclude: directory.candidates(q, step, exclude, within=estimate.may_be_kept), estimate
    )
    assert [r.view.id % 30 for r in plan.ranked] == [0, 0]
    # Only some of the ten are candidates to score (then the two shown again, for their reasons).
    assert all(pk % 30 == 0 for pk in scored)
    assert len(scored) <= 10 + 2
    # The same two without the estimate, scoring all three hundred.
    scored.clear()
    assert plan_support(q, lambda step, exclude: list(catalogue)) == plan
    assert len(scored) == 300 + 2


def test_columns_of_listings_without_specialties_approaches_or_profiles():
    bare = [
        ListingView(id=1, listing_type_id=2, listing_type_name="Psychologist"),
        dataclasses.replace(
            ListingView(id=2, listing_type_id=3, listing_type_name="Crisis line"), is_crisis_resource=True
        ),
    ]
    q = SupportQuery(
        article_id=1, topic_weights={1: 1.0}, approach_ids=frozenset(), terms=frozenset(), is_sensitive=True
    )
    estimate = ListingColumns(bare).estimate(q)
    for v in bare:
        assert estimate(v.id) == listing_score(v, q)
    assert estimate.may_be_kept == {2}


@settings(max_examples=300, deadline=None)
@given(
    q=queries, catalogue=catalogues, reader=st.tuples(st.sampled_from(COUNTRIES), st.sampled_from(LANGUAGES))
)
def test_a_plan_with_the_estimate_is_the_plan_without_across_widening_steps(q, catalogue, reader):
    """A reader with a country and a language, not asking for in-person help: three steps, so the
    best cards can lie beyond the first step, where only the cut-off keeps them."""
    q = dataclasses.replace(q, country=reader[0], language=reader[1], modality=None, count=max(2, q.count))
    catalogue = [dataclasses.replace(v, offers_online=True, is_clinical=True) for v in catalogue]
    estimate = ListingColumns(catalogue).estimate(q)
    assert plan_support(q, lambda step, exclude: list(catalogue), estimate) == plan_support(
        q, lambda step, exclude: list(catalogue)
    )
