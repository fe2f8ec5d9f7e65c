"""URLs of the benchmark server: the site, plus Wagtail's API v2 and v3 and a static-bytes endpoint.

Mounted only through ``website.settings.bench`` (``ROOT_URLCONF = "bench.urls"``). The static
endpoint returns pre-serialised bytes held in memory, through the same middleware as every other
view: the fastest any Django response can be on this stack, i.e. the physical limit. Its payload
is the file named by ``BENCH_STATIC_PAYLOAD`` (the runner writes a real article bundle there, so the
limit is measured for the same number of bytes), else a small JSON document.
"""

from __future__ import annotations

import os

from django.http import HttpResponse
from django.urls import include, path
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.api.v3.urls import api as api_v3


def _load_payload() -> bytes:
    name = os.environ.get("BENCH_STATIC_PAYLOAD", "")
    if name and os.path.exists(name):
        with open(name, "rb") as fh:
            return fh.read()
    return b'{"static": true, "detail": "pre-serialised bytes from memory"}'


STATIC_PAYLOAD = _load_payload()


def static_bytes(request):
    return HttpResponse(STATIC_PAYLOAD, content_type="application/json")


api_v2 = WagtailAPIRouter("wagtailapi_v2")
api_v2.register_endpoint("pages", PagesAPIViewSet)

urlpatterns = [
    path("bench/static/", static_bytes, name="bench_static"),
    path("api/v2/", api_v2.urls),
    path("api/v3/", api_v3.urls),
    path("", include("website.urls")),
]
