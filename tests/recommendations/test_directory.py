"""The in-process listing directory gives find-support exactly the answers the database gives."""

import dataclasses

from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from experts.cards import ListingCard, listing_queryset
from experts.models import Listing
from recommendations.backends import get_backend
from recommendations.directory import ListingDirectory
from recommendations.interface import ReaderContext, find_support
from recommendations.scoring import ListingView, hard_filter_violation, in_step, plan_support, widening_steps
from tests.recommendations.conftest import make_listing
from tests.recommendations.test_properties import listing_views, queries
from website.freshness import clear_process_memos

TYPE_NAMES = {1: "Couples therapist", 2: "Psychologist", 3: "Crisis line", 4: "Brand"}
# A listing type's name belongs to its id, as in the database.
consistent_views = listing_views.map(
    lambda v: dataclasses.replace(v, listing_type_name=TYPE_NAMES[v.listing_type_id])
)
catalogues = st.lists(consistent_views, max_size=30, unique_by=lambda v: v.id)


def could_be_kept(v, q, step) -> bool:
    """What ``plan_support`` keeps from a candidate, restated: the step, the hard filters, and
    relevance (or a crisis service on a sensitive article)."""
    if not in_step(v, step) or hard_filter_violation(v, q) is not None:
        return False
    if v.is_crisis_resource and q.is_sensitive:
        return True
    if not q.has_signals:
        return True
    return (
        any(pk in q.topic_weights for pk, _ in v.specialties)
        or any(pk in q.approach_ids for pk, _ in v.approaches)
        or "coupl" in v.listing_type_name.lower()
    )


@settings(max_examples=400, deadline=None)
@given(q=queries, catalogue=catalogues, exclude=st.frozensets(st.integers(1, 10_000), max_size=5))
def test_candidates_cover_every_listing_a_step_can_keep(q, catalogue, exclude):
    directory = ListingDirectory(catalogue)
    for step in widening_steps(q):
        found = {v.id for v in directory.candidates(q, step, set(exclude))}
        wanted = {v.id for v in catalogue if v.id not in exclude and could_be_kept(v, q, step)}
        assert wanted <= found
        assert not found & exclude


@settings(max_examples=400, deadline=None)
@given(q=queries, catalogue=catalogues)
def test_a_plan_from_the_directory_is_the_plan_from_every_listing(q, catalogue):
    directory = ListingDirectory(catalogue)
    everything = plan_support(q, lambda step, exclude: list(catalogue))
    from_directory = plan_support(q, lambda step, exclude: directory.candidates(q, step, exclude))
    assert from_directory == everything


def test_inactive_and_unverified_listings_are_not_held():
    held = ListingDirectory(
        [
            ListingView(id=1, listing_type_id=1, country="DE"),
            ListingView(id=2, listing_type_id=1, country="DE", is_active=False),
            ListingView(id=3, listing_type_id=1, country="DE", verified=False),
        ]
    )
    assert set(held.views) == {1} and held.by_country["DE"] == {1}


CONTEXTS = [
    ReaderContext(),
    ReaderContext(country="DE"),
    ReaderContext(country="DE", language="de", modality="online"),
    ReaderContext(country="DE", modality="in_person"),
    ReaderContext(country="GB", language="en"),
    ReaderContext(country="FR", language="fr", modality="online"),
    ReaderContext(country="AT", language="de", near=(48.2, 16.37)),
]


def answers(articles, settings, *, directory: bool):
    settings.WELLNESS = {
        **settings.WELLNESS,
        "RECOMMENDATIONS_DIRECTORY_MAX_LISTINGS": 20000 if directory else 0,
    }
    clear_process_memos()
    out = []
    for article in articles:
        for context in CONTEXTS:
            for kwargs in ({"count": 3}, {"count": 6, "include_products": True}):
                result = find_support(article, context=context, **kwargs)
                cards = [s.listing for s in result.suggestions]
                assert all(isinstance(card, ListingCard) for card in cards)  # rows, never model objects
                out.append(
                    (
                        [(s.listing.slug, s.reasons, s.sponsored, s.score) for s in result.suggestions],
                        cards,  # every field a card shows, equal on both paths
                        result.widened_to,
                        result.notice,
                    )
                )
    return out


def test_find_support_answers_as_the_database_does(catalogue, settings):
    couples, trust = catalogue["topics"]["couples"], catalogue["topics"]["trust"]
    for n, (country, langs, online, in_person) in enumerate(
        [("DE", ("de",), True, False), ("AT", ("de", "en"), True, True), ("FR", ("fr",), False, True)] * 3
    ):
        make_listing(
            f"Extra {n}",
            country=country,
            languages=langs,
            specialties=(couples,) if n % 2 else (trust,),
            offers_online=online,
            offers_in_person=in_person,
            accepting_clients=bool(n % 3),
        )
    articles = [catalogue["flagship"], catalogue["insomnia"], catalogue["jealousy"]]
    with_directory = answers(articles, settings, directory=True)
    assert with_directory == answers(articles, settings, directory=False)
    assert sum(bool(found) for found, _, _, _ in with_directory) > len(with_directory) // 2


