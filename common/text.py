"""Plain text and HTML made safe: the sanitisers every layer shares.

``clean_text`` for plain fields (titles, names, summaries…), ``sanitise_html`` for rich text (nh3
against a strict allowlist), ``html_to_text`` for the words of a fragment, ``clean_url`` for links
and the front-end path of a page. They sit below every app: search backends, rich text
(``website.rich_text``) and the API (``website.api.text``) use the same functions.
"""

from __future__ import annotations

import html
import re

import nh3
from django.utils.html import strip_tags

from .links import safe_link

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
# What nh3 (html5ever) reads as more than plain characters.
_NEEDS_SANITISER = re.compile(r"[<&\r\x00]")


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
    text = str(value)
    if not _NEEDS_SANITISER.search(text):
        # Nothing the sanitiser would change: no markup or character reference, no carriage
        # return or NUL (html5ever turns "\r\n" into "\n" and drops NUL). Most fields are such
        # text, and an article response cleans a few hundred of them;
        # tests/security/test_sanitisers.py holds both paths equal on random text.
        return text.strip()
    text = nh3.clean(text, tags=set(), clean_content_tags={"script", "style"})
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
