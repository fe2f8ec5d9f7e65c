"""What a reader may see: the one filter every public list, card, feed and suggestion uses."""

from __future__ import annotations

from django.db.models import (
    BooleanField,
    CharField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.lookups import StartsWith
from django.utils import timezone

# Ancestors are found by their exact paths (the page's path cut at each level), which the unique
# index on ``path`` answers, for pages down to this depth; deeper pages fall back to a prefix match,
# which no index serves (a scan of the page table per page: minutes at 10,000 articles on SQLite).
INDEXED_ANCESTOR_DEPTH = 12


class IsAncestorPath(Func):
    """``path IN (SUBSTR(target, 1, 8), SUBSTR(target, 1, 12), …)``: ``path`` is the target's path cut
    at one of the levels 2 … ``INDEXED_ANCESTOR_DEPTH − 1``. One expression that writes its own SQL,
    rather than a list of ``Substr`` expressions, because ``visible()`` is compiled on every request
    and ten ``Substr`` cost more to resolve and compile than the rest of the filter together."""

    output_field = BooleanField()
    arity = 2

    def __init__(self, path, target, steplen: int):
        super().__init__(path, target)
        self.steplen = steplen

    def as_sql(self, compiler, connection, **extra):
        path_sql, path_params = compiler.compile(self.source_expressions[0])
        target_sql, target_params = compiler.compile(self.source_expressions[1])
        levels = range(2, INDEXED_ANCESTOR_DEPTH)
        if not levels:  # every ancestor is left to the prefix match
            return "1 = 0", ()
        cuts = ", ".join(f"SUBSTR({target_sql}, 1, {self.steplen * level})" for level in levels)
        return f"{path_sql} IN ({cuts})", (*path_params, *(tuple(target_params) * len(levels)))


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
    hidden = Q(live=False) | Q(expire_at__lte=now)
    # The tree's root (depth 1) is never live content, so it is left out; an ancestor is shallower
    # than the page (a cut at or past the page's own depth is the page itself).
    hidden_ancestor = Page.objects.filter(
        hidden, IsAncestorPath(F("path"), target, Page.steplen), depth__gt=1, depth__lt=OuterRef("depth")
    )
    deep_hidden_ancestor = Page.objects.filter(
        hidden, StartsWith(target, F("path")), depth__gte=INDEXED_ANCESTOR_DEPTH, depth__lt=OuterRef("depth")
    )
    return (
        queryset.filter(live=True)
        .exclude(Exists(restricted))
        .exclude(expire_at__lte=now)
        .exclude(Exists(hidden_ancestor))
        .exclude(Q(depth__gt=INDEXED_ANCESTOR_DEPTH) & Exists(deep_hidden_ancestor))
    )
