"""``{% self_check_form %}``: the questions of a self-check as a plain HTML form.

Used by the self-check's own page and by the article body block, so both post the same fields.
"""

from __future__ import annotations

from django import template

from selfchecks.views import answer_field

register = template.Library()


@register.inclusion_tag("selfchecks/form.html", takes_context=True)
def self_check_form(context, self_check, errors=None, selected=None, return_to: str = ""):
    errors = errors or {}
    selected = selected or {}
    questions = [
        {
            "question": question,
            "number": number,
            "field": answer_field(question.id),
            "dom_id": f"sc-{self_check.pk}-q{number}",
            "error": errors.get(question.id, ""),
            "selected": selected.get(question.id, ""),
        }
        for number, question in enumerate(self_check.definition.questions, start=1)
    ]
    return {
        "self_check": self_check,
        "questions": questions,
        "has_errors": bool(errors),
        "return_to": return_to,
        "csrf_token": context.get("csrf_token"),
    }
