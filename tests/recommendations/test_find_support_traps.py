"""Issue 14's traps, with fictional listings of the same shape: relevance first, locality as a
bounded boost, reasons with the distance, no repeats of the editors' cards."""

from __future__ import annotations

import dataclasses
import datetime
import itertools

import pytest

from recommendations.backends import get_backend
from recommendations.concepts import ensure_default_vocabulary
from recommendations.interface import ReaderContext, find_support
from recommendations.scoring import (
    MIN_RELEVANCE,
    TEXT_PART,
    ListingView,
    SupportQuery,
    distance_phrase,
    location_reason,
    plan_support,
    text_relevance,
)
from recommendations.text import need_terms, profile_terms, stem
from tests import factories

from .conftest import make_listing

MUNICH = (48.137, 11.575)
COLOGNE = (50.938, 6.960)  # about 450 km from Munich

ON_TOPIC = {"dr-lena-hartmann", "dr-jonas-weber", "ruth-ainsley-couples", "dr-priya-nair"}
COACHES = {"tulip-integration", "canal-integration"}
PRODUCTS = {"calm-tea-co", "steady-mind-kit"}
OFF_TOPIC = COACHES | PRODUCTS | {"lakeside-sleep-clinic"}


@pytest.fixture
def infidelity(db, settings):
    """An article on rebuilding trust after infidelity, with its nine (fictional) practitioners."""
    from wagtail.signal_handlers import disable_reference_index_auto_update

    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {"BACKEND": "wagtail.search.backends.database", "AUTO_UPDATE": False}
    }
    with disable_reference_index_auto_update():
        return _build()


def _build():
    trust = factories.topic("Trust and betrayal")
    couples = factories.topic("Couples therapy")
    trauma = factories.topic("Trauma", synonyms="betrayal trauma")
    stress = factories.topic("Stress", synonyms="post-traumatic stress")
    anxiety, depression = factories.topic("Anxiety"), factories.topic("Depression")
    psychedelics = factories.topic("Psychedelic integration")
    sleep = factories.topic("Sleep")
    factories.listing_type("Psychologist")
    factories.listing_type("Couples therapist", offers_joint_sessions=True)
    factories.listing_type("Integration coach")
    factories.listing_type("Wellness brand", is_clinical=False)
    factories.listing_type("Clinic")
    ensure_default_vocabulary()
    article = factories.article(
        title="Rebuilding trust after infidelity",
        standfirst="How couples repair broken trust after an affair.",
        topics=[trust],
        body=[
            ("heading", {"text": "What happens after an affair", "level": "h2"}),
            (
                "paragraph",
                "<p>Many people describe betrayal trauma after discovering an affair. Some notice "
                "symptoms that resemble post-traumatic stress, such as intrusive memories.</p>",
            ),
            ("paragraph", "<p>Rebuilding trust takes honesty, time and often professional help.</p>"),
        ],
    )
    listings = {
        "munich": make_listing(
            "Dr Lena Hartmann",
            type_name="Psychologist",
            country="DE",
            city="Munich",
            languages=("de", "en"),
            specialties=(anxiety, depression),
            offers_online=True,
            latitude=MUNICH[0],
            longitude=MUNICH[1],
        ),
        "cologne": make_listing(
            "Dr Jonas Weber",
            type_name="Psychologist",
            country="DE",
            city="Cologne",
            languages=("de",),
            specialties=(depression, anxiety),
            latitude=COLOGNE[0],
            longitude=COLOGNE[1],
        ),
        "london_couples": make_listing(
            "Ruth Ainsley Couples",
            type_name="Couples therapist",
            country="GB",
            city="London",
            languages=("en",),
            specialties=(couples, trust),
            offers_online=True,
        ),
        "manchester": make_listing(
            "Dr Priya Nair",
            type_name="Psychologist",
            country="GB",
            city="Manchester",
            languages=("en",),
            specialties=(anxiety,),
            offers_online=True,
        ),
        "coach_a": make_listing(
            "Tulip Integration",
            type_name="Integration coach",
            country="NL",
            languages=("nl", "en", "de"),
            specialties=(psychedelics, trauma, stress),
            offers_online=True,
        ),
        "coach_b": make_listing(
            "Canal Integration",
            type_name="Integration coach",
            country="NL",
            languages=("nl", "en"),
            specialties=(psychedelics, trauma),
            offers_online=True,
            offers_in_person=False,
        ),
        "brand_a": make_listing(
            "Calm Tea Co",
            type_name="Wellness brand",
            country="DE",
            languages=("de", "en"),
            specialties=(stress, trust),
            offers_online=True,
        ),
        "brand_b": make_listing(
            "Steady Mind Kit",
            type_name="Wellness brand",
            country="GB",
            languages=("en",),
            specialties=(stress,),
            offers_online=True,
        ),
        "clinic": make_listing(
            "Lakeside Sleep Clinic",
            type_name="Clinic",
            country="DE",
            city="Munich",
            languages=("de",),
            specialties=(sleep,),
            offers_online=True,
        ),
    }
    return {"article": article, "listings": listings}


