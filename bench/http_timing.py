"""In-process timing of the API's cheapest answers: a conditional 304 and a cache hit of a bundle.

Not part of ``make bench`` and not a test: a quick, repeatable check of what the HTTP layer costs
beside the static limit, with no server and no load generator. Every request goes through Django's
test client and so through the whole middleware stack, as in the benchmark; "static" is a view
returning the same bytes from memory through the same stack (``bench.urls``'s limit, in-process).

    .venv/bin/pytest bench/http_timing.py -q -s

prints the median CPU microseconds per request (batches of 100, 2,000 requests each), the ratio of
static to each (the benchmark's "req/s ÷ static" target is ≥ 0.5), and the view alone (a
``RequestFactory`` request, no middleware; median and fastest batch): what the HTTP layer itself
costs. CPU time, not wall time, so that other processes on a shared machine disturb it less.
"""

from __future__ import annotations

import statistics
import time

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import include, path, resolve

from tests import factories

REQUESTS = 2000
BATCH = 100
PAYLOAD: dict[str, bytes] = {}


def static_bytes(request):
    return HttpResponse(PAYLOAD["bytes"], content_type="application/json")


urlpatterns = [path("bench/static/", static_bytes), path("", include("website.urls"))]


def _median_us(get, url: str, **headers) -> float:
    return statistics.median(_batches_us(get, url, **headers))


def _batches_us(get, url: str, **headers) -> list[float]:
    per_request = []
    for _ in range(REQUESTS // BATCH):
        start = time.process_time()
        for _ in range(BATCH):
            get(url, **headers)
        per_request.append((time.process_time() - start) / BATCH * 1e6)
    return per_request


def _view_only(url: str, **headers):
    """The view alone, called with a ``RequestFactory`` request: no middleware, no test client."""
    match = resolve(url)
    return match.func(RequestFactory().get(url, **headers), *match.args, **match.kwargs)


@pytest.mark.django_db
def test_print_http_timings(client, settings):
    settings.ROOT_URLCONF = __name__
    settings.WELLNESS = {**settings.WELLNESS, "ANON_RATE": None}
    section = factories.section("Timing")
    factories.article(section, "Timed article", body=[("paragraph", "<p>Words.</p>")] * 40)
    url = "/api/v1/articles/timed-article/"
    first = client.get(url)
    assert first.status_code == 200
    PAYLOAD["bytes"] = first.content
    etag = first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/bench/static/").content == first.content
    for _ in range(200):  # warm up
        client.get("/bench/static/")
        client.get(url, HTTP_IF_NONE_MATCH=etag)
        client.get(url)
    static = _median_us(client.get, "/bench/static/")
    not_modified = _median_us(client.get, url, HTTP_IF_NONE_MATCH=etag)
    hit = _median_us(client.get, url)
    view_304 = _batches_us(_view_only, url, HTTP_IF_NONE_MATCH=etag)
    view_hit = _batches_us(_view_only, url)
    import website.api.views

    print(f"\n{website.api.views.__file__}", end="")
    print(
        f"\nstatic {static:.0f} µs | 304 {not_modified:.0f} µs ({static / not_modified:.2f} of static)"
        f" | cache hit {hit:.0f} µs ({static / hit:.2f} of static)"
        f" | view alone (median/min): 304 {statistics.median(view_304):.0f}/{min(view_304):.0f} µs,"
        f" cache hit {statistics.median(view_hit):.0f}/{min(view_hit):.0f} µs"
    )
