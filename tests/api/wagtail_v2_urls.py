"""Test-only URLs: the site plus Wagtail's own API v2, to measure it beside ours on the same pages."""

from django.urls import include, path
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet

router = WagtailAPIRouter("wagtailapi_v2_test")
router.register_endpoint("pages", PagesAPIViewSet)

urlpatterns = [path("api/v2/", router.urls), path("", include("website.urls"))]