def slugs(result) -> list[str]:
    return [s.listing.slug for s in result.suggestions]


def allowed(listing, context: ReaderContext) -> bool:
    """The reader's hard filters, restated for the listings of this fixture."""
    if context.modality == "in_person":
        return listing.offers_in_person and (context.country is None or listing.country == context.country)
    if context.modality == "online" and not listing.offers_online:
        return False
    return context.country is None or listing.country == context.country or listing.offers_online


CONTEXTS = [
    ReaderContext(country=country, language=language, modality=modality)
    for country, language, modality in itertools.product(
        (None, "DE", "GB", "NL", "AT", "US"), (None, "de", "en"), (None, "in_person", "online")
    )
]


class TestEveryReaderContext:
    def test_on_topic_clinicians_first_and_no_coach_or_product_anywhere(self, infidelity):
        by_slug = {obj.slug: obj for obj in infidelity["listings"].values()}
        for context in CONTEXTS:
            found = slugs(find_support(infidelity["article"], context=context, count=9))
            expected = {slug for slug in ON_TOPIC if allowed(by_slug[slug], context)}
            # Every on-topic clinician the reader's filters allow is shown, and nothing off-topic:
            # a coach is not brought by "betrayal trauma" or "post-traumatic stress".
            assert set(found) == expected, context
            assert not set(found) & OFF_TOPIC, context

    def test_the_couples_therapist_is_not_dropped_below_weaker_local_matches(self, infidelity):
        for language in (None, "de"):
            result = find_support(
                infidelity["article"], context=ReaderContext(country="DE", language=language), count=3
            )
            assert slugs(result)[0] == "ruth-ainsley-couples"
            assert set(slugs(result)[1:]) == {"dr-lena-hartmann", "dr-jonas-weber"}
            assert result.suggestions[0].reasons[0] == "Couples therapist: works with trust and betrayal"
            # Two relevant German cards for three places: few local matches, and it says so.
            assert result.widened_to == "everywhere"
            assert (
                result.notice
                == "Few matches in Germany, so we also show online options from other countries."
            )
            # For two places the local matches would have sufficed: the British card is there on its merit.
            two = find_support(
                infidelity["article"], context=ReaderContext(country="DE", language=language), count=2
            )
            assert slugs(two)[0] == "ruth-ainsley-couples" and two.widened_to == "everywhere"
            assert two.notice == (
                "We also show online options from outside Germany that match this article more closely."
            )

    def test_a_psychologist_request_finds_the_two_psychologists_without_the_tag(self, infidelity):
        from experts.models import ListingType

        psychologist = ListingType.objects.get(slug="psychologist")
        result = find_support(
            infidelity["article"],
            context=ReaderContext(country="DE", modality="in_person"),
            listing_type=psychologist,
            count=5,
        )
        assert set(slugs(result)) == {"dr-lena-hartmann", "dr-jonas-weber"}
        assert all(s.reasons[0] == "Psychologist: works with trust and betrayal" for s in result.suggestions)