def test_a_listing_change_shows_at_once(catalogue):
    context = ReaderContext(country="DE", language="de")
    shown = find_support(catalogue["flagship"], context=context, count=2).suggestions[0].listing
    first = Listing.objects.get(pk=shown.pk)
    first.is_active = False
    first.save()
    assert first.slug not in [
        s.listing.slug for s in find_support(catalogue["flagship"], context=context, count=2).suggestions
    ]
    first.is_active = True
    first.specialties.set([])
    first.approaches.set([])
    first.save()
    again = find_support(catalogue["flagship"], context=context, count=2).suggestions
    assert again and "Specialises in couples therapy" not in next(
        (s.reasons for s in again if s.listing.slug == first.slug), []
    )


def test_warm_requests_read_only_the_generation(catalogue):
    context = ReaderContext(country="DE", language="de")
    find_support(catalogue["flagship"], context=context, count=2)
    with CaptureQueriesContext(connection) as ctx:
        result = find_support(catalogue["insomnia"], context=context, count=2)
        find_support(catalogue["flagship"], context=context, count=2)
    assert result.suggestions
    # The generation per request, and the second article's stored need terms (1, kept on the read
    # model); its stored facts and topic names come from the read model, and the chosen listings'
    # cards from the directory's own rows: no listing query (it used to be 4, loading them whole).
    assert len(ctx.captured_queries) == 2 + 1


def test_the_directory_holds_every_listing_as_its_card_shows_it(catalogue):
    """The card rows the directory keeps say what the model objects say, in a card's order."""
    make_listing(
        "Multilingual", languages=("fr", "de", "en"), specialties=tuple(catalogue["topics"].values())
    )
    clear_process_memos()
    directory = get_backend("database").directory()
    from_objects = {obj.pk: ListingCard.from_listing(obj) for obj in listing_queryset().filter(verified=True)}
    assert directory.cards == from_objects and set(directory.cards) == set(directory.views)
    multilingual = next(card for card in directory.cards.values() if card.name == "Multilingual")
    assert multilingual.languages == ("en", "fr", "de")  # by the languages' names, as a card lists them
    assert [t.name for t in multilingual.specialties] == sorted(t.name for t in multilingual.specialties)


def test_without_a_directory_the_cards_are_the_candidates_rows(catalogue, settings, monkeypatch):
    """Beyond the directory's limit the chosen cards are the very rows ranking read: no query of
    their own."""
    settings.WELLNESS = {**settings.WELLNESS, "RECOMMENDATIONS_DIRECTORY_MAX_LISTINGS": 0}
    clear_process_memos()
    backend = get_backend("database")
    read: list[list[ListingCard]] = []

    def spy(ids):
        found = type(backend).load_listing_cards(backend, ids)
        read.append(found)
        return found

    monkeypatch.setattr(backend, "load_listing_cards", spy)
    context = ReaderContext(country="DE", language="de")
    with CaptureQueriesContext(connection) as ctx:
        result = find_support(catalogue["flagship"], context=context, count=2)
    assert result.suggestions
    assert all(any(s.listing is card for rows in read for card in rows) for s in result.suggestions)
    card_queries = [q for q in ctx.captured_queries if '"experts_listing"."booking_url"' in q["sql"]]
    assert len(card_queries) == len([rows for rows in read if rows])
    ids = [s.listing.pk for s in result.suggestions]
    objects = listing_queryset().in_bulk(ids)
    assert [s.listing for s in result.suggestions] == [ListingCard.from_listing(objects[pk]) for pk in ids]


def test_too_large_a_directory_is_asked_in_sql(catalogue, settings):
    settings.WELLNESS = {**settings.WELLNESS, "RECOMMENDATIONS_DIRECTORY_MAX_LISTINGS": 2}
    backend = get_backend("database")
    assert backend.directory() is None
    result = find_support(catalogue["flagship"], context=ReaderContext(country="DE"), count=2)
    assert [s.listing.slug for s in result.suggestions] == ["berlin-couples", "london-couples"]


def test_directory_holds_active_verified_listings(catalogue):
    from experts.models import Listing

    directory = get_backend("database").directory()
    assert set(directory.views) == set(
        Listing.objects.filter(is_active=True, verified=True).values_list("pk", flat=True)
    )


def test_find_support_answers_alike_with_the_read_model_rows_off(catalogue, settings):
    """The article's stored facts kept on the read model (no terms) give the answers its stored
    profile read per request gives."""
    articles = [catalogue[k] for k in ("flagship", "insomnia", "jealousy", "arguing")]
    with_directory = answers(articles, settings, directory=True)
    settings.WELLNESS = {**settings.WELLNESS, "READ_MODEL_MAX_ARTICLES": 0}
    assert answers(articles, settings, directory=True) == with_directory
    assert sum(bool(found) for found, _, _, _ in with_directory) > len(with_directory) // 2
