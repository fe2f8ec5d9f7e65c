"""The reader's context for suggestions, read from an HTTP request.

Explicit query parameters win (``?country=``, ``?language=``, ``?modality=``, ``?near=lat,lon``).
Otherwise the country comes from a trusted header set by the CDN or proxy (setting
``RECOMMENDATIONS_TRUSTED_COUNTRY_HEADER``, ``CF-IPCountry`` by default; ``None`` trusts no
header), then from the region of the first ``Accept-Language`` entry that has one; the language
from that header's first entry.

Two modes. Lenient (``strict=False``, for HTML pages): a bad parameter is dropped silently, a page
never fails on it. Strict (``strict=True``, for APIs): a bad explicit parameter raises DRF's
``ValidationError`` naming it, e.g. ``{"country": ["'XX1' is not an ISO 3166-1 alpha-2 code."]}``.
Headers are never an error: a reader cannot fix what a proxy sent.
"""

from __future__ import annotations

import math

from django.http import HttpRequest

from experts.countries import is_country, is_language

from .conf import reco_setting
from .interface import ReaderContext

MODALITIES = ("in_person", "online")
# Values CDNs send when they do not know the country (unknown, Tor).
UNKNOWN_COUNTRIES = frozenset({"XX", "T1", "ZZ"})


def _accept_language_tags(header: str) -> list[str]:
    tags = []
    for part in (header or "").split(",")[:10]:
        tag = part.split(";", 1)[0].strip()
        if tag and tag != "*":
            tags.append(tag.replace("_", "-"))
    return tags


def _country(value) -> str | None:
    code = (value or "").strip().upper()
    return code if code not in UNKNOWN_COUNTRIES and is_country(code) else None


def _language(value) -> str | None:
    code = (value or "").strip().lower()
    return code if len(code) == 2 and is_language(code) else None


def _near(value) -> tuple[float, float] | None:
    parts = (value or "").split(",")
    if len(parts) != 2:
        return None
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    if math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180:
        return lat, lon
    return None


def _trusted_country(request: HttpRequest) -> str | None:
    header = reco_setting("RECOMMENDATIONS_TRUSTED_COUNTRY_HEADER")
    if not header:
        return None
    # The WSGI name of the header: building ``request.headers`` costs more than this whole function.
    return _country(request.META.get("HTTP_" + header.upper().replace("-", "_")))


def reader_context_from_request(request: HttpRequest, *, strict: bool = False) -> ReaderContext:
    """Builds a ``ReaderContext``. ``strict=True`` raises ``rest_framework.exceptions.ValidationError``
    naming every bad explicit parameter; otherwise bad values are ignored."""
    params = request.GET
    errors: dict[str, list[str]] = {}

    def explicit(name: str, parse, message: str):
        raw = params.get(name)
        if raw is None or raw == "":
            return None
        value = parse(raw)
        if value is None:
            errors[name] = [message.format(raw=raw[:40])]
        return value

    country = explicit("country", _country, "{raw!r} is not an ISO 3166-1 alpha-2 country code, e.g. DE.")
    language = explicit("language", _language, "{raw!r} is not an ISO 639-1 language code, e.g. de.")
    modality = explicit(
        "modality",
        lambda v: v if v in MODALITIES else None,
        "{raw!r} is not a modality; use in_person or online.",
    )
    near = explicit("near", _near, "{raw!r} is not latitude,longitude in decimal degrees, e.g. 52.52,13.40.")
    if strict and errors:
        from rest_framework.exceptions import ValidationError

        raise ValidationError(errors)

    tags = _accept_language_tags(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
    if country is None:
        country = _trusted_country(request)
        if country is None:
            for tag in tags:
                parts = tag.split("-")
                if len(parts) > 1 and (country := _country(parts[-1])):
                    break
    if language is None and tags:
        language = _language(tags[0].split("-")[0])
    return ReaderContext(country=country, language=language, modality=modality, near=near)
