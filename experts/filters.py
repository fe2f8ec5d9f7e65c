"""How the listings and experts lists are narrowed and ordered: the API's and the directory's.

The query parameters themselves (names, parsing, OpenAPI) are the API's
(``website.api.experts.filters``); these functions take a query already parsed and validated.

Distances (``near=lat,lon``) are great-circle distances computed in the database with Django's
math functions (SQLite and PostgreSQL alike), after a bounding-box prefilter when ``radius_km``
is given. Listings without coordinates have no distance: they sort last and fall outside any radius.
"""

from __future__ import annotations

import math

from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import ACos, Cast, Cos, Greatest, Least, Radians, Sin

EARTH_RADIUS_KM = 6371.0
MAX_RADIUS_KM = 20_000.0


def distance_expression(lat: float, lon: float):
    lat_r, lon_r = Radians(Cast("latitude", FloatField())), Radians(Cast("longitude", FloatField()))
    cosine = Value(math.cos(math.radians(lat))) * Cos(lat_r) * Cos(lon_r - Value(math.radians(lon))) + Value(
        math.sin(math.radians(lat))
    ) * Sin(lat_r)
    distance = Value(EARTH_RADIUS_KM) * ACos(Least(Value(1.0), Greatest(Value(-1.0), cosine)))
    # PostgreSQL's GREATEST/LEAST skip NULLs (SQLite's do not): listings without coordinates
    # must get no distance rather than the far side of the planet.
    return Case(
        When(
            Q(latitude__isnull=True) | Q(longitude__isnull=True), then=Value(None, output_field=FloatField())
        ),
        default=distance,
        output_field=FloatField(),
    )


def near(queryset: QuerySet, point: tuple[float, float], radius_km: float | None) -> QuerySet:
    lat, lon = point
    if radius_km is not None:
        lat_span = radius_km / 111.0
        queryset = queryset.filter(
            latitude__gte=max(-90.0, lat - lat_span), latitude__lte=min(90.0, lat + lat_span)
        )
    queryset = queryset.annotate(distance_km=distance_expression(lat, lon))
    if radius_km is not None:
        queryset = queryset.filter(distance_km__lte=radius_km)
    return queryset


def filter_listings(queryset: QuerySet, query: dict) -> QuerySet:
    """Active listings narrowed and ordered by ``query`` (already validated)."""
    if "listing_type" in query:
        queryset = queryset.filter(listing_type__slug__in=query["listing_type"])
    if "kind" in query:
        queryset = queryset.filter(kind=query["kind"])
    if "country" in query:
        queryset = queryset.filter(country=query["country"])
    if "modality" in query:
        queryset = queryset.filter(
            **{"offers_in_person" if query["modality"] == "in_person" else "offers_online": True}
        )
    if "language" in query:
        queryset = queryset.filter(
            pk__in=queryset.model.languages.through.objects.filter(language_id=query["language"]).values(
                "listing_id"
            )
        )
    if "specialty" in query:
        queryset = queryset.filter(
            pk__in=queryset.model.specialties.through.objects.filter(
                topic__slug__in=query["specialty"]
            ).values("listing_id")
        )
    if "verified" in query:
        queryset = queryset.filter(verified=query["verified"])
    if "accepting_clients" in query:
        queryset = queryset.filter(accepting_clients=query["accepting_clients"])
    if "near" in query:
        queryset = near(queryset, query["near"], query.get("radius_km"))
    elif "radius_km" in query:
        # Without a point no listing has a distance, and a listing without one is outside any radius.
        return queryset.none()
    ordering = query.get("ordering", "distance" if "near" in query else "name")
    if ordering == "distance" and "near" not in query:
        ordering = "name"  # without a point no listing has a distance: the tie-break alone, by name
    if ordering == "distance":
        return queryset.order_by(F("distance_km").asc(nulls_last=True), "name", "pk")
    return queryset.order_by("-name" if ordering == "-name" else "name", "pk")


def filter_experts(queryset: QuerySet, query: dict) -> QuerySet:
    role = query.get("role")
    if role:
        queryset = queryset.filter(
            **{
                {"author": "is_author", "reviewer": "is_reviewer", "board_member": "is_board_member"}[
                    role
                ]: True
            }
        )
    if "topic" in query:
        queryset = queryset.filter(
            pk__in=queryset.model.expertise.through.objects.filter(topic__slug__in=query["topic"]).values(
                "person_id"
            )
        )
    return queryset.order_by("name", "pk")


PUBLIC_PEOPLE = Q(is_author=True) | Q(is_reviewer=True) | Q(is_board_member=True)
