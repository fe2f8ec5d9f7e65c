"""Site-wide Wagtail hooks: internal page links in rich text go only to pages readers may see."""

from wagtail import hooks

from .rich_text import VisiblePageLinkHandler


# Runs after Wagtail's own registration (order 0), so this handler replaces the default one.
@hooks.register("register_rich_text_features", order=100)
def register_visible_page_links(features):
    features.register_link_type(VisiblePageLinkHandler)
