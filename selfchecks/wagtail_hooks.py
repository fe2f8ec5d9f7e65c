"""Admin for self-checks: a snippet list under "Self-checks" for editors."""

from __future__ import annotations

from wagtail.admin.ui.tables import BooleanColumn, Column, UpdatedAtColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import SelfCheck


class SelfCheckViewSet(SnippetViewSet):
    model = SelfCheck
    icon = "form"
    menu_label = "Self-checks"
    menu_order = 260
    add_to_admin_menu = True
    list_display = [
        "title",
        Column("kind", label="Kind", accessor="get_kind_display"),
        BooleanColumn("live", label="Published"),
        UpdatedAtColumn(),
    ]
    list_filter = ["kind", "live"]
    search_fields = ["title"]
    search_backend_name = None
    ordering = ["title"]


register_snippet(SelfCheckViewSet)
