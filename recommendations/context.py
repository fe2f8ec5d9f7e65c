"""The reader's context for suggestions, read from an HTTP request.

Explicit query parameters win (``?country=``, ``?language=``, ``?modality=``); otherwise the
country comes from the CDN's ``CF-IPCountry`` header, then from the region of the first
``Accept-Language`` entry that has one, and the language from that header's first entry.
Invalid values are ignored rather than reported: an HTML page must never fail on them.
"""

from __future__ import annotations

from django.http import HttpRequest

from experts.countries import is_country, is_language

from .interface import ReaderContext

MODALITIES = ("in_person", "online")


def _accept_language_tags(header: str) -> list[str]:
    tags = []
    for part in (header or "").split(",")[:10]:
        tag = part.split(";", 1)[0].strip()
        if tag and tag != "*":
            tags.append(tag.replace("_", "-"))
    return tags


def _country(value) -> str | None:
    code = (value or "").strip().upper()
    return code if is_country(code) else None


def _language(value) -> str | None:
    code = (value or "").strip().lower()
    return code if is_language(code) else None


def reader_context_from_request(request: HttpRequest) -> ReaderContext:
    """Builds a ``ReaderContext``; never raises on malformed parameters or headers."""
    params = request.GET
    tags = _accept_language_tags(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))

    country = _country(params.get("country")) or _country(request.META.get("HTTP_CF_IPCOUNTRY"))
    if country is None:
        for tag in tags:
            parts = tag.split("-")
            if len(parts) > 1 and (country := _country(parts[-1])):
                break

    language = _language(params.get("language"))
    if language is None and tags:
        language = _language(tags[0].split("-")[0])

    modality = params.get("modality")
    return ReaderContext(
        country=country, language=language, modality=modality if modality in MODALITIES else None
    )
