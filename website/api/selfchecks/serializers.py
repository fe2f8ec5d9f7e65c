"""API shapes of self-checks: the list, the definition, and a scored result.

Every response is built as a dict (``website.api.selfchecks.views``) and passed through these
serializers, which are both the output and the OpenAPI schema.
"""

from __future__ import annotations

from rest_framework import serializers

from website.api.experts.serializers import SupportCardSerializer
from website.api.serializers import ReaderContextSerializer, SlugNameSerializer

KINDS = ("reflective", "validated")


class SelfCheckCardSerializer(serializers.Serializer):
    """Example: ``{"slug": "trust-lately", "title": "How is trust feeling lately?", "kind": "reflective",
    "kind_label": "Reflective check, not a validated instrument", "url_path": "/self-checks/trust-lately/",
    "question_count": 6}``"""

    slug = serializers.CharField()
    title = serializers.CharField()
    intro = serializers.CharField(allow_blank=True)
    kind = serializers.ChoiceField(choices=list(KINDS))
    kind_label = serializers.CharField()
    url_path = serializers.CharField(help_text="Front-end path of the self-check's page.")
    question_count = serializers.IntegerField()


class OptionSerializer(serializers.Serializer):
    """Example: ``{"id": "0b6c…", "label": "Often", "score": 2, "is_crisis_answer": false}``"""

    id = serializers.CharField(help_text="Send it back as the answer to its question.")
    label = serializers.CharField()
    score = serializers.IntegerField()
    is_crisis_answer = serializers.BooleanField()


class QuestionSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The key of this question's answer in `answers`.")
    text = serializers.CharField()
    help_text = serializers.CharField(allow_blank=True)
    options = OptionSerializer(many=True)


class BandSerializer(serializers.Serializer):
    """Example: ``{"min_score": 5, "max_score": 9, "label": "Some strain", "message": "…",
    "next_step": "…", "concerns": [{"slug": "trust-and-betrayal", "name": "Trust and betrayal"}],
    "suggests_support": true, "shows_crisis_resources": false}``"""

    min_score = serializers.IntegerField()
    max_score = serializers.IntegerField()
    label = serializers.CharField()
    message = serializers.CharField()
    next_step = serializers.CharField(allow_blank=True)
    concerns = SlugNameSerializer(many=True)
    suggests_support = serializers.BooleanField()
    shows_crisis_resources = serializers.BooleanField()


class ScoreRangeSerializer(serializers.Serializer):
    min = serializers.IntegerField()
    max = serializers.IntegerField()


class SelfCheckDetailSerializer(SelfCheckCardSerializer):
    """The whole definition: what a client needs to show the check and its results itself."""

    not_diagnosis = serializers.CharField(help_text="Show it with the questions and with every result.")
    crisis_message = serializers.CharField()
    source = serializers.CharField(allow_blank=True)
    licence = serializers.CharField(allow_blank=True)
    score_range = ScoreRangeSerializer()
    questions = QuestionSerializer(many=True)
    bands = BandSerializer(many=True)


class ScoreRequestSerializer(serializers.Serializer):
    """Example: ``{"answers": {"<question id>": "<option id>", …}}``: every question, once."""

    answers = serializers.DictField(child=serializers.CharField(), help_text="Question id → option id.")


class ScoreResultSerializer(serializers.Serializer):
    """A scored set of answers. Nothing is stored: the answers exist only in the request."""

    self_check = serializers.CharField(help_text="Slug of the self-check.")
    score = serializers.IntegerField()
    score_range = ScoreRangeSerializer()
    band = BandSerializer()
    crisis = serializers.BooleanField(help_text="Show `crisis_message` and the crisis services first.")
    crisis_message = serializers.CharField(allow_null=True)
    not_diagnosis = serializers.CharField()
    context = ReaderContextSerializer()
    crisis_resources = SupportCardSerializer(many=True)
    suggestions = SupportCardSerializer(many=True)
    notice = serializers.CharField(allow_blank=True)
