"""The branded "Page not found" page under development settings too.

With ``DEBUG`` on, Django answers a 404 with its technical page, so a reader trying the demo with
``make run`` would never see the magazine's own page. Development settings add this middleware:
a view that raises ``Http404`` gets the site's ``404.html`` (through Django's own
``page_not_found`` view, as in production). Server errors keep Django's debug page there, which a
developer needs; ``500.html`` is shown by production settings and rendered by the tests.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.views.defaults import page_not_found


class BrandedNotFoundMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404) and not request.path.startswith(("/admin/", "/api/")):
            return page_not_found(request, exception)
        return None
