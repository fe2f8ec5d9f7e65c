"""The blocks a self-check is written in: questions with scored answer options, and score bands.

Questions and bands are StreamFields of these blocks rather than inline models because a question
holds its own list of options (Wagtail's inline panels cannot nest) and because the bands are
checked against the questions' score range in one place, ``SelfCheck.clean``.
"""

from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock

MIN_OPTIONS = 2
MAX_SCORE = 100


class OptionBlock(blocks.StructBlock):
    label = blocks.CharBlock(max_length=200)
    score = blocks.IntegerBlock(min_value=0, max_value=MAX_SCORE, default=0)
    is_crisis_answer = blocks.BooleanBlock(
        required=False,
        default=False,
        label="Crisis answer",
        help_text="Choosing this answer shows crisis resources first, whatever the total score.",
    )

    class Meta:
        icon = "radio-full"
        label = "Answer option"


class QuestionBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=300, label="Question")
    help_text = blocks.CharBlock(required=False, max_length=300, help_text="Shown under the question.")
    options = blocks.ListBlock(OptionBlock(), min_num=MIN_OPTIONS, label="Answer options")

    class Meta:
        icon = "help"
        label = "Question"


class BandBlock(blocks.StructBlock):
    min_score = blocks.IntegerBlock(min_value=0, label="From score")
    max_score = blocks.IntegerBlock(min_value=0, label="To score (inclusive)")
    label = blocks.CharBlock(max_length=120, help_text='Shown as the result, e.g. "Some strain".')
    message = blocks.TextBlock(help_text="What this result may mean, in plain words.")
    next_step = blocks.TextBlock(required=False, label="Suggested next step")
    concerns = blocks.ListBlock(
        SnippetChooserBlock("experts.Topic"),
        required=False,
        default=[],
        label="Concern topics",
        help_text="Matched against practitioners' specialties for the support suggestions.",
    )
    suggests_support = blocks.BooleanBlock(
        required=False, default=False, help_text="Offer find-support suggestions with this result."
    )
    shows_crisis_resources = blocks.BooleanBlock(
        required=False, default=False, help_text="Show crisis resources first with this result."
    )

    class Meta:
        icon = "list-ol"
        label = "Score band"
