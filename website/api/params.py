"""Query parameters: one declaration per parameter gives both its validation and its OpenAPI entry.

A view lists the parameters it knows as ``Param`` objects. ``parse_query(request, params)`` reads
them all, collects every problem (unknown name, repeated single value, bad value) and raises one
``InvalidParameters`` naming each offending parameter, so a client fixes its request in one go.
Values come back typed: dates as ``date``, booleans as ``bool``, ``near`` as ``(lat, lon)``.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from drf_spectacular.utils import OpenApiParameter

from experts.countries import is_country, is_language

from .errors import InvalidParameters

SLUG_PATTERN = r"^[-\w]+$"
_SLUG_RE = re.compile(r"^[-\w]{1,255}$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


class ParamError(ValueError):
    """A value a parameter cannot take; the message says why, for the client."""


def parse_slug(value: str) -> str:
    if not _SLUG_RE.match(value):
        raise ParamError("must be a slug (letters, digits, hyphens, underscores; at most 255 characters)")
    return value


def parse_date(value: str) -> datetime.date:
    try:
        if len(value) != 10:
            raise ValueError
        return datetime.date.fromisoformat(value)
    except ValueError as e:
        raise ParamError("must be a date written YYYY-MM-DD") from e


def parse_bool(value: str) -> bool:
    lowered = value.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise ParamError("must be true or false")


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
    parts = value.split(",")
    if len(parts) != 2:
        raise ParamError("must be latitude,longitude in decimal degrees, e.g. 52.52,13.40")
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError as e:
        raise ParamError("must be latitude,longitude in decimal degrees, e.g. 52.52,13.40") from e
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise ParamError("latitude must be within -90..90 and longitude within -180..180")
    return lat, lon


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
        try:
            number = float(value)
        except ValueError as e:
            raise ParamError("must be a number") from e
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


def text_parser(max_length: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        value = value.strip()
        if not value:
            raise ParamError("must not be empty")
        if len(value) > max_length:
            raise ParamError(f"must be at most {max_length} characters")
        return value

    return parse


@dataclass(frozen=True)
class Param:
    """One query parameter a view accepts."""

    name: str
    parse: Callable[[str], Any]
    description: str
    many: bool = False
    schema: dict = field(default_factory=lambda: {"type": "string"})

    def openapi(self) -> OpenApiParameter:
        schema = {"type": "array", "items": self.schema} if self.many else self.schema
        return OpenApiParameter(
            self.name,
            type=schema,
            location=OpenApiParameter.QUERY,
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
    return Param(
        name, parse_bool, description, schema={"type": "string", "enum": ["true", "false", "1", "0"]}
    )


def date_param(name: str, description: str) -> Param:
    return Param(name, parse_date, description, schema={"type": "string", "format": "date"})


def text_param(name: str, description: str, max_length: int = 200) -> Param:
    return Param(
        name,
        text_parser(max_length),
        description,
        schema={"type": "string", "minLength": 1, "maxLength": max_length, "pattern": r"\S"},
    )


def int_param(name: str, description: str, minimum: int, maximum: int) -> Param:
    return Param(
        name,
        int_parser(minimum, maximum),
        description,
        schema={"type": "integer", "minimum": minimum, "maximum": maximum},
    )


FORMAT = Param(
    "format",
    choice_parser(("json",)),
    "Response format; only json.",
    schema={"type": "string", "enum": ["json"]},
)

# The reader's context for find-support suggestions.
COUNTRY = Param(
    "country",
    parse_country,
    "Reader's country (ISO 3166-1 alpha-2). Default: CF-IPCountry, then the region of Accept-Language.",
    schema={"type": "string", "pattern": "^[A-Za-z]{2}$"},
)
LANGUAGE = Param(
    "language",
    parse_language,
    "Reader's language (ISO 639-1). Default: Accept-Language.",
    schema={"type": "string", "pattern": "^[A-Za-z]{2}$"},
)
MODALITY = choice_param("modality", ("in_person", "online"), "Preferred way of meeting a practitioner.")
NEAR = Param(
    "near",
    parse_near,
    "Reader's position, latitude,longitude in decimal degrees.",
    schema={"type": "string", "pattern": r"^-?\d{1,3}(\.\d+)?,-?\d{1,3}(\.\d+)?$"},
)
READER_CONTEXT_PARAMS = (COUNTRY, LANGUAGE, MODALITY, NEAR)


def parse_query(request, params: tuple[Param, ...] | list[Param]) -> dict[str, Any]:
    """Typed values of the known parameters present in ``request.GET``; raises ``InvalidParameters``.

    Example: ``?topic=sleep&topic=trust&limit=5`` with ``topic`` declared ``many`` gives
    ``{"topic": ["sleep", "trust"], "limit": 5}``.
    """
    known = {p.name: p for p in (*params, FORMAT)}
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
        if len(raw_values) > 20:
            errors.append({"name": name, "reason": "give at most 20 values"})
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
            values[name] = parsed if param.many else parsed[0]
    if errors:
        raise InvalidParameters(errors)
    return values


def openapi_parameters(params) -> list[OpenApiParameter]:
    return [p.openapi() for p in params]
