"""The concept vocabulary in find support: hierarchy, suited kinds of practitioner, the traps of issue 14."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from django.core.exceptions import ValidationError

from recommendations.concepts import (
    ONLY_AS_SUBJECT,
    SUITS,
    ConceptGraph,
    concept_need,
    ensure_default_vocabulary,
)
from recommendations.scoring import (
    MIN_RELEVANCE,
    ListingView,
    SupportQuery,
    competence,
    hard_filter_violation,
    listing_score,
    plan_support,
)

# Topics: 1 relationships, 2 trust and betrayal, 3 trauma, 4 psychedelic integration, 5 anxiety.
# Concepts: 10 relationship problems ⊃ 11 trust and betrayal ⊃ 12 infidelity; 20 psychedelic experiences.
# Listing types: 100 couples therapist, 101 psychologist, 102 integration coach, 103 product brand.
GRAPH = ConceptGraph(
    names={
        10: "Relationship problems",
        11: "Trust and betrayal",
        12: "Infidelity",
        20: "Psychedelic experiences",
    },
    broader={11: {10}, 12: {11}},
    topic_concepts={1: {10}, 2: {11}, 4: {20}},
    concept_topics={10: {1}, 11: {2}, 20: {4}},
    fits={10: [(100, SUITS), (101, SUITS)], 20: [(102, ONLY_AS_SUBJECT)]},
)
TYPE_NAMES = {100: "Couples therapist", 101: "Psychologist", 102: "Integration coach", 103: "Product brand"}


def view(pk, type_id, specialties=(), country="DE", **fields) -> ListingView:
    names = {
        1: "Relationships",
        2: "Trust and betrayal",
        3: "Trauma",
        4: "Psychedelic integration",
        5: "Anxiety",
        6: "Sleep",
        7: "Domestic abuse",
        8: "Self-harm",
        9: "Depression",
    }
    return ListingView(
        id=pk,
        listing_type_id=type_id,
        listing_type_name=TYPE_NAMES[type_id],
        is_clinical=type_id != 103,
        offers_online=True,
        country=country,
        languages=frozenset({"de", "en"}),
        specialties=tuple((t, names[t]) for t in specialties),
        **fields,
    )


def query(topic_weights, subject, graph=GRAPH, advises_against_joint=False, **fields) -> SupportQuery:
    need = concept_need(graph, topic_weights, subject, advises_against_joint=advises_against_joint)
    return SupportQuery(
        article_id=1,
        topic_weights=need.topic_weights,
        advises_against_joint_sessions=advises_against_joint,
        approach_ids=frozenset(),
        terms=frozenset(),
        related_topic_weights=need.related_topic_weights,
        suited_types=need.suited_types,
        excluded_type_ids=need.excluded_type_ids,
        topic_roots=need.topic_roots,
        joint_topic_ids=need.joint_topic_ids,
        subject_topic_ids=need.subject_topic_ids,
        day=datetime.date(2026, 12, 4),
        **fields,
    )


def plan(q, views):
    return plan_support(q, lambda step, exclude: [v for v in views if v.id not in exclude])


# An infidelity article: tagged trust and betrayal, "trauma" named in passing ("betrayal trauma").
INFIDELITY = {2: 1.0, 3: 0.5}


class TestHierarchy:
    def test_ancestors_nearest_first_and_safe_against_cycles(self):
        graph = ConceptGraph(broader={1: {2}, 2: {3}, 3: {1}})
        assert graph.ancestors(1) == [1, 2, 3]

    def test_broader_and_narrower_topics_count_at_a_share(self):
        need = concept_need(GRAPH, {2: 1.0}, [2])
        assert need.related_topic_weights == {1: 0.4}
        assert concept_need(GRAPH, {1: 1.0}, [1]).related_topic_weights == {2: 0.4}

    def test_reason_names_the_articles_most_specific_concern(self):
        assert concept_need(GRAPH, {1: 1.0, 2: 1.0}, [1, 2]).suited_types == {
            100: "Trust and betrayal",
            101: "Trust and betrayal",
        }


class TestTraps:
    def test_psychologists_without_the_articles_tag_are_still_suggested(self):
        # Tagged "Relationships", not "Trust and betrayal": the same area of work.
        views = [view(1, 101, specialties=(1, 5)), view(2, 101, specialties=(1,), country="GB")]
        q = query(INFIDELITY, [2], count=2)
        ranked = plan(q, views).ranked
        assert sorted(r.view.id for r in ranked) == [1, 2]
        assert ranked[0].reasons[0] == "Psychologist: works with trust and betrayal"

    def test_a_suited_kind_whose_work_is_elsewhere_is_not_suggested(self):
        # A psychologist suits relationship problems, but this one works with anxiety only.
        ranked = plan(query(INFIDELITY, [2], count=2), [view(1, 101, specialties=(5,))]).ranked
        assert ranked == []

    def test_coach_is_not_suggested_for_an_incidental_word(self):
        coach = view(3, 102, specialties=(3, 4))
        psychologist = view(1, 101)
        ranked = plan(query(INFIDELITY, [2], count=3), [coach, psychologist]).ranked
        assert [r.view.id for r in ranked] == [1]

    def test_coach_is_suggested_where_psychedelic_experiences_are_the_subject(self):
        coach = view(3, 102, specialties=(4,))
        ranked = plan(query({4: 1.0, 3: 0.5}, [4], count=2), [coach]).ranked
        assert [r.view.id for r in ranked] == [3]
        assert ranked[0].reasons[0] == "Integration coach: works with psychedelic experiences"

    def test_couples_therapist_with_the_broader_specialty_ranks_first(self):
        couples = view(4, 100, specialties=(1,))
        psychologist = view(1, 101)
        ranked = plan(query(INFIDELITY, [2], count=2), [psychologist, couples]).ranked
        assert [r.view.id for r in ranked] == [4, 1]
        assert ranked[0].reasons[:2] == [
            "Couples therapist: works with trust and betrayal",
            "Specialises in relationships",
        ]

    def test_product_brands_never_in_a_clinical_group(self):
        brand = view(5, 103, specialties=(2,))
        assert plan(query(INFIDELITY, [2], count=2), [brand]).ranked == []

    def test_a_loosely_related_match_alone_is_not_shown(self):
        """Two good cards beat three with an off-topic one: below ``MIN_RELEVANCE`` a card stays out."""
        loose = ListingView(
            id=6,
            listing_type_id=999,
            listing_type_name="Sleep clinic",
            country="DE",
            specialties=((1, "Relationships"),),
        )
        q = query({2: 1.0, 3: 1.0, 5: 1.0}, [2, 3, 5], count=3)
        assert plan(q, [loose, view(1, 101)]).ranked[0].view.id == 1
        assert [r.view.id for r in plan(q, [loose, view(1, 101)]).ranked] == [1]


# The same graph where the couples therapist's type offers joint sessions (as the demo's does), and
# a crisis line type 104.
JOINT_GRAPH = dataclasses.replace(GRAPH, joint_type_ids={100})
TYPE_NAMES[104] = "Crisis line"


class TestCompetence:
    """What a practitioner mainly does, weighed against the article's need (issue 14, point 1)."""

    def test_areas_of_work_follow_the_root_concept(self):
        assert GRAPH.topic_roots == {1: 10, 2: 10, 4: 20}
        assert JOINT_GRAPH.joint_work_topic_ids == frozenset({1, 2})
        assert GRAPH.joint_work_topic_ids == frozenset()

    def test_competence_is_the_share_on_the_need_over_the_main_area(self):
        q = query({6: 1.0, 5: 1.0}, [6, 5])
        assert competence(view(1, 101, specialties=(6, 5)), q) == 1.0
        # Two tags of relationship work and one of anxiety: half the main area's weight, squared.
        assert competence(view(2, 101, specialties=(1, 2, 5)), q) == pytest.approx(0.25)
        # Three equal areas, one on the need: that is among what they mainly do.
        assert competence(view(3, 101, specialties=(5, 9, 8)), q) == 1.0
        assert competence(view(4, 101, specialties=(1, 2)), q) == 0.0

    def test_a_couples_centred_psychologist_is_no_match_for_a_sleep_article(self):
        sleep_article = query({6: 1.0, 5: 1.0}, [6, 5], count=3)
        couples_centred = view(1, 101, specialties=(1, 2, 5))
        sleep_psychologist = view(2, 101, specialties=(6, 5))
        broad = view(3, 101, specialties=(5, 9, 8))
        ranked = plan(sleep_article, [couples_centred, sleep_psychologist, broad]).ranked
        assert [r.view.id for r in ranked] == [2, 3]

    def test_a_match_on_passing_mentions_only_counts_half(self):
        # Tagged trust and betrayal, anxiety named in passing.
        q = query({2: 1.0, 5: 0.5}, [2])
        mentioned_only = view(1, 101, specialties=(5,))
        assert listing_score(mentioned_only, q)[1] < MIN_RELEVANCE
        assert q.subject_topic_ids == frozenset({1, 2})

    def test_mentions_do_not_make_a_kind_of_practitioner_suited(self):
        # A self-harm article that names relationships in passing: no psychologist suits through it.
        assert concept_need(GRAPH, {8: 1.0, 1: 0.5}, [8]).suited_types == {}
        # With nothing tagged, the mentions are all there is.
        assert concept_need(GRAPH, {1: 0.5}, []).suited_types == {
            100: "Relationship problems",
            101: "Relationship problems",
        }

    def test_couples_work_is_a_format_where_the_article_advises_against_it(self):
        # A sensitive article tagged domestic abuse and relationships that advises against joint sessions.
        q = query(
            {7: 1.0, 1: 1.0},
            [7, 1],
            graph=JOINT_GRAPH,
            advises_against_joint=True,
            count=4,
            is_sensitive=True,
        )
        assert q.topic_weights == {7: 1.0} and q.suited_types == {}
        couples_psychologist = view(1, 101, specialties=(1, 2, 5))
        half_and_half = view(2, 101, specialties=(7, 2))
        abuse_psychologist = view(3, 101, specialties=(7,))
        assert hard_filter_violation(couples_psychologist, q) == "mainly joint work, advised against"
        assert hard_filter_violation(half_and_half, q) is None
        ranked = plan(q, [couples_psychologist, half_and_half, abuse_psychologist]).ranked
        assert sorted(r.view.id for r in ranked) == [2, 3]
        reasons = " ".join(reason for r in ranked for reason in r.reasons).lower()
        assert "relationship" not in reasons and "trust" not in reasons and "couples" not in reasons

    def test_without_the_warning_couples_work_stays_relevant(self):
        q = query({7: 1.0, 1: 1.0}, [7, 1], graph=JOINT_GRAPH, count=4, is_sensitive=True)
        assert hard_filter_violation(view(1, 101, specialties=(1, 2, 5)), q) is None
        assert 100 in q.suited_types


