"""Rich text as readers get it on HTML pages: links only to visible pages, then an allowlist.

The Wagtail editor only ever stores the markup its features allow, but rich text also arrives by
other roads (``import_content`` bundles, data migrations, the shell) as raw HTML. Wagtail renders
stored rich text as it is, so two things are added here:

- ``VisiblePageLinkHandler`` replaces Wagtail's handler for internal page links. A link to a page
  a reader may not see (a draft, a private or expired page) keeps its words but loses its
  ``href``, so a draft's address never shows on a public page; a link whose ``id`` is not a number
  is treated as a broken link instead of raising (a 500 on the page).
- ``sanitise_rich_text`` runs every rendering of rich text (the ``richtext`` filter and block
  values, through the ``wagtailcore/shared/richtext.html`` template this project overrides)
  through the same nh3 allowlist the API uses (``common.text.sanitise_html``).
"""

from __future__ import annotations

from django.db.models import Model
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from wagtail.rich_text.pages import PageLinkHandler


class VisiblePageLinkHandler(PageLinkHandler):
    """Wagtail's page link handler, limited to pages a reader may see (one query per batch)."""

    @classmethod
    def get_many(cls, attrs_list: list[dict]) -> list[Model | None]:
        from wagtail.models import Page

        from articles.visibility import visible

        ids = [str(attrs.get("id", "")) for attrs in attrs_list]
        wanted = {int(i) for i in ids if i.isdigit() and len(i) < 19}
        pages = {}
        if wanted:
            queryset = visible(Page.objects.filter(id__in=wanted)).defer_streamfields().specific()
            pages = {str(page.id): page for page in queryset}
        return [pages.get(i) for i in ids]

    @classmethod
    def expand_db_attributes_many(cls, attrs_list: list[dict]) -> list[str]:
        links = []
        for page in cls.get_many(attrs_list):
            url = page.localized.url if page is not None else None
            links.append(f'<a href="{escape(url)}">' if url else "<a>")
        return links


def sanitise_rich_text(html: str) -> SafeString:
    from common.text import sanitise_html

    return mark_safe(sanitise_html(str(html or "")))
