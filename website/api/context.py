"""The reader context of an API request, with the API's strictness.

``recommendations.context.reader_context_from_request`` reads explicit parameters and falls back
to the ``CF-IPCountry`` and ``Accept-Language`` headers, silently ignoring bad values (right for
HTML pages). The API first validates ``country``, ``language``, ``modality`` and ``near`` with
``parse_query`` (a 400 names a bad one), then takes the header fallbacks from that function and
adds ``near``, which it does not read.
"""

from __future__ import annotations

import dataclasses

from recommendations.context import reader_context_from_request
from recommendations.interface import ReaderContext


def api_reader_context(request, query: dict) -> ReaderContext:
    """``query`` holds the already validated parameters of ``website.api.params.READER_CONTEXT_PARAMS``."""
    context = reader_context_from_request(request)
    return dataclasses.replace(
        context,
        country=query.get("country", context.country),
        language=query.get("language", context.language),
        modality=query.get("modality", context.modality),
        near=query.get("near"),
    )