class TestCrisisLines:
    def test_one_crisis_line_leads_and_a_second_only_when_relevant(self):
        self_harm = query({8: 1.0, 9: 1.0}, [8, 9], count=5, is_sensitive=True)
        general = view(1, 104, specialties=(8, 9), is_crisis_resource=True)
        abuse_line = view(2, 104, specialties=(7,), is_crisis_resource=True)
        second = view(3, 104, specialties=(8,), is_crisis_resource=True)
        psychologist = view(4, 101, specialties=(8, 9))
        ranked = plan(self_harm, [general, abuse_line, second, psychologist]).ranked
        ids = [r.view.id for r in ranked]
        assert ids[:2] == [1, 3] and 2 not in ids and 4 in ids

    def test_an_irrelevant_crisis_line_still_leads_when_it_is_the_only_one(self):
        ranked = plan(
            query({7: 1.0}, [7], count=3, is_sensitive=True),
            [view(2, 104, specialties=(8,), is_crisis_resource=True), view(3, 101, specialties=(7,))],
        ).ranked
        assert [r.view.id for r in ranked] == [2, 3]

    def test_crisis_lines_are_not_suggested_on_other_articles(self):
        ranked = plan(
            query({9: 1.0}, [9], count=3),
            [view(1, 104, specialties=(9,), is_crisis_resource=True), view(2, 101, specialties=(9,))],
        ).ranked
        assert [r.view.id for r in ranked] == [2]


