"""URL configuration: admin, the headless API under /api/v1/, expert profiles, then Wagtail pages."""

from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from experts.flags import flag_view
from search.views import search_page
from website.sitemaps import ListingSitemap, SelfCheckSitemap, VisiblePagesSitemap

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", include("website.api.urls")),
    path("experts/", include("articles.expert_urls")),
    path("search/", search_page, name="search"),
    path("self-checks/", include("selfchecks.urls")),
    path("find-support/", include("experts.directory_urls")),
    path("flags/<str:code>.svg", flag_view, name="country_flag"),
    path(
        "sitemap.xml",
        sitemap,
        {
            "sitemaps": {
                "pages": VisiblePagesSitemap,
                "listings": ListingSitemap,
                "self_checks": SelfCheckSitemap,
            }
        },
        name="sitemap",
    ),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
