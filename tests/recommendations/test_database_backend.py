"""The database backend through the one interface: related articles and find-support."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import EditorialPick
from recommendations.backends import get_backend
from recommendations.interface import ReaderContext, find_support, related_articles
from recommendations.models import ArticleProfile, RelatedScore
from tests import factories

from .conftest import make_listing, paragraph_body

pytestmark = pytest.mark.django_db


def slugs(items):
    return [getattr(i, "article", None).slug if hasattr(i, "article") else i.listing.slug for i in items]


def query_counts(request, settings, directory_setting: str) -> tuple[int, int, int]:
    """Queries of ``request()``: the first of a generation, the next one, and the next one with the
    directory that ``directory_setting`` bounds turned off."""
    from website.freshness import clear_process_memos

    def count():
        with CaptureQueriesContext(connection) as ctx:
            request()
        return len(ctx.captured_queries)

    clear_process_memos()
    first, again = count(), count()
    settings.WELLNESS = {**settings.WELLNESS, directory_setting: 0}
    clear_process_memos()
    count()
    without_directory = count()
    settings.WELLNESS = {k: v for k, v in settings.WELLNESS.items() if k != directory_setting}
    return first, again, without_directory


class TestRelatedArticles:
    def test_similar_articles_fill_without_self(self, catalogue):
        related = related_articles(catalogue["flagship"], limit=6)
        found = [r.article.slug for r in related]
        assert catalogue["flagship"].slug not in found
        assert found[:2] == ["jealousy-and-trust", "arguing-well-as-a-couple"]
        assert "insomnia-basics" not in found  # nothing in common
        assert all(r.source == "automatic" for r in related)
        assert "Also about trust" in related[0].reasons or "Also about couples therapy" in related[0].reasons

    def test_editorial_picks_first_in_editor_order_live_only(self, catalogue):
        flagship = catalogue["flagship"]
        draft = factories.article(catalogue["sections"]["habits"], "Unpublished pick", publish=False)
        for page in (catalogue["insomnia"], draft, catalogue["arguing"]):
            EditorialPick.objects.create(page=flagship, picked=page)
        related = related_articles(flagship, limit=6)
        assert [r.article.slug for r in related[:2]] == ["insomnia-basics", "arguing-well-as-a-couple"]
        assert [r.source for r in related[:2]] == ["editorial_pick", "editorial_pick"]
        found = [r.article.slug for r in related]
        assert "unpublished-pick" not in found
        assert len(found) == len(set(found))  # a pick is not repeated by the automatic fill

    def test_limit_is_respected_and_zero_gives_nothing(self, catalogue):
        assert len(related_articles(catalogue["flagship"], limit=1)) == 1
        assert related_articles(catalogue["flagship"], limit=0) == []

    def test_unpublished_article_disappears_after_reindex(
        self, catalogue, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            catalogue["jealousy"].unpublish()
        assert not RelatedScore.objects.filter(related_id=catalogue["jealousy"].pk).exists()
        assert "jealousy-and-trust" not in [r.article.slug for r in related_articles(catalogue["flagship"])]

    def test_diversity_discounts_a_repeated_author(self, catalogue):
        relationships = catalogue["sections"]["relationships"]
        mara = catalogue["people"]["mara"]
        for n in range(4):
            factories.article(
                relationships,
                f"Trust notes {n}",
                topics=[catalogue["topics"]["trust"]],
                authors=(mara,),
                body=paragraph_body("Trust and couples therapy after an affair."),
            )
        get_backend("database").rebuild(log=lambda *a: None)
        related = related_articles(catalogue["flagship"], limit=3)
        authors = [r.article.author_ids for r in related]
        assert len(set(authors)) > 1

    def test_unindexed_article_still_gets_topic_neighbours(self, catalogue):
        ArticleProfile.objects.all().delete()
        RelatedScore.objects.all().delete()
        found = [r.article.slug for r in related_articles(catalogue["flagship"])]
        assert set(found[:2]) == {"jealousy-and-trust", "arguing-well-as-a-couple"}

    def test_incremental_indexing_matches_rebuild(self, catalogue):
        store = get_backend("database").store
        new = factories.article(
            catalogue["sections"]["relationships"],
            "Affair recovery",
            topics=[catalogue["topics"]["trust"]],
            body=paragraph_body("After an affair couples rebuild trust with a therapist."),
        )
        store.index_article(new.pk)
        incremental = {(r.article_id, r.related_id) for r in RelatedScore.objects.filter(related_id=new.pk)}
        store.rebuild()
        rebuilt = {(r.article_id, r.related_id) for r in RelatedScore.objects.filter(related_id=new.pk)}
        assert incremental == rebuilt and incremental

    def test_query_count_is_constant_at_two_catalogue_sizes(self, catalogue, settings):
        def counts():
            return query_counts(
                lambda: related_articles(catalogue["flagship"], limit=6),
                settings,
                "READ_MODEL_MAX_ARTICLES",
            )

        small = counts()
        for n in range(12):
            factories.article(
                catalogue["sections"]["relationships"],
                f"More trust {n}",
                topics=[catalogue["topics"]["trust"]],
                body=paragraph_body("Trust and couples."),
            )
        get_backend("database").rebuild(log=lambda *a: None)
        # Every request reads the generation token and the article's neighbours (2). The first of a
        # generation also builds the read model (the page tree with the next expiry, pages, authors
        # with their bylines, topics, picks: 5) and reads the stored profiles' facts onto it (1).
        # Without article rows in the read model each request reads the picks, the candidate rows
        # (pages, authors, topics: 3) and the article's stored facts (1) itself.
        assert small == counts() == (8, 2, 7)


class TestFindSupport:
    def test_relevance_first_locality_as_a_boost_with_reasons(self, catalogue):
        """London (both topics, online) is a clearly better match than Hamburg (one topic, local):
        relevance first, and the notice says the card from abroad is there on its merit."""
        result = find_support(
            catalogue["flagship"], context=ReaderContext(country="DE", language="de"), count=2
        )
        assert [s.listing.slug for s in result.suggestions] == ["berlin-couples", "london-couples"]
        berlin = result.suggestions[0]
        assert "Specialises in couples therapy" in berlin.reasons
        assert "Based in Germany" in berlin.reasons and "Speaks German" in berlin.reasons
        assert "Works with Emotionally Focused Therapy" in berlin.reasons
        assert result.widened_to == "everywhere"
        assert result.notice == (
            "We also show online options from outside Germany that match this article more closely."
        )
        assert result.backend == "database"

    def test_local_cards_only_when_they_are_the_best(self, catalogue):
        result = find_support(
            catalogue["flagship"], context=ReaderContext(country="DE", language="de"), count=1
        )
        assert slugs(result.suggestions) == ["berlin-couples"]
        assert result.widened_to is None and result.notice == ""

    def test_in_person_in_germany_never_online_only_or_abroad(self, catalogue):
        result = find_support(
            catalogue["flagship"], context=ReaderContext(country="DE", modality="in_person"), count=6
        )
        found = {s.listing.slug for s in result.suggestions}
        assert found == {"berlin-couples", "hamburg-couples"}
        assert all(s.listing.offers_in_person and s.listing.country == "DE" for s in result.suggestions)
        assert "Only 2 in-person options in Germany" in result.notice

    def test_online_ranks_by_relevance_and_declares_what_the_cards_needed(self, catalogue):
        result = find_support(
            catalogue["flagship"],
            context=ReaderContext(country="DE", language="de", modality="online"),
            count=2,
        )
        # London (both topics, English only) above Online Couples GB (one topic, speaks German):
        # the language boost does not lift a clearly weaker match.
        assert [s.listing.slug for s in result.suggestions] == ["berlin-couples", "london-couples"]
        assert result.widened_to == "everywhere"
        assert result.notice == "Few matches in Germany, so we also show online options from other countries."
        wider = find_support(
            catalogue["flagship"],
            context=ReaderContext(country="DE", language="de", modality="online"),
            count=3,
        )
        assert [s.listing.slug for s in wider.suggestions] == [
            "berlin-couples",
            "london-couples",
            "online-couples-gb",
        ]
        assert all(s.listing.offers_online for s in wider.suggestions)

    def test_sponsored_flag_and_no_sponsored_boost(self, catalogue):
        result = find_support(catalogue["flagship"], context=ReaderContext(country="GB"), count=4)
        by_slug = {s.listing.slug: s for s in result.suggestions}
        assert by_slug["london-couples"].sponsored is True
        assert by_slug["leeds-couples"].sponsored is False

    def test_never_inactive_unverified_or_products(self, catalogue):
        for context in (
            ReaderContext(),
            ReaderContext(country="DE"),
            ReaderContext(country="DE", modality="online"),
        ):
            found = {
                s.listing.slug
                for s in find_support(catalogue["flagship"], context=context, count=12).suggestions
            }
            assert not found & {"unverified-couples", "inactive-couples", "sleepy-brand"}

    def test_products_only_when_asked(self, catalogue):
        plain = find_support(catalogue["insomnia"], context=ReaderContext(country="DE"), count=5)
        assert "sleepy-brand" not in slugs(plain.suggestions)
        with_products = find_support(
            catalogue["insomnia"], context=ReaderContext(country="DE"), count=5, include_products=True
        )
        assert "sleepy-brand" in slugs(with_products.suggestions)

    def test_listing_type_restricts(self, catalogue):
        psychologist = factories.listing_type("Psychologist")
        result = find_support(
            catalogue["insomnia"], context=ReaderContext(country="DE"), listing_type=psychologist, count=5
        )
        assert slugs(result.suggestions) == ["sleep-psychologist"]

    def test_sensitive_article_gets_crisis_first_and_no_joint_sessions(self, catalogue):
        body = [
            ("paragraph", "<p>Coercive control is abuse. Couples counselling is not safe here.</p>"),
            (
                "safety_note",
                {
                    "title": "Safety",
                    "text": "<p>Joint sessions can be unsafe.</p>",
                    "advises_against_joint_sessions": True,
                    "resource_label": "",
                    "resource_url": "",
                },
            ),
        ]
        article = factories.article(
            catalogue["sections"]["relationships"],
            "Control and abuse",
            topics=[catalogue["topics"]["abuse"], catalogue["topics"]["trust"]],
            body=body,
        )
        result = find_support(article, context=ReaderContext(country="DE"), count=3)
        assert slugs(result.suggestions)[0] == "crisis-line-de"
        assert "Crisis support service" in result.suggestions[0].reasons
        assert not any(s.listing.listing_type.offers_joint_sessions for s in result.suggestions)

    def test_sensitive_topic_alone_puts_crisis_first(self, catalogue):
        article = factories.article(
            catalogue["sections"]["relationships"],
            "Trust and safety",
            topics=[catalogue["topics"]["abuse"], catalogue["topics"]["couples"]],
        )
        result = find_support(article, context=ReaderContext(country="DE"), count=2)
        assert slugs(result.suggestions)[0] == "crisis-line-de"
        assert slugs(result.suggestions)[1] in {
            "berlin-couples",
            "hamburg-couples",
        }  # no safety note: allowed

    def test_near_adds_distance_reason(self, catalogue):
        berlin = catalogue["listings"]["berlin"]
        berlin.latitude, berlin.longitude = 52.52, 13.40
        berlin.save()
        result = find_support(
            catalogue["flagship"], context=ReaderContext(country="DE", near=(52.50, 13.45)), count=2
        )
        reasons = result.suggestions[0].reasons
        assert "In Berlin, 4 km from you" in reasons
        assert "Sees clients in person in Berlin" not in reasons
        # The concern comes first, the place after it.
        assert reasons.index("Specialises in couples therapy") < reasons.index("In Berlin, 4 km from you")

    def test_rotation_among_equals_changes_with_the_day(self, catalogue):
        parenting = factories.topic("Parenting")
        article = factories.article(catalogue["sections"]["habits"], "Parenting only", topics=[parenting])
        for n in range(6):
            make_listing(f"Equal Couples {n}", country="FR", languages=("fr",), specialties=(parenting,))
        backend = get_backend("database")
        context = ReaderContext(country="FR")
        firsts = {
            backend.find_support(
                article, context=context, count=1, day=datetime.date(2026, 1, 1) + datetime.timedelta(days=d)
            )
            .suggestions[0]
            .listing.slug
            for d in range(20)
        }
        assert len(firsts) >= 4
        same_day = [
            backend.find_support(article, context=context, count=2, day=datetime.date(2026, 1, 1))
            for _ in range(2)
        ]
        assert slugs(same_day[0].suggestions) == slugs(same_day[1].suggestions)

    def test_query_count_is_constant_at_two_catalogue_sizes(self, catalogue, settings):
        context = ReaderContext(country="DE", language="de", modality="online")

        def counts():
            return query_counts(
                lambda: find_support(catalogue["flagship"], context=context, count=2),
                settings,
                "RECOMMENDATIONS_DIRECTORY_MAX_LISTINGS",
            )

        small = counts()
        couples = catalogue["topics"]["couples"]
        for n in range(15):
            make_listing(
                f"Extra Couples {n}",
                country="FR",
                languages=("fr",),
                specialties=(couples,),
                offers_online=True,
            )
        # Every request reads the generation token (1). The first of a generation also builds the
        # read model (5, as for related articles) with the stored profiles' facts (1), the concept
        # vocabulary (concepts, broader, topics, fits: 4), the listing directory (count 1 + card
        # rows 4) kept on it and the article's stored need terms (1); later ones find all of that
        # on the read model. The chosen listings' cards are the directory's rows: no query (it
        # was 4 more, loading them whole). Without the listing directory, per widening step (all
        # three are asked: candidates of every step are ranked together): listing types 1,
        # candidates 1, their card rows 4, which the chosen listings' cards are.
        assert small == counts() == (17, 1, 19)


class TestSafetyNoteScope:
    def test_a_caveat_on_a_non_sensitive_article_keeps_couples_therapists(self, catalogue):
        body = [
            ("paragraph", "<p>Couples therapy helps partners rebuild trust after an affair.</p>"),
            (
                "safety_note",
                {
                    "title": "When not",
                    "text": "<p>Not where there is abuse.</p>",
                    "advises_against_joint_sessions": True,
                    "resource_label": "",
                    "resource_url": "",
                },
            ),
        ]
        article = factories.article(
            catalogue["sections"]["relationships"],
            "Couples therapy with a caveat",
            topics=[catalogue["topics"]["couples"]],
            body=body,
        )
        result = find_support(article, context=ReaderContext(country="DE"), count=2)
        assert slugs(result.suggestions) == ["berlin-couples", "london-couples"]
        assert all(s.listing.listing_type.offers_joint_sessions for s in result.suggestions)

    def test_type_fit_comes_from_title_and_topics_not_body_words(self, catalogue):
        factories.listing_type("Integration coach")
        coach = make_listing("Integration Coach DE", type_name="Integration coach", country="DE")
        article = factories.article(
            catalogue["sections"]["habits"],
            "Sleep and routines",
            topics=[catalogue["topics"]["sleep"]],
            body=paragraph_body("Integration of new habits takes weeks; sleep improves."),
        )
        found = slugs(find_support(article, context=ReaderContext(country="DE"), count=5).suggestions)
        assert coach.slug not in found and "sleep-psychologist" in found


def test_ranking_rows_say_what_the_listing_objects_say(catalogue):
    """find_support ranks compact rows (``load_listing_views``): they must match the full objects."""
    from experts.models import Listing
    from recommendations.scoring import ListingView

    backend = get_backend("database")
    ids = list(Listing.objects.order_by("pk").values_list("pk", flat=True))
    assert len(ids) > 3
    objects = (
        Listing.objects.filter(pk__in=ids)
        .order_by("pk")
        .select_related("listing_type")
        .prefetch_related("languages", "specialties", "approaches")
    )
    from_objects = [ListingView.from_listing(obj) for obj in objects]
    assert backend.load_listing_views(ids) == from_objects
    assert any(view.specialties and view.languages for view in from_objects)


def test_suggestions_carry_the_directory_card_rows(catalogue):
    """The chosen listings are the directory's own card rows, not objects loaded for the answer."""
    from experts.cards import ListingCard

    backend = get_backend("database")
    result = backend.find_support(catalogue["flagship"], context=ReaderContext(country="DE"), count=2)
    directory = backend.directory()
    assert result.suggestions
    assert all(
        isinstance(s.listing, ListingCard) and s.listing is directory.cards[s.listing.pk]
        for s in result.suggestions
    )