@pytest.mark.django_db
class TestVocabularyInTheDatabase:
    def test_defaults_link_existing_topics_and_types_by_slug_and_run_twice(self):
        from recommendations.models import Concept
        from tests import factories

        trust = factories.topic("Trust and betrayal")
        psychologist = factories.listing_type("Psychologist")
        ensure_default_vocabulary()
        assert ensure_default_vocabulary() == 0
        concept = Concept.objects.get(name="Trust and betrayal")
        assert list(concept.topics.all()) == [trust]
        assert [c.name for c in concept.broader.all()] == ["Relationship problems"]
        assert [c.name for c in Concept.objects.get(name="Infidelity").broader.all()] == [
            "Trust and betrayal"
        ]
        fits = Concept.objects.get(name="Relationship problems").fits.all()
        assert [(f.listing_type, f.rule) for f in fits] == [(psychologist, SUITS)]

    def test_a_concept_cannot_be_broader_than_itself(self):
        from recommendations.models import Concept

        concept = Concept.objects.create(name="Loops")
        concept.broader.add(concept)
        with pytest.raises(ValidationError) as excinfo:
            concept.full_clean()
        assert "broader" in excinfo.value.message_dict

    def test_find_support_uses_the_vocabulary(self):
        from recommendations.interface import ReaderContext, find_support
        from tests import factories

        from .conftest import make_listing

        trust = factories.topic("Trust and betrayal")
        anxiety = factories.topic("Anxiety")
        factories.listing_type("Psychologist")
        ensure_default_vocabulary()
        article = factories.article(title="After an affair", topics=[trust])
        # Tagged only "Anxiety", but her own words are about the article's need: a suited kind of
        # practitioner without the exact tag. Dr Ida Roth, tagged and writing about sleep, is not.
        make_listing(
            "Dr Vera Stein",
            type_name="Psychologist",
            specialties=(anxiety,),
            offers_online=True,
            summary="Psychologist for couples rebuilding trust after an affair.",
        )
        make_listing(
            "Dr Ida Roth",
            type_name="Psychologist",
            specialties=(anxiety, factories.topic("Sleep")),
            offers_online=True,
            summary="Psychologist treating insomnia and night-time worry.",
        )
        result = find_support(article, context=ReaderContext(country="DE"), count=2)
        assert [s.listing.name for s in result.suggestions] == ["Dr Vera Stein"]
        assert result.suggestions[0].reasons[0] == "Psychologist: works with trust and betrayal"


