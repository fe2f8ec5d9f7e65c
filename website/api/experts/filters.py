"""Query parameters of the listings and experts lists: names, parsing, errors and OpenAPI.

Declared once here (``website.api.params``); the narrowing they drive is the experts app's own
(``experts.filters``), shared with the reader's directory at ``/find-support/``.
"""

from __future__ import annotations

from experts.filters import MAX_RADIUS_KM
from website.api.params import (
    COUNTRY,
    LANGUAGE,
    MODALITY,
    NEAR,
    Param,
    bool_param,
    choice_param,
    float_parser,
    slug_param,
)

LISTING_PARAMS = (
    slug_param("listing_type", "Listings of any of these types (slugs); repeat the parameter.", many=True),
    choice_param("kind", ("individual", "organisation"), "Individual practitioners or organisations."),
    Param(
        COUNTRY.name, COUNTRY.parse, "Listings in this country (ISO 3166-1 alpha-2).", schema=COUNTRY.schema
    ),
    Param(MODALITY.name, MODALITY.parse, "Listings offering this modality.", schema=MODALITY.schema),
    Param(
        LANGUAGE.name,
        LANGUAGE.parse,
        "Listings working in this language (ISO 639-1).",
        schema=LANGUAGE.schema,
    ),
    slug_param(
        "specialty", "Listings with any of these specialties (topic slugs); repeat the parameter.", many=True
    ),
    bool_param("verified", "Only verified (true) or unverified (false) listings."),
    bool_param("accepting_clients", "Only listings accepting (true) or not accepting (false) new clients."),
    Param(
        NEAR.name,
        NEAR.parse,
        "Order by distance from latitude,longitude (decimal degrees).",
        schema=NEAR.schema,
    ),
    Param(
        "radius_km",
        float_parser(0.1, MAX_RADIUS_KM),
        "Only listings within this many km of near (without near no listing has a distance, so none).",
        schema={"type": "number", "minimum": 0.1, "maximum": MAX_RADIUS_KM},
    ),
    choice_param(
        "ordering",
        ("name", "-name", "distance"),
        "Sort order; name by default, distance with near (nearest first, then by name; without near,"
        " by name).",
    ),
)
EXPERT_PARAMS = (
    choice_param("role", ("author", "reviewer", "board_member"), "People with this role."),
    slug_param(
        "topic", "People with expertise in any of these topics (slugs); repeat the parameter.", many=True
    ),
)
