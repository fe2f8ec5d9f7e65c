"""Self-check definitions: band validation and scoring (``selfchecks.scoring``)."""

import pytest
from django.core.exceptions import ValidationError

from selfchecks.scoring import AnswerError, Band, Definition, Option, Question, definition_problems, score
from tests import factories


def _definition(bands, options=((0, 1, 2), (0, 1, 2))):
    questions = tuple(
        Question(
            f"q{i}", f"Question {i}", "", tuple(Option(f"q{i}o{j}", str(s), s) for j, s in enumerate(opts))
        )
        for i, opts in enumerate(options)
    )
    return Definition(questions, tuple(Band(lo, hi, f"{lo}-{hi}", "m") for lo, hi in bands))


class TestBandValidation:
    def test_bands_covering_the_range_exactly_pass(self):
        assert definition_problems(_definition([(0, 1), (2, 3), (4, 4)])) == {}

    def test_a_gap_is_named(self):
        problems = definition_problems(_definition([(0, 1), (3, 4)]))
        assert problems["bands"] == ["No band covers the scores 2 to 2."]

    def test_an_overlap_is_named(self):
        problems = definition_problems(_definition([(0, 2), (2, 4)]))
        assert problems["bands"] == ["Band '2-4' overlaps another band on 2 to 2."]

    def test_the_top_of_the_range_must_be_covered(self):
        problems = definition_problems(_definition([(0, 1), (2, 3)]))
        assert problems["bands"] == ["No band covers the scores 4 to 4."]

    def test_bands_outside_the_range_are_named(self):
        problems = definition_problems(_definition([(0, 4), (5, 6)]))
        assert "Band '5-6' ends at 6, above the highest possible score 4." in problems["bands"]

    def test_a_reversed_band_is_named(self):
        problems = definition_problems(_definition([(0, 4), (3, 1)]))
        assert problems["bands"][0] == "Band 2 (3-1) starts at 3, after its end 1."

    def test_no_bands_at_all(self):
        assert definition_problems(_definition([]))["bands"] == [
            "Add score bands covering every total from 0 to 4."
        ]

    def test_a_question_with_one_option_is_refused(self):
        problems = definition_problems(_definition([(0, 2)], options=((0, 1), (0,))))
        assert problems == {"questions": ["Question 2 needs at least two answer options."]}

    @pytest.mark.django_db
    def test_the_model_refuses_bad_bands_field_by_field(self):
        with pytest.raises(ValidationError) as caught:
            factories.self_check(
                bands=[{"min_score": 0, "max_score": 2, "label": "Low", "message": "m"}],
            )
        assert caught.value.message_dict == {"bands": ["No band covers the scores 3 to 4."]}

    @pytest.mark.django_db
    def test_a_validated_questionnaire_needs_its_source_and_licence(self):
        with pytest.raises(ValidationError) as caught:
            factories.self_check(kind="validated")
        assert set(caught.value.message_dict) == {"source", "licence"}


class TestScoring:
    def test_total_band_and_crisis_flag(self):
        data = _definition([(0, 1), (2, 3), (4, 4)])
        outcome = score(data, {"q0": "q0o2", "q1": "q1o1"})
        assert (outcome.score, outcome.band.label, outcome.crisis) == (3, "2-3", False)

    def test_a_crisis_answer_sets_the_crisis_flag_in_a_low_band(self):
        data = _definition([(0, 4)])
        crisis = Question("q2", "Safe?", "", (Option("no", "No", 0, True), Option("yes", "Yes", 0)))
        data = Definition((*data.questions, crisis), data.bands)
        assert score(data, {"q0": "q0o0", "q1": "q1o0", "q2": "no"}).crisis is True

    def test_missing_unknown_question_and_unknown_option_are_each_named(self):
        data = _definition([(0, 4)])
        with pytest.raises(AnswerError) as caught:
            score(data, {"q0": "nope", "extra": "x"})
        assert caught.value.errors == [
            {"name": "answers.extra", "reason": "no such question in this self-check"},
            {"name": "answers.q0", "reason": "not one of this question's options"},
            {"name": "answers.q1", "reason": "answer this question"},
        ]
