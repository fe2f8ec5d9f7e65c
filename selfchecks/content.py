"""Writing a self-check from code: plain questions and bands to the StreamFields' stored form.

Used by the demo set-up and by tests. Block ids are derived from the self-check's slug and the
item's place, so writing the same content twice gives the same ids (and the same form fields).
"""

from __future__ import annotations

import uuid

from .models import SelfCheck

_NAMESPACE = uuid.UUID("6f1d8a52-3c1e-4f57-9a7b-2d0c5e4b8a11")


def _id(*parts) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(map(str, parts))))


def raw_questions(slug: str, questions: list[dict]) -> list[dict]:
    """``[{"text", "help_text"?, "options": [(label, score) or (label, score, is_crisis)]}]``."""
    out = []
    for i, question in enumerate(questions):
        options = []
        for j, option in enumerate(question["options"]):
            label, points, *crisis = option
            options.append(
                {
                    "type": "item",
                    "id": _id(slug, "q", i, "o", j),
                    "value": {
                        "label": label,
                        "score": points,
                        "is_crisis_answer": bool(crisis and crisis[0]),
                    },
                }
            )
        out.append(
            {
                "type": "question",
                "id": _id(slug, "q", i),
                "value": {
                    "text": question["text"],
                    "help_text": question.get("help_text", ""),
                    "options": options,
                },
            }
        )
    return out


def raw_bands(slug: str, bands: list[dict]) -> list[dict]:
    """``[{"min_score", "max_score", "label", "message", "next_step"?, "concerns"?: [Topic],
    "suggests_support"?, "shows_crisis_resources"?}]``."""
    out = []
    for i, band in enumerate(bands):
        concerns = [
            {"type": "item", "id": _id(slug, "b", i, "c", j), "value": topic.pk}
            for j, topic in enumerate(band.get("concerns", []))
        ]
        out.append(
            {
                "type": "band",
                "id": _id(slug, "b", i),
                "value": {
                    "min_score": band["min_score"],
                    "max_score": band["max_score"],
                    "label": band["label"],
                    "message": band["message"],
                    "next_step": band.get("next_step", ""),
                    "concerns": concerns,
                    "suggests_support": bool(band.get("suggests_support")),
                    "shows_crisis_resources": bool(band.get("shows_crisis_resources")),
                },
            }
        )
    return out


def _state(self_check: SelfCheck, names) -> tuple:
    return (
        [getattr(self_check, name) for name in names],
        list(self_check.questions.raw_data),
        list(self_check.bands.raw_data),
    )


def write_self_check(slug: str, *, questions: list[dict], bands: list[dict], **fields) -> SelfCheck:
    """Creates or updates the self-check ``slug``; validates it first (``ValidationError``).

    Saved only when something changed, so writing the same content again touches nothing."""
    self_check = SelfCheck.objects.filter(slug=slug).first()
    before = _state(self_check, fields) if self_check is not None else None
    self_check = self_check or SelfCheck(slug=slug)
    for name, value in fields.items():
        setattr(self_check, name, value)
    self_check.questions = raw_questions(slug, questions)
    self_check.bands = raw_bands(slug, bands)
    if before is not None and _state(self_check, fields) == before:
        return self_check
    self_check.full_clean()
    self_check.save()
    return self_check
