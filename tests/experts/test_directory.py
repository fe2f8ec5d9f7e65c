"""The practitioner directory: /find-support/ with filters and pagination, one page per listing."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from experts.directory import PER_PAGE
from tests import factories

pytestmark = pytest.mark.django_db


def _names(response) -> list[str]:
    return re.findall(
        r'<h2 class="card-title"><a href="/find-support/[^"]+/">([^<]+)</a>', response.content.decode()
    )


@pytest.fixture
def directory():
    trust, sleep = factories.topic("Trust and betrayal"), factories.topic("Sleep")
    factories.listing("Anna Berlin", city="Berlin", country="DE", languages=("de",), specialties=(trust,))
    factories.listing(
        "Ben Online",
        city="Munich",
        country="DE",
        offers_online=True,
        offers_in_person=False,
        specialties=(sleep,),
    )
    factories.listing("Chloe Paris", type_name="Psychologist", city="Paris", country="FR", languages=("fr",))
    factories.listing("Dora Unverified", country="DE", city="Berlin", verified=False)
    factories.listing("Emil Inactive", country="DE", city="Berlin", is_active=False)


class TestFilters:
    def test_all_active_listings_by_name_unverified_labelled(self, client, directory):
        response = client.get("/find-support/")
        assert _names(response) == ["Anna Berlin", "Ben Online", "Chloe Paris", "Dora Unverified"]
        assert "Not yet verified" in response.content.decode()

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("country=DE", ["Anna Berlin", "Ben Online", "Dora Unverified"]),
            ("country=DE&city=berlin", ["Anna Berlin", "Dora Unverified"]),
            ("type=psychologist", ["Chloe Paris"]),
            ("modality=online", ["Ben Online"]),
            ("modality=in_person&country=DE", ["Anna Berlin", "Dora Unverified"]),
            ("language=fr", ["Chloe Paris"]),
            ("concern=sleep", ["Ben Online"]),
            ("concern=sleep&concern=trust-and-betrayal", ["Anna Berlin", "Ben Online"]),
            ("country=IT", []),
        ],
    )
    def test_each_filter_narrows(self, client, directory, query, expected):
        response = client.get(f"/find-support/?{query}")
        assert response.status_code == 200
        assert _names(response) == expected

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("country=XX", "Country"),
            ("type=wizard", "Type of support"),
            ("concern=nope", "Concern"),
            ("language=zz", "Language"),
            ("modality=telepathy", "How you meet"),
            ("page=abc", "Page"),
        ],
    )
    def test_an_unknown_value_is_a_clear_400_message(self, client, directory, query, field):
        response = client.get(f"/find-support/?{query}")
        html = response.content.decode()
        assert response.status_code == 400
        assert "Some filters could not be used" in html and f"<li>{field}:" in html
        assert _names(response) == []

    def test_pagination_keeps_the_filters(self, client):
        for i in range(PER_PAGE + 3):
            factories.listing(f"Practitioner {i:02d}", country="DE")
        first = client.get("/find-support/?country=DE")
        assert len(_names(first)) == PER_PAGE
        assert 'href="?country=DE&amp;page=2" rel="next"' in first.content.decode()
        second = client.get("/find-support/?country=DE&page=2")
        assert _names(second) == [f"Practitioner {i:02d}" for i in range(PER_PAGE, PER_PAGE + 3)]
        assert _names(client.get("/find-support/?country=DE&page=99")) == _names(second)


class TestListingPage:
    def test_shows_the_public_profile_and_json_ld(self, client):
        trust = factories.topic("Trust and betrayal")
        eft = factories.approach("Emotionally Focused Therapy")
        listing = factories.listing(
            "Helga Brandt",
            city="Berlin",
            languages=("de", "en"),
            specialties=(trust,),
            approaches=(eft,),
            verified_on="2026-02-10",
            booking_url="https://booking.example/helga",
            contact_email="private@example.org",
            internal_notes="do not show",
            image=factories.image("Helga portrait"),
            credentials="Psychological psychotherapist, Dipl.-Psych.",
        )
        response = client.get(f"/find-support/{listing.slug}/")
        html = response.content.decode()
        assert response.status_code == 200
        for text in (
            "Helga Brandt",
            "Berlin",
            "German",
            "English",
            "Trust and betrayal",
            "Emotionally Focused Therapy",
        ):
            assert text in html
        assert '<time datetime="2026-02-10">10 Feb 2026</time>' in html
        assert 'href="https://booking.example/helga" rel="nofollow noopener"' in html
        assert "private@example.org" not in html and "do not show" not in html
        assert 'class="listing-photo"' in html
        data = json.loads(
            re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
        )
        assert data["@type"] == "Person" and data["name"] == "Helga Brandt"
        assert '<dd class="listing-credentials">Psychological psychotherapist, Dipl.-Psych.</dd>' in html
        assert data["hasCredential"] == {
            "@type": "EducationalOccupationalCredential",
            "name": "Psychological psychotherapist, Dipl.-Psych.",
        }
        assert data["url"] == f"http://testserver/find-support/{listing.slug}/"
        assert data["address"] == {
            "@type": "PostalAddress",
            "addressCountry": "DE",
            "addressLocality": "Berlin",
        }
        assert data["knowsLanguage"] == ["English", "German"] or set(data["knowsLanguage"]) == {
            "English",
            "German",
        }
        assert (
            "Trust and betrayal" in data["knowsAbout"] and "Emotionally Focused Therapy" in data["knowsAbout"]
        )

    def test_no_credentials_row_or_claim_when_none_are_entered(self, client):
        listing = factories.listing("Quiet Practice")
        html = client.get(f"/find-support/{listing.slug}/").content.decode()
        assert "listing-credentials" not in html and "hasCredential" not in html
        assert "<dt>Verification</dt>" in html

    def test_an_inactive_listing_has_no_page(self, client):
        listing = factories.listing("Gone", is_active=False)
        assert client.get(f"/find-support/{listing.slug}/").status_code == 404

    def test_the_sitemap_lists_active_listings_only(self, client):
        active, inactive = factories.listing("Here"), factories.listing("Gone", is_active=False)
        xml = client.get("/sitemap.xml", HTTP_HOST="localhost").content.decode()
        assert f"<loc>http://testserver/find-support/{active.slug}/</loc>" in xml  # the public root
        assert f"/find-support/{inactive.slug}/" not in xml


class TestConstantQueries:
    def _listings(self, n, prefix="P"):
        trust = factories.topic("Trust and betrayal")
        eft = factories.approach("EFT")
        return [
            factories.listing(
                f"{prefix}{i:02d}",
                languages=("de", "en"),
                specialties=(trust,),
                approaches=(eft,),
                image=factories.image(f"{prefix}{i:02d} photo"),
            )
            for i in range(n)
        ]

    def _count(self, client, url):
        client.get(url)  # renditions are made on the first view
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    @pytest.mark.parametrize(
        "url", ["/find-support/", "/find-support/?country=DE&concern=trust-and-betrayal"]
    )
    def test_the_directory_costs_the_same_for_3_and_30_listings(self, client, url):
        self._listings(3)
        few = self._count(client, url)
        self._listings(30, "Q")
        assert self._count(client, url) == few

    def test_the_listing_page_costs_the_same_for_3_and_30_listings(self, client):
        small = self._listings(3)
        few = self._count(client, f"/find-support/{small[0].slug}/")
        many = self._listings(30, "Q")
        assert self._count(client, f"/find-support/{many[-1].slug}/") == few


class TestSeeAllFromArticles:
    def test_an_automatic_group_links_to_the_directory_with_its_filters(self, client):
        trust = factories.topic("Trust and betrayal")
        couples = factories.listing_type("Couples therapist")
        factories.listing("Anna Berlin", country="DE", specialties=(trust,))
        page = factories.article(
            title="Rebuilding trust",
            topics=(trust,),
            body=[
                factories.block(
                    "find_support", factories.find_support_value(mode="automatic", listing_type=couples)
                )
            ],
        )
        html = client.get(page.url, HTTP_CF_IPCOUNTRY="DE").content.decode()
        assert (
            'href="/find-support/?type=couples-therapist&amp;concern=trust-and-betrayal&amp;country=DE"'
            in html
        )

    def test_a_manual_group_of_one_type_carries_that_type_and_no_country_when_unknown(self, client):
        trust = factories.topic("Trust and betrayal")
        listing = factories.listing("Anna Berlin", country="DE", type_name="Psychologist")
        page = factories.article(
            title="Rebuilding trust",
            topics=(trust,),
            body=[factories.block("find_support", factories.find_support_value([listing]))],
        )
        html = client.get(page.url).content.decode()
        assert 'href="/find-support/?type=psychologist&amp;concern=trust-and-betrayal"' in html
        listing_link = client.get("/find-support/?type=psychologist&concern=trust-and-betrayal")
        assert _names(listing_link) == []  # Anna has no such specialty: the link narrows like the group