class TestNotices:
    """Proper plurals and country names with their article, through gettext."""

    def in_person(self, country, views):
        q = query(INFIDELITY, [2], count=3, country=country, modality="in_person")
        return plan(q, views).notice

    def test_one_option_is_singular(self):
        assert (
            self.in_person("DE", [view(1, 101)]) == "Only 1 in-person option in Germany matches this article."
        )

    def test_two_options_are_plural_and_the_netherlands_has_its_article(self):
        views = [view(1, 101, country="NL"), view(2, 100, country="NL")]
        assert (
            self.in_person("NL", views) == "Only 2 in-person options in the Netherlands match this article."
        )

    def test_none_is_said_in_words_with_the_united_states(self):
        assert self.in_person("US", []) == "No in-person options in the United States match this article."

    def test_widening_names_the_country_with_its_article(self):
        q = query(INFIDELITY, [2], count=2, country="US", language="de")
        notice = plan(q, [view(1, 101, country="DE")]).notice
        assert notice == "Few matches in the United States, so we also show online options in German."


class TestWarningsAreNotTheNeed:
    def test_safety_notes_and_negated_sentences_are_left_out(self):
        from articles.models import ArticlePage
        from recommendations.text import need_text

        body = ArticlePage._meta.get_field("body").stream_block.to_python(
            [
                {
                    "type": "paragraph",
                    "value": "<p>Coercive control is abuse. Couples therapy is not safe here.</p>",
                },
                {
                    "type": "safety_note",
                    "value": {"title": "Safety", "text": "<p>Avoid joint sessions.</p>", "crisis_url": ""},
                },
            ]
        )
        text = need_text("Leaving coercive control", "", body)
        assert "coercive control is abuse" in text.lower()
        assert "couples" not in text.lower()
        assert "joint" not in text.lower()

    @pytest.mark.django_db
    def test_coercive_control_article_gets_no_couples_based_cards(self):
        """The article names couples therapy only to warn against it: no card is chosen for it."""
        from recommendations.interface import ReaderContext, find_support
        from tests import factories

        from .conftest import make_listing

        abuse = factories.topic("Domestic abuse", is_sensitive=True)
        couples = factories.topic("Couples therapy")
        factories.listing_type("Crisis line", is_crisis_resource=True)
        make_listing("Safe Line UK", type_name="Crisis line", country="GB", specialties=(abuse,))
        make_listing("Dr Iris Vale", type_name="Psychologist", country="GB", specialties=(couples,))
        make_listing("Dr Owen Marsh", type_name="Psychologist", country="GB", specialties=(abuse,))
        body = [
            (
                "paragraph",
                "<p>Coercive control is abuse. Couples therapy is not appropriate where there is abuse.</p>",
            ),
            (
                "safety_note",
                {
                    "title": "Safety",
                    "text": "<p>Joint sessions and couples therapy can put you at risk.</p>",
                    "advises_against_joint_sessions": True,
                    "resource_label": "",
                    "resource_url": "",
                },
            ),
        ]
        article = factories.article(title="Recognising coercive control", topics=[abuse], body=body)
        result = find_support(article, context=ReaderContext(country="GB"), count=3)
        names = [s.listing.name for s in result.suggestions]
        assert names == ["Safe Line UK", "Dr Owen Marsh"]
        assert not any("couples" in r.lower() for s in result.suggestions for r in s.reasons)
