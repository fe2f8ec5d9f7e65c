"""A self-check as plain data, the checks its bands must pass, and scoring a reader's answers.

Pure functions over dataclasses: the admin form, the reader's page and the API read a
``SelfCheck`` through ``definition()`` and score through ``score()``. Nothing here stores or logs
anything; answers live in the request that carries them and are gone with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Option:
    id: str
    label: str
    score: int
    is_crisis_answer: bool = False


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    help_text: str
    options: tuple[Option, ...]


@dataclass(frozen=True)
class Band:
    min_score: int
    max_score: int
    label: str
    message: str
    next_step: str = ""
    concerns: tuple = ()  # experts.Topic objects
    suggests_support: bool = False
    shows_crisis_resources: bool = False


@dataclass(frozen=True)
class Definition:
    questions: tuple[Question, ...]
    bands: tuple[Band, ...]

    @property
    def score_range(self) -> tuple[int, int]:
        """The lowest and highest total a reader can reach (every question answered)."""
        scored = [q for q in self.questions if q.options]
        return (
            sum(min(o.score for o in q.options) for q in scored),
            sum(max(o.score for o in q.options) for q in scored),
        )


@dataclass
class Outcome:
    """The result of one set of answers: the total, its band, and whether crisis resources lead."""

    score: int
    band: Band
    crisis: bool
    chosen: dict[str, Option] = field(default_factory=dict, repr=False)


class AnswerError(ValueError):
    """Answers that cannot be scored; ``errors`` is ``[{"name": …, "reason": …}]``, one per field."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__("; ".join(f"{e['name']}: {e['reason']}" for e in errors))


def _text(value) -> str:
    return str(value or "").strip()


def _list_children(value) -> list[tuple[str, object]]:
    """``(id, value)`` of each item of a ListBlock value (a ``ListValue`` or a plain list)."""
    bound = getattr(value, "bound_blocks", None)
    if bound is not None:
        return [(str(child.id or index), child.value) for index, child in enumerate(bound)]
    return [(str(index), item) for index, item in enumerate(value or [])]


def definition(self_check) -> Definition:
    """The questions and bands of a ``SelfCheck`` (saved or not) as plain data."""
    questions = []
    for index, child in enumerate(self_check.questions or []):
        value = child.value
        options = tuple(
            Option(
                id=option_id,
                label=_text(option.get("label")),
                score=int(option.get("score") or 0),
                is_crisis_answer=bool(option.get("is_crisis_answer")),
            )
            for option_id, option in _list_children(value.get("options"))
        )
        questions.append(
            Question(
                id=str(child.id or index),
                text=_text(value.get("text")),
                help_text=_text(value.get("help_text")),
                options=options,
            )
        )
    bands = []
    for child in self_check.bands or []:
        value = child.value
        bands.append(
            Band(
                min_score=int(value.get("min_score") or 0),
                max_score=int(value.get("max_score") or 0),
                label=_text(value.get("label")),
                message=_text(value.get("message")),
                next_step=_text(value.get("next_step")),
                concerns=tuple(t for t in (value.get("concerns") or []) if t is not None),
                suggests_support=bool(value.get("suggests_support")),
                shows_crisis_resources=bool(value.get("shows_crisis_resources")),
            )
        )
    return Definition(tuple(questions), tuple(bands))


def definition_problems(data: Definition) -> dict[str, list[str]]:
    """What an editor must fix, by field (``questions``, ``bands``); empty when the check is sound.

    Every question needs at least two options; the bands must cover every total from the lowest to
    the highest reachable score exactly once (no gap, no overlap, nothing outside the range).
    """
    problems: dict[str, list[str]] = {}
    if not data.questions:
        problems.setdefault("questions", []).append("Add at least one question.")
    for number, question in enumerate(data.questions, start=1):
        if len(question.options) < 2:
            problems.setdefault("questions", []).append(
                f"Question {number} needs at least two answer options."
            )
    if problems:
        return problems  # the score range is not known yet
    low, high = data.score_range
    band_problems = []
    if not data.bands:
        band_problems.append(f"Add score bands covering every total from {low} to {high}.")
    for number, band in enumerate(data.bands, start=1):
        if band.min_score > band.max_score:
            band_problems.append(
                f"Band {number} ({band.label}) starts at {band.min_score}, after its end {band.max_score}."
            )
    ordered = sorted(
        (b for b in data.bands if b.min_score <= b.max_score), key=lambda b: (b.min_score, b.max_score)
    )
    expected = low
    for band in ordered:
        if band.min_score > expected:
            band_problems.append(f"No band covers the scores {expected} to {band.min_score - 1}.")
        elif band.min_score < expected:
            overlap_end = min(expected - 1, band.max_score)
            if band.min_score < low:
                band_problems.append(
                    f"Band {band.label!r} starts at {band.min_score}, below the lowest possible score {low}."
                )
            else:
                band_problems.append(
                    f"Band {band.label!r} overlaps another band on {band.min_score} to {overlap_end}."
                )
        expected = max(expected, band.max_score + 1)
    if ordered and expected <= high:
        band_problems.append(f"No band covers the scores {expected} to {high}.")
    if ordered and ordered[-1].max_score > high:
        band_problems.append(
            f"Band {ordered[-1].label!r} ends at {ordered[-1].max_score}, above the highest possible"
            f" score {high}."
        )
    if band_problems:
        problems["bands"] = band_problems
    return problems


def score(data: Definition, answers: Mapping[str, str]) -> Outcome:
    """Scores ``answers`` (``{question id: option id}``); every question must be answered once.

    Raises:
        AnswerError: naming each missing or unknown question and each unknown option.
    """
    questions = {q.id: q for q in data.questions}
    errors = [
        {"name": f"answers.{_shown(key)}", "reason": "no such question in this self-check"}
        for key in answers
        if key not in questions
    ]
    chosen: dict[str, Option] = {}
    for question in data.questions:
        given = answers.get(question.id)
        if given in (None, ""):
            errors.append({"name": f"answers.{question.id}", "reason": "answer this question"})
            continue
        option = next((o for o in question.options if o.id == str(given)), None)
        if option is None:
            errors.append({"name": f"answers.{question.id}", "reason": "not one of this question's options"})
            continue
        chosen[question.id] = option
    if errors:
        raise AnswerError(errors)
    total = sum(option.score for option in chosen.values())
    band = next((b for b in data.bands if b.min_score <= total <= b.max_score), None)
    if band is None:  # only a definition that skipped validation gets here
        raise AnswerError([{"name": "answers", "reason": f"no score band covers the total {total}"}])
    crisis = band.shows_crisis_resources or any(o.is_crisis_answer for o in chosen.values())
    return Outcome(score=total, band=band, crisis=crisis, chosen=chosen)


def _shown(key) -> str:
    key = str(key)
    return key if len(key) <= 60 else key[:60] + "…"
