"""Text the API returns: rich text as sanitised HTML with plain text alongside, plain fields cleaned.

Rich text is stored in Wagtail's database format (``<a linktype="page" id="12">``). ``RichTextBatch``
collects every fragment a response needs, resolves all internal page links in one query (live,
public pages only: a link to a draft or private page loses its ``href``, keeping its words) and then
sanitises with nh3 against a strict allowlist, so no markup an editor types can run script in a
front end that renders the HTML. The sanitisers themselves are ``common.text``'s (search and the
site's rich text use them too); the API's modules import them from here.
"""

from __future__ import annotations

import html
import re

from wagtail.rich_text.rewriters import FIND_A_TAG, FIND_EMBED_TAG, extract_attrs

from common.text import clean_text, clean_url, front_end_path, html_to_text, sanitise_html, site_root_paths

__all__ = [
    "RichTextBatch",
    "clean_text",
    "clean_url",
    "front_end_path",
    "html_to_text",
    "sanitise_html",
    "site_root_paths",
]


class RichTextBatch:
    """Collects rich text fragments, then renders them all with one lookup of linked pages.

    Usage: ``key = batch.add(html)`` for each fragment, ``batch.resolve()`` once, then
    ``batch.render(key)`` gives ``{"html": …, "text": …}``.
    """

    def __init__(self):
        self._fragments: list[str] = []
        self._page_paths: dict[int, str] = {}
        self._document_urls: dict[int, str] = {}
        self._resolved = False

    def add(self, source) -> int:
        self._fragments.append(str(getattr(source, "source", source) or ""))
        return len(self._fragments) - 1

    def _ids(self, linktype: str) -> set[int]:
        ids = set()
        for fragment in self._fragments:
            for match in FIND_A_TAG.finditer(fragment):
                attrs = extract_attrs(match.group(1))
                if attrs.get("linktype") == linktype and str(attrs.get("id", "")).isdigit():
                    ids.add(int(attrs["id"]))
        return {i for i in ids if i < 2**62}

    def resolve(self) -> None:
        from wagtail.documents import get_document_model
        from wagtail.models import Page

        page_ids = self._ids("page")
        if page_ids:
            from articles.visibility import visible

            roots = site_root_paths()
            for pk, url_path in visible(Page.objects.filter(pk__in=page_ids)).values_list("pk", "url_path"):
                path = front_end_path(url_path, roots)
                if path:
                    self._page_paths[pk] = path
        document_ids = self._ids("document")
        if document_ids:
            for document in get_document_model().objects.filter(pk__in=document_ids):
                self._document_urls[document.pk] = document.url
        self._resolved = True

    def _rewrite_link(self, match: re.Match) -> str:
        attrs = extract_attrs(match.group(1))
        linktype = attrs.get("linktype")
        if linktype is None:
            return match.group(0)
        target = None
        if str(attrs.get("id", "")).isdigit():
            pk = int(attrs["id"])
            target = self._page_paths.get(pk) if linktype == "page" else self._document_urls.get(pk)
        return f'<a href="{html.escape(target)}">' if target else "<a>"

    def render_html(self, source: str) -> str:
        rewritten = FIND_A_TAG.sub(self._rewrite_link, source)
        rewritten = FIND_EMBED_TAG.sub("", rewritten)
        return sanitise_html(rewritten)

    def render_source(self, source) -> dict:
        """``{"html", "text"}`` of one fragment; call after ``resolve()`` with every fragment added."""
        cleaned = self.render_html(str(getattr(source, "source", source) or ""))
        return {"html": cleaned, "text": html_to_text(cleaned)}

    def render(self, key: int) -> dict:
        if not self._resolved:
            self.resolve()
        cleaned = self.render_html(self._fragments[key])
        return {"html": cleaned, "text": html_to_text(cleaned)}