class TestNear:
    def test_a_munich_reader_in_person_gets_the_munich_psychologist_first(self, infidelity):
        three_km_away = (MUNICH[0] + 0.027, MUNICH[1])
        backend = get_backend("database")
        for day in range(1, 15):  # whatever the day's rotation
            result = backend.find_support(
                infidelity["article"],
                context=ReaderContext(country="DE", modality="in_person", near=three_km_away),
                count=2,
                day=datetime.date(2026, 12, day),
            )
            assert slugs(result) == ["dr-lena-hartmann", "dr-jonas-weber"], day
        munich, cologne = result.suggestions
        assert munich.reasons[0] == "Psychologist: works with trust and betrayal"
        assert "In Munich, 3 km from you" in munich.reasons
        assert "In Cologne, about 450 km from you" in cologne.reasons

    def test_near_does_not_lift_a_clearly_weaker_match(self, infidelity):
        result = find_support(
            infidelity["article"], context=ReaderContext(country="DE", near=MUNICH), count=3
        )
        assert slugs(result) == ["ruth-ainsley-couples", "dr-lena-hartmann", "dr-jonas-weber"]
        assert "In Munich, less than 1 km from you" in result.suggestions[1].reasons


class TestNoRepeats:
    def article_with_groups(self, infidelity):
        from articles.models import ArticlePage

        chosen = infidelity["listings"]["london_couples"]
        page = infidelity["article"]
        page.body = ArticlePage._meta.get_field("body").stream_block.to_python(
            [
                factories.block(
                    "find_support", factories.find_support_value([chosen], title="Our editors' choice")
                ),
                factories.block("find_support", factories.find_support_value(mode="automatic", count=3)),
            ]
        )
        page.save_revision().publish()
        page.refresh_from_db()
        return page

    def test_automatic_group_skips_the_editors_listings_and_still_fills(self, infidelity):
        page = self.article_with_groups(infidelity)
        plain = find_support(page, context=ReaderContext(country="DE"), count=3)
        assert "ruth-ainsley-couples" in slugs(plain)
        result = find_support(
            page,
            context=ReaderContext(country="DE"),
            count=3,
            exclude_listings=[infidelity["listings"]["london_couples"].pk],
        )
        assert set(slugs(result)) == {"dr-lena-hartmann", "dr-jonas-weber", "dr-priya-nair"}

    def test_page_and_api_never_repeat_an_editors_card(self, infidelity, client, settings):
        settings.WELLNESS = {**getattr(settings, "WELLNESS", {}), "ANON_RATE": None}
        page = self.article_with_groups(infidelity)
        html = client.get(page.url, {"country": "DE"})
        assert html.status_code == 200
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(html.content, "html.parser")
        page_groups = [
            [h.get_text(strip=True) for h in group.select(".listing-card .card-title")]
            for group in soup.select(".article-body .find-support")
        ]
        bundle = client.get(f"/api/v1/articles/{page.slug}/", {"country": "DE"}).json()
        api_groups = [
            [card["listing"]["name"] for card in block["value"]["cards"]]
            for block in bundle["body"]
            if block["type"] == "find_support"
        ]
        assert page_groups == api_groups
        editors, automatic = api_groups
        assert editors == ["Ruth Ainsley Couples"]
        assert len(automatic) == 3 and "Ruth Ainsley Couples" not in automatic


class TestDistanceReason:
    @pytest.mark.parametrize(
        ("km", "words"),
        [(0.4, "less than 1 km"), (3.2, "3 km"), (9.6, "10 km"), (43, "about 45 km"), (403, "about 400 km")],
    )
    def test_distances_are_rounded_as_a_reader_reads_them(self, km, words):
        assert distance_phrase(km) == words

    def test_only_for_an_in_person_listing_with_the_readers_position(self):
        q = SupportQuery(
            article_id=1, topic_weights={}, approach_ids=frozenset(), terms=frozenset(), near=MUNICH
        )
        here = ListingView(id=1, listing_type_id=1, city="Munich", latitude=MUNICH[0], longitude=MUNICH[1])
        assert location_reason(here, q) == "In Munich, less than 1 km from you"
        online_only = ListingView(
            id=2, listing_type_id=1, offers_in_person=False, latitude=MUNICH[0], longitude=MUNICH[1]
        )
        assert location_reason(online_only, q) is None
        nameless = ListingView(id=3, listing_type_id=1, latitude=MUNICH[0], longitude=MUNICH[1])
        assert location_reason(nameless, q) == "Less than 1 km from you"


