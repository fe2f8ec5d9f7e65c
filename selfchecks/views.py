"""Reader pages: the list of self-checks, one self-check's form, and its result.

The form posts to the self-check's own page (CSRF-protected), which answers with the result page.
Answers are read from the POST body, scored in memory and rendered; nothing is written to the
database, the session or a log, and the result is sent with ``Cache-Control: no-store, private``
so that no browser or proxy cache keeps it.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from .models import SelfCheck
from .scoring import AnswerError, score
from .support import support_for

FIELD_PREFIX = "answer-"


def answer_field(question_id: str) -> str:
    return f"{FIELD_PREFIX}{question_id}"


def return_path(request: HttpRequest) -> str:
    """The article the reader came from (a path on this site), or ``""``."""
    target = request.POST.get("return_to") or request.GET.get("return_to") or ""
    if (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    ):
        return target
    return ""


def self_check_index(request: HttpRequest) -> HttpResponse:
    """Every published self-check."""
    return render(request, "selfchecks/index.html", {"self_checks": SelfCheck.objects.filter(live=True)})


@require_http_methods(["GET", "HEAD", "POST"])
def self_check_page(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the questions. POST: the result of the answers in the body (or the form with errors)."""
    self_check = SelfCheck.objects.filter(slug=slug, live=True).first()
    if self_check is None:
        raise Http404("No such self-check.")
    context = {"self_check": self_check, "return_to": return_path(request), "errors": {}, "selected": {}}
    if request.method != "POST":
        return render(request, "selfchecks/self_check.html", context)

    data = self_check.definition
    answers = {q.id: request.POST.get(answer_field(q.id), "") for q in data.questions}
    try:
        outcome = score(data, answers)
    except AnswerError as e:
        context["errors"] = {
            error["name"].removeprefix("answers."): error["reason"].capitalize() + "." for error in e.errors
        }
        context["selected"] = answers
        response = render(request, "selfchecks/self_check.html", context, status=400)
    else:
        from recommendations.context import reader_context_from_request

        reader_context = reader_context_from_request(request)
        low, high = data.score_range
        context.update(
            outcome=outcome,
            low=low,
            high=high,
            support=support_for(self_check, outcome, reader_context).html_cards(),
            reader_country=reader_context.country or "",
        )
        response = render(request, "selfchecks/result.html", context)
    add_never_cache_headers(response)
    return response
