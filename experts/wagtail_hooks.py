"""Admin for the directory: listings, people and the vocabularies editors manage without code.

Everything sits in one "Directory" menu. Listings and people get list columns and filters that
answer the questions editors ask ("which verified online therapists in Germany are inactive?");
the vocabularies (topics, approaches, listing types) are plain searchable lists. Search uses the
database (``search_backend_name = None``) so that it works the same with or without Elasticsearch.
"""

from __future__ import annotations

from django.db.models import Count
from django.urls import path
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column, UpdatedAtColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .admin_views import PersonLoginView
from .forms import ListingAdminForm, PersonAdminForm
from .models import Approach, Listing, ListingType, Person, Topic
from .panels import LOGIN_CHANGE_URL_NAME


def _country_label(listing: Listing) -> str:
    return format_html("{} {}", listing.country_flag, listing.country_name)


def _modalities_label(listing: Listing) -> str:
    labels = {"in_person": "In-person", "online": "Online"}
    return " · ".join(labels[m] for m in listing.modalities)


def _person_roles(person: Person) -> str:
    roles = [
        label for label, on in (("Author", person.is_author), ("Expert reviewer", person.is_reviewer)) if on
    ]
    return ", ".join(roles) or "—"


class ListingViewSet(SnippetViewSet):
    model = Listing
    icon = "group"
    menu_label = "Listings"
    list_display = [
        "name",
        Column("listing_type", label="Type", sort_key="listing_type__name"),
        Column("country", label="Country", accessor=_country_label, sort_key="country"),
        Column("modalities", label="Modalities", accessor=_modalities_label),
        BooleanColumn("verified", label="Verified", sort_key="verified"),
        BooleanColumn("is_active", label="Active", sort_key="is_active"),
        UpdatedAtColumn(),
    ]
    list_filter = ["listing_type", "country", "offers_in_person", "offers_online", "verified", "is_active"]
    search_fields = ["name", "city", "summary"]
    search_backend_name = None
    ordering = ["name"]
    edit_handler = ObjectList(Listing.panels, base_form_class=ListingAdminForm)

    def get_queryset(self, request):
        return Listing.objects.select_related("listing_type")


class PersonViewSet(SnippetViewSet):
    model = Person
    icon = "user"
    menu_label = "People"
    list_display = [
        Column("name", label="Name", accessor="display_name", sort_key="name"),
        Column("roles", label="Roles", accessor=_person_roles),
        BooleanColumn("shows_board_badge", label="Board badge"),
        Column("user", label="Login", accessor=lambda p: p.user.get_username() if p.user_id else "—"),
    ]
    list_filter = ["is_author", "is_reviewer", "is_board_member"]
    search_fields = ["name", "headline"]
    search_backend_name = None
    ordering = ["name"]
    edit_handler = ObjectList(Person.panels, base_form_class=PersonAdminForm)

    def get_queryset(self, request):
        return Person.objects.select_related("user").prefetch_related("credentials")


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_label = "Topics"
    list_display = [
        "name",
        "slug",
        Column("article_count", label="Articles", sort_key="article_count"),
        BooleanColumn("is_sensitive", label="Sensitive"),
    ]
    list_filter = ["is_sensitive"]
    search_fields = ["name", "synonyms"]
    search_backend_name = None
    ordering = ["name"]

    def get_queryset(self, request):
        return Topic.objects.annotate(article_count=Count("tagged_articles", distinct=True))


class ApproachViewSet(SnippetViewSet):
    model = Approach
    icon = "list-ul"
    menu_label = "Approaches"
    list_display = ["name", "slug", "synonyms"]
    search_fields = ["name", "synonyms"]
    search_backend_name = None
    ordering = ["name"]


class ListingTypeViewSet(SnippetViewSet):
    model = ListingType
    icon = "folder-open-inverse"
    menu_label = "Listing types"
    list_display = [
        "name",
        Column("default_kind", label="Usually", accessor="get_default_kind_display"),
        BooleanColumn("is_clinical", label="Clinical"),
        BooleanColumn("is_crisis_resource", label="Crisis resource"),
        BooleanColumn("offers_joint_sessions", label="Joint sessions"),
    ]
    search_fields = ["name"]
    search_backend_name = None
    ordering = ["name"]


class DirectoryViewSetGroup(SnippetViewSetGroup):
    menu_label = "Directory"
    menu_icon = "group"
    menu_order = 250
    items = (ListingViewSet, PersonViewSet, TopicViewSet, ApproachViewSet, ListingTypeViewSet)


register_snippet(DirectoryViewSetGroup)


@hooks.register("register_admin_urls")
def register_person_login_url():
    return [path("people/<int:person_id>/login/", PersonLoginView.as_view(), name=LOGIN_CHANGE_URL_NAME)]