class TestTextRelevance:
    """Field-weighted BM25 between the article's need terms and the listing's profile."""

    def query(self, **fields) -> SupportQuery:
        base = dict(
            article_id=1,
            topic_weights={2: 1.0},
            approach_ids=frozenset(),
            terms=frozenset(),
            suited_types={101: "Trust and betrayal"},
        )
        return SupportQuery(**{**base, **fields})

    def psychologist(self, pk, summary, specialties=()) -> ListingView:
        return ListingView(
            id=pk,
            listing_type_id=101,
            listing_type_name="Psychologist",
            specialties=tuple((i + 50, name) for i, name in enumerate(specialties)),
            profile_terms=profile_terms(summary, "Psychologist", specialties, []),
        )

    def test_a_profile_about_the_need_ranks_above_one_that_is_not(self):
        q = self.query(need_terms={"betrayal": 2.1, "trust": 2.1, "affair": 1.7, "honesty": 1.0})
        about = self.psychologist(1, "Helps couples rebuild trust after an affair or betrayal.")
        other = self.psychologist(2, "Helps adults sleep better and manage insomnia.")
        assert text_relevance(about, q) > 0.3 and text_relevance(other, q) == 0.0
        ranked = plan_support(dataclasses.replace(q, count=2), lambda step, exclude: [other, about]).ranked
        assert [r.view.id for r in ranked] == [1, 2]

    def test_salient_terms_outweigh_incidental_ones(self):
        q = self.query(need_terms={"betrayal": 3.2, stem("stress"): 1.0})
        salient = self.psychologist(1, "Works with betrayal.")
        incidental = self.psychologist(2, "Works with stress.")
        assert text_relevance(salient, q) > text_relevance(incidental, q) > 0

    def test_words_alone_never_reach_the_minimum(self):
        """Text is a part of relevance, not a way around the vocabulary: an integration coach whose
        profile is full of the article's words stays out where psychedelics are not the subject."""
        q = self.query(
            need_terms={"trauma": 2.0, "stress": 2.0},
            suited_types={},
            excluded_type_ids=frozenset({102}),
        )
        coach = ListingView(
            id=3,
            listing_type_id=102,
            listing_type_name="Integration coach",
            profile_terms=profile_terms("Trauma and stress after ceremonies.", "Integration coach", [], []),
        )
        unrelated = dataclasses.replace(coach, id=4, listing_type_id=105, listing_type_name="Sleep clinic")
        assert TEXT_PART < MIN_RELEVANCE
        assert plan_support(q, lambda step, exclude: [coach, unrelated]).ranked == []

    def test_need_terms_leave_out_warnings_and_weigh_the_title(self):
        from articles.models import ArticlePage

        body = ArticlePage._meta.get_field("body").stream_block.to_python(
            [
                {"type": "heading", "value": {"text": "Repairing trust", "level": "h2"}},
                {
                    "type": "paragraph",
                    "value": "<p>Trust grows back slowly. Couples therapy is not safe here.</p>",
                },
                {"type": "paragraph", "value": "<p>Some feel stress.</p>"},
                {"type": "safety_note", "value": {"title": "Safety", "text": "<p>Leave if unsafe.</p>"}},
            ]
        )
        terms = need_terms("Rebuilding trust after infidelity", "", body)
        assert "coupl" not in terms and "leave" not in terms
        assert terms["trust"] > terms[stem("infidelity")] > terms[stem("stress")]
