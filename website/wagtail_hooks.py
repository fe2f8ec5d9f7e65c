"""Site-wide Wagtail hooks: rich-text page links only to pages readers may see; expired pages 404."""

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from wagtail import hooks

from .rich_text import VisiblePageLinkHandler


# Runs after Wagtail's own registration (order 0), so this handler replaces the default one.
@hooks.register("register_rich_text_features", order=100)
def register_visible_page_links(features):
    features.register_link_type(VisiblePageLinkHandler)


# Wagtail unpublishes a page past its expiry date only when ``publish_scheduled`` runs; until then
# readers who open its address get a 404, as the API already answers.
@hooks.register("before_serve_page")
def refuse_expired_pages(page, request, serve_args, serve_kwargs):
    expire_at = getattr(page, "expire_at", None)
    if expire_at is not None and expire_at <= timezone.now():
        raise Http404("This page has expired.")
    # Wagtail routes through unpublished or expired sections to the live pages inside them.
    if (
        page.depth > 2
        and page.get_ancestors()
        .filter(depth__gt=1)
        .filter(Q(live=False) | Q(expire_at__lte=timezone.now()))
        .exists()
    ):
        raise Http404("This page is inside a section readers cannot see.")
