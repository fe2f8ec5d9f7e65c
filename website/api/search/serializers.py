"""The search response: the list envelope, the query, facets and highlighted hits (schema and output)."""

from __future__ import annotations

from rest_framework import serializers

from website.api.articles.serializers import ArticleCardSerializer


class FacetValueSerializer(serializers.Serializer):
    """One facet value. Example: ``{"slug": "sleep", "title": "Sleep", "count": 4, "selected": false}``"""

    slug = serializers.CharField()
    title = serializers.CharField()
    count = serializers.IntegerField(help_text="Results with this value, the other facet's filter applied.")
    selected = serializers.BooleanField(help_text="This value is one of the request's filters.")


class SearchFacetsSerializer(serializers.Serializer):
    sections = FacetValueSerializer(many=True)
    topics = FacetValueSerializer(many=True)


class SearchHitSerializer(serializers.Serializer):
    """One result. Example::

    {"article": {"slug": "quiet-hours", "…": "an article card"},
     "title": "Quiet <mark>Hours</mark>", "snippet": "… why the <mark>hour</mark> before bed …"}
    """

    article = ArticleCardSerializer()
    title = serializers.CharField(
        help_text="The title as HTML: escaped text, the matched words in <mark>. Insert as HTML."
    )
    snippet = serializers.CharField(
        allow_blank=True,
        help_text="A passage where the words matched, as HTML: escaped text, matches in <mark>.",
    )


class SearchResultsSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Results in all (after the section and topic filters).")
    limit = serializers.IntegerField()
    offset = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    query = serializers.CharField(help_text="The words searched for, as received.")
    backend = serializers.ChoiceField(
        choices=["database", "engine"], help_text="Which implementation answered (database on fallback)."
    )
    facets = SearchFacetsSerializer()
    results = SearchHitSerializer(many=True)
