"""The practitioner directory for readers: ``/find-support/`` and one page per listing.

Listings follow the API's rules (``experts.cards.listing_queryset``: active listings only,
verified or not, the unverified ones labelled) and its filters (``experts.filters.filter_listings``);
this module only turns the reader's form into that filter's query. Both pages take a fixed number
of queries whatever the number of listings (the test asserts it at two sizes).
"""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from website.public_url import public_root

from .cards import listing_queryset
from .countries import country_choices, language_choices, language_name
from .filters import filter_listings
from .models import Listing, ListingType, Topic

PER_PAGE = 12
MODALITY_CHOICES = [("", "In person or online"), ("in_person", "In person"), ("online", "Online")]


class DirectoryFilterForm(forms.Form):
    """The filters; every value is checked against the vocabularies (unknown ones are errors)."""

    country = forms.ChoiceField(required=False)
    city = forms.CharField(required=False, max_length=120)
    type = forms.ChoiceField(required=False, label="Type of support")
    modality = forms.ChoiceField(required=False, choices=MODALITY_CHOICES, label="How you meet")
    language = forms.ChoiceField(required=False)
    concern = forms.MultipleChoiceField(
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text="Choose one or more.",
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, data, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.fields["country"].choices = [("", "Any country"), *country_choices()]
        self.fields["type"].choices = [("", "Any type"), *ListingType.objects.values_list("slug", "name")]
        self.fields["language"].choices = [("", "Any language"), *language_choices()]
        self.fields["concern"].choices = list(Topic.objects.order_by("name").values_list("slug", "name"))

    def listing_query(self) -> dict:
        """The ``filter_listings`` query of the cleaned values."""
        data = self.cleaned_data
        query: dict = {}
        if data.get("type"):
            query["listing_type"] = [data["type"]]
        for name in ("country", "modality", "language"):
            if data.get(name):
                query[name] = data[name]
        if data.get("concern"):
            query["specialty"] = data["concern"]
        return query


def directory_listings() -> QuerySet:
    """Active listings with everything a card and the listing page show, in a fixed number of queries."""
    return (
        listing_queryset()
        .select_related("image")
        .prefetch_related("image__renditions", Prefetch("approaches"))
    )


def find_support(request: HttpRequest) -> HttpResponse:
    """The directory: filters (a plain GET form), paginated listing cards."""
    form = DirectoryFilterForm(request.GET or None)
    context: dict = {"form": form, "page_obj": None, "filters": []}
    if request.GET and not form.is_valid():
        context["errors"] = [
            f"{form.fields[name].label or name.capitalize()}: {' '.join(messages)}"
            for name, messages in form.errors.items()
        ]
        return render(request, "experts/directory/index.html", context, status=400)
    data = form.cleaned_data if request.GET else {}
    listings = filter_listings(directory_listings(), form.listing_query() if request.GET else {})
    if data.get("city"):
        listings = listings.filter(city__iexact=data["city"].strip())
    paginator = Paginator(listings, PER_PAGE)
    number = min(data.get("page") or 1, paginator.num_pages)
    page_obj = paginator.page(number)
    params = {k: v for k, v in request.GET.lists() if k != "page"}
    context.update(
        page_obj=page_obj,
        page_query=urlencode(params, doseq=True),
        filtered=any(v for k, v in data.items() if k != "page"),
    )
    return render(request, "experts/directory/index.html", context)


def listing_jsonld(listing: Listing) -> dict:
    """schema.org ``Person`` (individual practitioners) or ``Organization``: public fields only."""
    root = public_root()
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Person" if listing.kind == Listing.Kind.INDIVIDUAL else "Organization",
        "name": listing.name,
        "url": root + listing_url(listing),
        "description": listing.summary,
        "address": {
            "@type": "PostalAddress",
            "addressCountry": listing.country,
            **({"addressLocality": listing.city} if listing.city else {}),
        },
        "knowsAbout": [t.name for t in listing.specialties.all()]
        + [a.name for a in listing.approaches.all()],
        "knowsLanguage": [language_name(lang.code) for lang in listing.languages.all()],
    }
    if listing.kind == Listing.Kind.INDIVIDUAL:
        data["jobTitle"] = listing.listing_type.name
    if listing.credentials:
        data["hasCredential"] = {"@type": "EducationalOccupationalCredential", "name": listing.credentials}
    if listing.website_url:
        data["sameAs"] = [listing.website_url]
    if listing.image_id:
        data["image"] = root + listing.image.get_rendition("fill-240x240").url
    if listing.latitude is not None and listing.longitude is not None:
        data["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(listing.latitude),
            "longitude": float(listing.longitude),
        }
    return data


def listing_url(listing) -> str:
    return f"/find-support/{listing.slug}/"


def listing_page(request: HttpRequest, slug: str) -> HttpResponse:
    """One active listing's public profile."""
    listing = directory_listings().filter(slug=slug).first()
    if listing is None:
        raise Http404("No active listing at this address.")
    return render(
        request,
        "experts/directory/listing.html",
        {
            "listing": listing,
            "jsonld": listing_jsonld(listing),
            "booking_external": _is_external(listing.booking_url),
        },
    )


def _is_external(url: str) -> bool:
    return bool(url) and not url.startswith(public_root() + "/") and not url.startswith("/")


def see_all_url(*, listing_type: str = "", topics=(), country: str = "") -> str:
    """``/find-support/`` narrowed like a find-support group: its type, its topics, the reader's country."""
    params: list[tuple[str, str]] = []
    if listing_type:
        params.append(("type", listing_type))
    params += [("concern", slug) for slug in topics]
    if country:
        params.append(("country", country))
    return "/find-support/" + ("?" + urlencode(params) if params else "")
