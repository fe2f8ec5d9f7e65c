"""What a reader may see: the one filter every public list, card, feed and suggestion uses."""

from __future__ import annotations

from django.db.models import CharField, Exists, ExpressionWrapper, F, OuterRef, QuerySet
from django.db.models.lookups import StartsWith
from django.utils import timezone


def visible(queryset: QuerySet) -> QuerySet:
    """Pages a reader may see: live, outside view restrictions, and not past their expiry.

    Wagtail clears ``live`` on expired pages only when ``publish_scheduled`` runs, so the expiry
    date is checked here too. View restrictions are excluded in SQL (a restriction on the page or
    an ancestor, whose path is a prefix of the page's) rather than with ``.public()``, which spends a
    query listing restrictions each time it is called.
    """
    from wagtail.models import PageViewRestriction

    target = ExpressionWrapper(OuterRef("path"), output_field=CharField())
    restricted = PageViewRestriction.objects.filter(StartsWith(target, F("page__path")))
    return queryset.filter(live=True).exclude(Exists(restricted)).exclude(expire_at__lte=timezone.now())
