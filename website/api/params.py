"""Query parameters: one declaration per parameter gives both its validation and its OpenAPI entry.

A view lists the parameters it knows as ``Param`` objects. ``parse_query(request, params)`` reads
them all, collects every problem (unknown name, repeated single value, bad value) and raises one
``InvalidParameters`` naming each offending parameter, so a client fixes its request in one go.
Values come back typed: dates as ``date``, booleans as ``bool``, ``near`` as ``(lat, lon)``.

The OpenAPI entry of a parameter is exactly as strict as its parser, no looser and no stricter:
where a value needs more than a type (a number's form, a coordinate's range, a country code), the
parser checks the very regular expression the schema publishes (``Param.schema``), so a client
generated from the schema never sends a value that gets a 400, and schemathesis' negative cases
(values outside the schema) are always refused.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from drf_spectacular.utils import OpenApiParameter

from experts.countries import country_codes, is_country, is_language, language_codes

from .errors import InvalidParameters

SLUG_PATTERN = r"^[-\w]+$"
_SLUG_RE = re.compile(r"^[-\w]{1,255}$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
# The most values a repeatable parameter takes (``maxItems`` in the schema).
MAX_VALUES = 20
# ECMAScript and Python read these the same way: no ``\d`` or ``\w`` (Unicode digits in Python).
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
NUMBER_PATTERN = r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"
NO_CONTROL_PATTERN = r"^[^\x00-\x1f\x7f]*$"
_LATITUDE = r"-?(90(\.0+)?|[1-8]?[0-9](\.[0-9]+)?)"
_LONGITUDE = r"-?(180(\.0+)?|(1[0-7][0-9]|[1-9]?[0-9])(\.[0-9]+)?)"
NEAR_PATTERN = rf"^{_LATITUDE},{_LONGITUDE}$"
_NEAR_RE = re.compile(NEAR_PATTERN)
_NUMBER_RE = re.compile(NUMBER_PATTERN)
_DATE_RE = re.compile(DATE_PATTERN)


def any_case_pattern(codes) -> str:
    """A regular expression matching each code in any letter case (``de``, ``DE``, ``De``…).

    JSON Schema patterns have no case-insensitive flag, and the parsers accept any case.
    """
    alternatives = "|".join("".join(f"[{c.upper()}{c.lower()}]" for c in code) for code in sorted(codes))
    return f"^({alternatives})$"


class ParamError(ValueError):
    """A value a parameter cannot take; the message says why, for the client."""


def parse_slug(value: str) -> str:
    if not _SLUG_RE.match(value):
        raise ParamError("must be a slug (letters, digits, hyphens, underscores; at most 255 characters)")
    return value


def parse_date(value: str) -> datetime.date:
    try:
        if not _DATE_RE.match(value):
            raise ValueError
        return datetime.date.fromisoformat(value)
    except ValueError as e:
        raise ParamError("must be a date written YYYY-MM-DD") from e


BOOL_VALUES = {"true": True, "1": True, "false": False, "0": False}


def parse_bool(value: str) -> bool:
    if value not in BOOL_VALUES:
        raise ParamError("must be true or false")
    return BOOL_VALUES[value]


def parse_country(value: str) -> str:
    code = value.upper()
    if len(code) != 2 or not is_country(code):
        raise ParamError("must be an ISO 3166-1 alpha-2 country code, e.g. DE")
    return code


def parse_language(value: str) -> str:
    code = value.lower()
    if len(code) != 2 or not is_language(code):
        raise ParamError("must be an ISO 639-1 language code, e.g. en")
    return code


def parse_near(value: str) -> tuple[float, float]:
    if not _NEAR_RE.match(value):
        raise ParamError(
            "must be latitude,longitude in decimal degrees, latitude within -90..90 and longitude"
            " within -180..180, e.g. 52.52,13.40"
        )
    lat, lon = value.split(",")
    return float(lat), float(lon)


def int_parser(minimum: int, maximum: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        if not re.fullmatch(r"-?[0-9]{1,12}", value):
            raise ParamError("must be a whole number")
        number = int(value)
        if not minimum <= number <= maximum:
            raise ParamError(f"must be between {minimum} and {maximum}")
        return number

    return parse


def float_parser(minimum: float, maximum: float) -> Callable[[str], float]:
    def parse(value: str) -> float:
        if not _NUMBER_RE.match(value):
            raise ParamError("must be a number written with digits and a decimal point, e.g. 2.5")
        number = float(value)
        if not (math.isfinite(number) and minimum <= number <= maximum):
            raise ParamError(f"must be a number between {minimum:g} and {maximum:g}")
        return number

    return parse


def choice_parser(choices: tuple[str, ...]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in choices:
            raise ParamError("must be one of: " + ", ".join(choices))
        return value

    return parse


def pattern_parser(pattern: str, reason: str) -> Callable[[str], str]:
    """A value matching ``pattern`` (the schema's ``pattern`` too), as it is."""
    compiled = re.compile(pattern)

    def parse(value: str) -> str:
        if not compiled.match(value):
            raise ParamError(reason)
        return value

    return parse


def text_parser(max_length: int) -> Callable[[str], str | None]:
    """Free text of at most ``max_length`` characters; blank (or only spaces) means not given."""

    def parse(value: str) -> str | None:
        if len(value) > max_length:
            raise ParamError(f"must be at most {max_length} characters")
        return value.strip() or None

    return parse


@dataclass(frozen=True)
class Param:
    """One query parameter a view accepts."""

    name: str
    parse: Callable[[str], Any]
    description: str
    many: bool = False
    schema: dict = field(default_factory=lambda: {"type": "string"})
    # Only documents the parameter as required: the view reports it missing (a 400 naming it).
    required: bool = False

    def openapi(self) -> OpenApiParameter:
        schema = {"type": "array", "items": self.schema, "maxItems": MAX_VALUES} if self.many else self.schema
        return OpenApiParameter(
            self.name,
            type=schema,
            location=OpenApiParameter.QUERY,
            required=self.required,
            description=self.description,
            explode=True if self.many else None,
            style="form" if self.many else None,
        )


def slug_param(name: str, description: str, *, many: bool = False) -> Param:
    return Param(
        name,
        parse_slug,
        description,
        many=many,
        schema={"type": "string", "pattern": SLUG_PATTERN, "minLength": 1, "maxLength": 255},
    )


def choice_param(name: str, choices: tuple[str, ...], description: str, *, many: bool = False) -> Param:
    return Param(
        name, choice_parser(choices), description, many=many, schema={"type": "string", "enum": list(choices)}
    )


def bool_param(name: str, description: str) -> Param:
    return Param(name, parse_bool, description, schema={"type": "string", "enum": list(BOOL_VALUES)})


def date_param(name: str, description: str) -> Param:
    return Param(
        name, parse_date, description, schema={"type": "string", "format": "date", "pattern": DATE_PATTERN}
    )


def text_param(name: str, description: str, max_length: int = 200) -> Param:
    """Free text; an empty value counts as absent (a cleared search box, sent as ``search=``)."""
    return Param(
        name,
        text_parser(max_length),
        description + " Empty means no search.",
        schema={"type": "string", "maxLength": max_length, "pattern": NO_CONTROL_PATTERN},
    )


def int_param(name: str, description: str, minimum: int, maximum: int) -> Param:
    return Param(
        name,
        int_parser(minimum, maximum),
        description,
        schema={"type": "integer", "minimum": minimum, "maximum": maximum},
    )


# The reader's context for find-support suggestions.
COUNTRY = Param(
    "country",
    parse_country,
    "Reader's country (ISO 3166-1 alpha-2, any letter case). Default: CF-IPCountry, then the region of"
    " Accept-Language.",
    schema={"type": "string", "pattern": any_case_pattern(country_codes())},
)
LANGUAGE = Param(
    "language",
    parse_language,
    "Reader's language (ISO 639-1, any letter case). Default: Accept-Language.",
    schema={"type": "string", "pattern": any_case_pattern(language_codes())},
)
MODALITY = choice_param("modality", ("in_person", "online"), "Preferred way of meeting a practitioner.")
NEAR = Param(
    "near",
    parse_near,
    "Reader's position, latitude,longitude in decimal degrees.",
    schema={"type": "string", "pattern": NEAR_PATTERN},
)
READER_CONTEXT_PARAMS = (COUNTRY, LANGUAGE, MODALITY, NEAR)


def parse_query(request, params: tuple[Param, ...] | list[Param]) -> dict[str, Any]:
    """Typed values of the known parameters present in ``request.GET``; raises ``InvalidParameters``.

    Example: ``?topic=sleep&topic=trust&limit=5`` with ``topic`` declared ``many`` gives
    ``{"topic": ["sleep", "trust"], "limit": 5}``.
    """
    known = {p.name: p for p in params}
    errors: list[dict] = []
    values: dict[str, Any] = {}
    for name in request.GET:
        raw_values = request.GET.getlist(name)
        param = known.get(name)
        shown = name if len(name) <= 60 else name[:60] + "…"
        if param is None:
            errors.append(
                {"name": shown, "reason": "unknown parameter; see /api/v1/docs/ for the ones accepted"}
            )
            continue
        if not param.many and len(raw_values) > 1:
            errors.append({"name": name, "reason": "give this parameter once"})
            continue
        if len(raw_values) > MAX_VALUES:
            errors.append({"name": name, "reason": f"give at most {MAX_VALUES} values"})
            continue
        parsed = []
        for raw in raw_values:
            if _CONTROL_RE.search(raw):
                errors.append({"name": name, "reason": "must not contain control characters"})
                break
            try:
                parsed.append(param.parse(raw))
            except ParamError as e:
                errors.append({"name": name, "reason": str(e)})
                break
        else:
            parsed = [value for value in parsed if value is not None]  # blank text: not given
            if parsed:
                values[name] = parsed if param.many else parsed[0]
    if errors:
        raise InvalidParameters(errors)
    return values


def openapi_parameters(params) -> list[OpenApiParameter]:
    return [p.openapi() for p in params]
