"""Country flags: small inline SVGs of our own, never emoji, always beside the country's name."""

import pytest
from bs4 import BeautifulSoup

from experts.countries import country_codes
from experts.flags import flag_svg, has_drawn_flag

DEMO_COUNTRIES = ["AT", "DE", "ES", "FR", "GB", "IE", "NL", "US"]


@pytest.mark.parametrize("code", DEMO_COUNTRIES)
def test_demo_countries_have_drawn_flags(code):
    assert has_drawn_flag(code)
    svg = BeautifulSoup(flag_svg(code), "html.parser").svg
    assert svg["aria-hidden"] == "true" and svg["viewbox"] == "0 0 24 16"
    assert svg.get_text() == ""  # shapes only: no code written on a drawn flag


def test_every_country_gives_a_flag_without_emoji():
    for code in country_codes():
        html = str(flag_svg(code))
        assert html.startswith('<svg class="flag"')
        assert not any(0x1F1E6 <= ord(ch) <= 0x1F1FF for ch in html)


def test_a_country_without_a_drawn_flag_gets_a_tile_with_its_code():
    assert not has_drawn_flag("BR")
    assert BeautifulSoup(flag_svg("BR"), "html.parser").svg.find("text").get_text() == "BR"


@pytest.mark.parametrize("code", ["", "de", "XX", "<b>"])
def test_not_a_country_gives_nothing(code):
    assert flag_svg(code) == ""
