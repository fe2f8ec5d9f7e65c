"""Unit checks of the sanitisers the XSS sweep relies on (website.api.text, website.rich_text)."""

from __future__ import annotations

import pytest

from website.api.text import clean_text, sanitise_html

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
