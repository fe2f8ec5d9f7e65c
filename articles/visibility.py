"""What a reader may see: the one filter every public list, card, feed and suggestion uses."""

from __future__ import annotations

from django.db.models import CharField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.db.models.lookups import StartsWith
from django.utils import timezone


def visible(queryset: QuerySet) -> QuerySet:
    """Pages a reader may see: live, outside view restrictions, not past their expiry, and inside
    sections that are themselves live and unexpired (every ancestor below the tree's root).

    Wagtail clears ``live`` on expired pages only when ``publish_scheduled`` runs, so the expiry
    date is checked here too. View restrictions are excluded in SQL (a restriction on the page or
    an ancestor, whose path is a prefix of the page's) rather than with ``.public()``, which spends a
    query listing restrictions each time it is called.
    """
    from wagtail.models import Page, PageViewRestriction

    now = timezone.now()
    target = ExpressionWrapper(OuterRef("path"), output_field=CharField())
    restricted = PageViewRestriction.objects.filter(StartsWith(target, F("page__path")))
    # An ancestor's path is a proper prefix of the page's; the tree's root (depth 1) is never live
    # content, so it is left out.
    hidden_ancestor = Page.objects.filter(
        StartsWith(target, F("path")), depth__gt=1, depth__lt=OuterRef("depth")
    ).filter(Q(live=False) | Q(expire_at__lte=now))
    return (
        queryset.filter(live=True)
        .exclude(Exists(restricted))
        .exclude(expire_at__lte=now)
        .exclude(Exists(hidden_ancestor))
    )
