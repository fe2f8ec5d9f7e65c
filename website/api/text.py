"""Text the API returns: rich text as sanitised HTML with plain text alongside, plain fields cleaned.

Rich text is stored in Wagtail's database format (``<a linktype="page" id="12">``). ``RichTextBatch``
collects every fragment a response needs, resolves all internal page links in one query (live,
public pages only: a link to a draft or private page loses its ``href``, keeping its words) and then
sanitises with nh3 against a strict allowlist, so no markup an editor types can run script in a
front end that renders the HTML.
"""

from __future__ import annotations

import html
import re

import nh3
from django.utils.html import strip_tags
from wagtail.rich_text.rewriters import FIND_A_TAG, FIND_EMBED_TAG, extract_attrs

from common.links import safe_link

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "ul",
    "ol",
    "li",
    "a",
    "sup",
    "sub",
    "h2",
    "h3",
    "h4",
    "blockquote",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# A run of "<" goes whole: removing only the last of "<<img" would leave "<img".
_TAG_START = re.compile(r"<+(?=[A-Za-z/!?])")


def sanitise_html(value: str) -> str:
    return nh3.clean(
        value or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def html_to_text(value: str) -> str:
    """Words of an HTML fragment: tags removed, entities decoded, whitespace collapsed."""
    return clean_text(strip_tags((value or "").replace("</p>", "</p> ").replace("<br", " <br")))


def clean_text(value) -> str:
    """A plain-text field made safe to drop into HTML unescaped: no ``<`` that could open a tag.

    Example: ``'Hi <script>x</script> & 1 < 2'`` gives ``'Hi x & 1 < 2'``.
    """
    if value is None:
        return ""
    text = nh3.clean(str(value), tags=set(), clean_content_tags={"script", "style"})
    text = html.unescape(text)
    return _TAG_START.sub("", text).strip()


def clean_url(value) -> str | None:
    """``value`` when it is an absolute http(s) URL; anything else (``javascript:``…) gives None."""
    return safe_link(value) or None


def front_end_path(url_path: str, root_paths: list[str]) -> str | None:
    """The reader-facing path of a page (its ``url_path`` below the site's root page)."""
    for root in root_paths:
        if url_path.startswith(root):
            return "/" + url_path[len(root) :]
    return None


def site_root_paths() -> list[str]:
    from wagtail.models import Site

    return sorted({srp.root_path for srp in Site.get_site_root_paths()}, key=len, reverse=True)


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
