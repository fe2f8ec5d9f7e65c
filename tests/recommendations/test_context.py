"""Reading the reader's context from a request: explicit parameters, trusted header, Accept-Language."""

import pytest
from django.test import RequestFactory
from rest_framework.exceptions import ValidationError

from recommendations.context import reader_context_from_request
from recommendations.interface import ReaderContext

rf = RequestFactory()


def test_explicit_parameters_win_over_headers():
    request = rf.get(
        "/",
        {"country": "de", "language": "DE", "modality": "online", "near": "52.5,13.4"},
        HTTP_CF_IPCOUNTRY="GB",
        HTTP_ACCEPT_LANGUAGE="fr-FR",
    )
    assert reader_context_from_request(request, strict=True) == ReaderContext(
        "DE", "de", "online", (52.5, 13.4)
    )


def test_trusted_header_then_accept_language_region():
    assert reader_context_from_request(rf.get("/", HTTP_CF_IPCOUNTRY="AT")).country == "AT"
    context = reader_context_from_request(rf.get("/", HTTP_ACCEPT_LANGUAGE="de-CH,de;q=0.9,en;q=0.5"))
    assert (context.country, context.language) == ("CH", "de")


def test_unknown_country_from_cdn_is_ignored():
    request = rf.get("/", HTTP_CF_IPCOUNTRY="XX", HTTP_ACCEPT_LANGUAGE="en-GB")
    assert reader_context_from_request(request, strict=True).country == "GB"


def test_header_name_is_configurable(settings):
    settings.WELLNESS = {**settings.WELLNESS, "RECOMMENDATIONS_TRUSTED_COUNTRY_HEADER": "X-Country"}
    request = rf.get("/", HTTP_X_COUNTRY="FR", HTTP_CF_IPCOUNTRY="GB")
    assert reader_context_from_request(request).country == "FR"
    settings.WELLNESS = {**settings.WELLNESS, "RECOMMENDATIONS_TRUSTED_COUNTRY_HEADER": None}
    assert reader_context_from_request(request).country is None


@pytest.mark.parametrize(
    "name,value",
    [
        ("country", "XX1"),
        ("country", "Germany"),
        ("language", "german"),
        ("modality", "teleport"),
        ("near", "north"),
        ("near", "91,10"),
    ],
)
def test_strict_mode_names_the_bad_parameter(name, value):
    with pytest.raises(ValidationError) as caught:
        reader_context_from_request(rf.get("/", {name: value}), strict=True)
    assert set(caught.value.detail) == {name}


@pytest.mark.parametrize("name,value", [("country", "XX1"), ("language", "german"), ("modality", "teleport")])
def test_lenient_mode_drops_bad_values(name, value):
    context = reader_context_from_request(rf.get("/", {name: value}, HTTP_ACCEPT_LANGUAGE="de-DE"))
    assert getattr(context, name) in (None, "DE", "de")
    assert context.modality is None or name != "modality"


def test_strict_mode_collects_every_bad_parameter():
    with pytest.raises(ValidationError) as caught:
        reader_context_from_request(rf.get("/", {"country": "XX1", "modality": "teleport"}), strict=True)
    assert set(caught.value.detail) == {"country", "modality"}
