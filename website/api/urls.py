"""Routes of ``/api/v1/`` (mounted by ``website.urls`` under the namespace ``api_v1``).

``articles/<slug>/related/`` and ``articles/<slug>/support/`` ask the recommendation engine
(``suggestions``); the catch-all at the end turns any other path into a problem+json 404.
``/api/v1/`` itself answers with an index of the endpoints.
"""

from __future__ import annotations

from django.urls import path, re_path
from drf_spectacular.views import SpectacularSwaggerView

from . import suggestions as reco_api
from .articles import views as articles_api
from .experts import views as experts_api
from .search import views as search_api
from .selfchecks import views as selfchecks_api
from .views import ApiIndexView, ApiNotFoundView, SchemaView

app_name = "api_v1"

# Page slugs may hold any word characters; ids are never used in paths, so nothing overflows.
SLUG = r"(?P<slug>[-\w]{1,255})"

urlpatterns = [
    path("", ApiIndexView.as_view(), name="index"),
    path("articles/", articles_api.ArticleListView.as_view(), name="article-list"),
    re_path(rf"^articles/{SLUG}/$", articles_api.ArticleDetailView.as_view(), name="article-detail"),
    path("sections/", articles_api.SectionListView.as_view(), name="section-list"),
    path("topics/", articles_api.TopicListView.as_view(), name="topic-list"),
    path("experts/", experts_api.ExpertListView.as_view(), name="expert-list"),
    re_path(rf"^experts/{SLUG}/$", experts_api.ExpertDetailView.as_view(), name="expert-detail"),
    path("listings/", experts_api.ListingListView.as_view(), name="listing-list"),
    re_path(rf"^listings/{SLUG}/$", experts_api.ListingDetailView.as_view(), name="listing-detail"),
    path("self-checks/", selfchecks_api.SelfCheckListView.as_view(), name="self-check-list"),
    re_path(
        rf"^self-checks/{SLUG}/$", selfchecks_api.SelfCheckDetailView.as_view(), name="self-check-detail"
    ),
    re_path(
        rf"^self-checks/{SLUG}/score/$", selfchecks_api.SelfCheckScoreView.as_view(), name="self-check-score"
    ),
    path("preview/", articles_api.PreviewView.as_view(), name="preview"),
    path("search/", search_api.SearchView.as_view(), name="search"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api_v1:schema"), name="docs"),
    re_path(rf"^articles/{SLUG}/related/$", reco_api.RelatedArticlesView.as_view(), name="article-related"),
    re_path(rf"^articles/{SLUG}/support/$", reco_api.SupportView.as_view(), name="article-support"),
]

# ``[\s\S]``, not ``.``: a path holding a newline (``%0A``) is still ours, a problem+json 404. (An
# inline ``(?s)`` flag would do the same but breaks ``reverse()`` for every URL of the site.)
urlpatterns += [re_path(r"^[\s\S]*$", ApiNotFoundView.as_view(), name="not-found")]
