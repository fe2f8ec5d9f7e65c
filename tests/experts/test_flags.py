"""Country flags: small SVG images of our own, never emoji, always beside the country's name."""

import pytest
from bs4 import BeautifulSoup

from experts.countries import country_codes
from experts.flags import flag_document, flag_svg, has_drawn_flag

DEMO_COUNTRIES = ["AT", "DE", "ES", "FR", "GB", "IE", "NL", "US"]


@pytest.mark.parametrize("code", DEMO_COUNTRIES)
def test_demo_countries_have_drawn_flags(code):
    assert has_drawn_flag(code)
    svg = BeautifulSoup(flag_document(code), "html.parser").svg
    assert svg["viewbox"] == "0 0 24 16" and svg["xmlns"] == "http://www.w3.org/2000/svg"
    assert svg.get_text() == ""  # shapes only: no code written on a drawn flag


def test_german_flag_stripes():
    rects = BeautifulSoup(flag_document("DE"), "html.parser").select("rect")
    assert [r["fill"] for r in rects][:3] == ["#000000", "#dd0000", "#ffce00"]


def test_every_country_gives_a_decorative_image_without_emoji():
    for code in country_codes():
        img = BeautifulSoup(flag_svg(code), "html.parser").img
        assert img["src"] == f"/flags/{code}.svg" and img["alt"] == ""
        assert not any(0x1F1E6 <= ord(ch) <= 0x1F1FF for ch in str(flag_svg(code)))


def test_a_country_without_a_drawn_flag_gets_a_tile_with_its_code():
    assert not has_drawn_flag("BR")
    assert BeautifulSoup(flag_document("BR"), "html.parser").find("text").get_text() == "BR"


@pytest.mark.parametrize("code", ["", "de", "XX", "<b>"])
def test_not_a_country_gives_nothing(code):
    assert flag_svg(code) == ""


@pytest.mark.django_db
def test_the_flag_url_serves_svg(client):
    response = client.get("/flags/DE.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response.content.decode() == flag_document("DE")
    assert "max-age" in response["Cache-Control"]
    assert client.get("/flags/XX.svg").status_code == 404
    assert client.get("/flags/de.svg").status_code == 404
