"""The demo's self-check, written by our editors for the demo: a reflective check, not a validated
instrument. ``ensure_demo_self_checks`` writes it (idempotently, by slug) before the demo bundle,
whose flagship article embeds it, is imported."""

from __future__ import annotations

from experts.models import Topic

from .content import write_self_check
from .models import SelfCheck

TRUST_CHECK = "how-is-trust-feeling-lately"

_OFTEN = ("Rarely or never", "Now and then", "Often", "Most of the time")


def _scale(labels) -> list[tuple[str, int]]:
    return [(label, score) for score, label in enumerate(labels)]


QUESTIONS = [
    {
        "text": "When your partner is out or busy, how often do you catch yourself wondering what they"
        " are really doing?",
        "options": _scale(_OFTEN),
    },
    {
        "text": "How easy is it to take what your partner tells you at face value?",
        "options": _scale(("Easy", "Mostly easy", "Often hard", "Very hard")),
    },
    {
        "text": "After a disagreement, how often do the two of you talk it through and end up feeling"
        " closer?",
        "options": _scale(("Usually", "Sometimes", "Rarely", "Almost never")),
    },
    {
        "text": "How often do you check your partner's phone, messages or accounts, or feel a strong"
        " urge to?",
        "options": _scale(_OFTEN),
    },
    {
        "text": "How often do you keep your thoughts or feelings to yourself to avoid an argument?",
        "options": _scale(_OFTEN),
    },
    {
        "text": "Do you ever feel afraid of your partner, or unsafe at home?",
        "help_text": "If the answer is yes, the result starts with services that can help straight away.",
        "options": [
            ("No, never", 0),
            ("I am not sure", 1),
            ("Yes, sometimes", 3, True),
            ("Yes, often", 3, True),
        ],
    },
]


def _bands() -> list[dict]:
    topics = Topic.objects.in_bulk(
        ["trust-and-betrayal", "couples-therapy", "communication"], field_name="slug"
    )
    trust = [topics[s] for s in ("trust-and-betrayal", "couples-therapy") if s in topics]
    talk = [topics[s] for s in ("communication",) if s in topics]
    return [
        {
            "min_score": 0,
            "max_score": 4,
            "label": "Trust feels fairly steady",
            "message": "Your answers describe a relationship where trust mostly holds, with the ordinary "
            "wobbles most couples know.",
            "next_step": "Keep noticing what helps you feel secure together, and say it out loud"
            " now and then.",
        },
        {
            "min_score": 5,
            "max_score": 9,
            "label": "Some strain on trust",
            "message": "Some doubts or guarded moments come up. That is common, and it is often easier to "
            "talk about early than after it has settled in.",
            "next_step": "Pick a calm moment to tell your partner one thing that would help you feel more "
            "sure of each other.",
            "concerns": talk,
            "suggests_support": True,
        },
        {
            "min_score": 10,
            "max_score": 14,
            "label": "Trust is under real strain",
            "message": "Doubt, checking or holding back seem to take up a good deal of room between you. "
            "Many couples in this place find it hard to move on without outside help.",
            "next_step": "Consider talking to a couples therapist, together or on your own first.",
            "concerns": trust,
            "suggests_support": True,
        },
        {
            "min_score": 15,
            "max_score": 18,
            "label": "Trust feels badly shaken",
            "message": "Your answers describe a lot of worry and distance. You deserve support with this, "
            "whatever you decide about the relationship.",
            "next_step": "Talking to a therapist soon can help you sort out what you need; you can go alone.",
            "concerns": trust,
            "suggests_support": True,
        },
    ]


def ensure_demo_self_checks() -> list[SelfCheck]:
    """Writes the demo's self-check (after the topics exist, for its bands' concerns)."""
    return [
        write_self_check(
            TRUST_CHECK,
            title="How is trust feeling lately?",
            kind=SelfCheck.Kind.REFLECTIVE,
            intro="Six questions about how much you can rely on each other at the moment. It takes about "
            "two minutes. Written by our editors for reflection; it is not a validated questionnaire.",
            questions=QUESTIONS,
            bands=_bands(),
            live=True,
        )
    ]
