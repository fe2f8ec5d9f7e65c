"""Limit/offset pagination with a default and a hard maximum page size.

Response shape::

    {"count": 42, "limit": 20, "offset": 0, "next": "…?limit=20&offset=20", "previous": null, "results": […]}

``limit`` above ``WELLNESS["API_MAX_PAGE_SIZE"]`` or an offset past ``API_MAX_OFFSET`` is a 400
naming the parameter, never a silent clamp: a front end learns about it while developing.
"""

from __future__ import annotations

from django.utils.http import urlencode
from rest_framework import serializers

from website.conf import wellness_settings
from website.public_url import public_root

from .params import Param, int_parser


def pagination_params() -> tuple[Param, Param]:
    max_size, max_offset = wellness_settings.API_MAX_PAGE_SIZE, wellness_settings.API_MAX_OFFSET
    return (
        Param(
            "limit",
            int_parser(1, max_size),
            f"Page size, 1 to {max_size} (default {wellness_settings.API_PAGE_SIZE}).",
            schema={"type": "integer", "minimum": 1, "maximum": max_size},
        ),
        Param(
            "offset",
            int_parser(0, max_offset),
            "Number of items to skip.",
            schema={"type": "integer", "minimum": 0, "maximum": max_offset},
        ),
    )


def paginate(queryset_or_list, query: dict, request) -> tuple[list, dict]:
    """The slice of items for ``query``'s limit/offset and the envelope around it (count, links)."""
    limit, offset = page_window(query)
    if isinstance(queryset_or_list, list):
        count = len(queryset_or_list)
    else:
        count = queryset_or_list.count()
    items = list(queryset_or_list[offset : offset + limit]) if offset < count else []
    return items, envelope(count, query, request)


def page_window(query: dict) -> tuple[int, int]:
    """``(limit, offset)`` asked for by ``query``, with the default page size."""
    return query.get("limit") or wellness_settings.API_PAGE_SIZE, query.get("offset") or 0


def envelope(count: int, query: dict, request) -> dict:
    """The envelope (count, limit, offset, next/previous links) of a list of ``count`` items.

    For lists whose page is cut elsewhere (a search engine pages its own hits).
    """
    limit, offset = page_window(query)

    def link(new_offset: int) -> str:
        params = request.GET.copy()
        params["limit"], params["offset"] = str(limit), str(new_offset)
        return public_root() + request.path + "?" + urlencode(sorted(params.lists()), doseq=True)

    return {
        "count": count,
        "limit": limit,
        "offset": offset,
        "next": link(offset + limit) if offset + limit < count else None,
        "previous": link(max(0, offset - limit)) if offset > 0 and count else None,
    }


def paginated_serializer(item_serializer, name: str):
    """A serializer describing the envelope around ``item_serializer`` (for the schema and output)."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(),
            "limit": serializers.IntegerField(),
            "offset": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item_serializer(many=True),
        },
    )
