"""Unit checks of the sanitisers the XSS sweep relies on (common.text, website.rich_text)."""

from __future__ import annotations

import html

import nh3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.text import _TAG_START, clean_text, sanitise_html

from .markup import html_problems


@pytest.mark.parametrize(
    "value",
    [
        "&lt;&lt;img src=x onerror=alert(1)&gt;",
        "<plaintext><<img src=x onerror=alert(1)>",
        "&lt;&lt;&lt;script&gt;alert(1)",
        "<xmp><</xmp><<svg onload=alert(1)>",
    ],
)
def test_clean_text_never_leaves_a_tag_opening(value):
    cleaned = clean_text(value)
    assert html_problems(cleaned, page=False) == []
    assert "<i" not in cleaned and "<s" not in cleaned


def test_clean_text_keeps_a_lone_less_than_sign():
    assert clean_text("Two < three & four > one") == "Two < three & four > one"


def test_sanitise_html_keeps_the_allowlist_and_drops_the_rest():
    html = sanitise_html(
        '<p onclick="x">Hi <b>there</b> <a href="javascript:alert(1)">x</a><script>y</script></p>'
    )
    assert html == '<p>Hi <b>there</b> <a rel="noopener noreferrer">x</a></p>'


@pytest.mark.django_db
class TestRichTextOnPages:
    def test_links_to_pages_a_reader_cannot_see_lose_their_href(self):
        from wagtail.rich_text import expand_db_html

        from tests import factories

        live = factories.article(title="Seen")
        draft = factories.article(title="Unseen draft", publish=False)
        html = expand_db_html(
            f'<p><a linktype="page" id="{live.pk}">a</a> <a linktype="page" id="{draft.pk}">b</a> '
            '<a linktype="page" id="x">c</a> <a linktype="page" id="99999999999999999999">d</a></p>'
        )
        assert html == f'<p><a href="{live.url}">a</a> <a>b</a> <a>c</a> <a>d</a></p>'

    def test_the_richtext_filter_sanitises_stored_html(self):
        from django.template import engines

        template = engines["django"].from_string("{% load wagtailcore_tags %}{{ value|richtext }}")
        html = template.render(
            {"value": '<p onclick="x">Hi<script>alert(1)</script><img src=x onerror=y></p>'}
        )
        assert html == "<p>Hi</p>"


# Random text, and text made of markup and character-reference pieces ("&lt;s", "&#60;i", "\r\n").
MARKUP_PIECES = [
    "<",
    ">",
    "&",
    ";",
    "#",
    "x",
    "3c",
    "60",
    "lt",
    "gt",
    "amp",
    "s",
    "i",
    "/",
    "!",
    "\r",
    "\n",
    "\x00",
    " ",
    "a",
]
texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=40) | st.lists(
    st.sampled_from(MARKUP_PIECES), max_size=12
).map("".join)


@settings(max_examples=3000, deadline=None)
@given(texts)
def test_the_plain_text_shortcut_is_the_sanitiser(value):
    """``clean_text`` skips nh3 for text without markup characters: the answer must not change."""
    through_sanitiser = _TAG_START.sub(
        "", html.unescape(nh3.clean(value, tags=set(), clean_content_tags={"script", "style"}))
    ).strip()
    assert clean_text(value) == through_sanitiser
