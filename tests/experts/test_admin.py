"""The directory admin: list columns and filters, and bad input answered with form errors.

Each bad-input test posts the real Wagtail edit form and checks three things: the form comes back
(200, not a 500), the error names the field, and nothing was written.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils import WagtailTestUtils
from wagtail.test.utils.form_data import inline_formset, nested_form_data, querydict_from_html, rich_text

from experts.models import Credential, Listing, Person
from tests import factories
from tests.articles.admin_helpers import article_form_data, edit_url, editorial_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    team = editorial_team()
    client.force_login(team.editor)
    return team


def snippet_url(model_name: str, view: str, *args) -> str:
    return reverse(f"wagtailsnippets_experts_{model_name}:{view}", args=args)


def edit_form_data(client, url):
    """The editor form's data as a browser would submit it, untouched."""
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    data = querydict_from_html(html, form_id="w-editor-form")
    # A checked checkbox without a value attribute submits "on" in a browser; the helper sends "".
    for box in WagtailTestUtils.get_soup(html).select("#w-editor-form input[type=checkbox][checked]"):
        if "value" not in box.attrs:
            data[box["name"]] = "on"
    # An unselected multiple select submits nothing; the helper picks its first option.
    for select in WagtailTestUtils.get_soup(html).select("#w-editor-form select[multiple]"):
        if not select.select("option[selected]"):
            data.pop(select["name"], None)
    return data


class TestListingList:
    def test_columns_show_type_country_with_flag_and_modalities(self, client, editor):
        factories.listing("Calm Harbour Clinic", type_name="Clinic", country="DE", offers_online=True)
        html = client.get(snippet_url("listing", "list")).content.decode()
        assert "Calm Harbour Clinic" in html
        assert "Clinic" in html
        assert "🇩🇪" not in html
        assert "Germany" in html and 'src="/flags/DE.svg"' in html
        assert "In-person · Online" in html

    def test_filters_and_search(self, client, editor):
        factories.listing("Calm Harbour Clinic", country="DE", type_name="Clinic")
        factories.listing("North Light Therapy", country="NO", offers_online=True, offers_in_person=False)
        factories.listing("Quiet Room", country="DE", is_active=False)
        url = snippet_url("listing", "list")

        def names(params):
            response = client.get(url, params)
            assert response.status_code == 200
            return sorted(obj.name for obj in response.context["object_list"])

        assert names({"country": "DE"}) == ["Calm Harbour Clinic", "Quiet Room"]
        assert names({"is_active": "false"}) == ["Quiet Room"]
        assert names({"offers_in_person": "false"}) == ["North Light Therapy"]
        clinic_type = factories.listing_type("Clinic")
        assert names({"listing_type": clinic_type.pk}) == ["Calm Harbour Clinic"]
        assert names({"q": "north"}) == ["North Light Therapy"]

    def test_person_list_shows_roles_and_board_badge(self, client, editor):
        factories.person("Mara Lind", board=True, reviewer=True)
        factories.person("Oskar Vale", board=True, credential_valid=False)
        response = client.get(snippet_url("person", "list"))
        html = response.content.decode()
        assert "Mara Lind" in html and "Author, Expert reviewer" in html
        badges = {p.name: p.shows_board_badge for p in response.context["object_list"]}
        assert badges["Mara Lind"] is True and badges["Oskar Vale"] is False

    def test_vocabularies_can_be_created_without_code(self, client, editor):
        response = client.post(
            snippet_url("topic", "add"),
            {"name": "Grief", "slug": "grief", "description": "", "synonyms": "loss, bereavement"},
        )
        assert response.status_code == 302
        response = client.post(
            snippet_url("listingtype", "add"),
            {"name": "Integration coach", "slug": "integration-coach", "default_kind": "individual"},
        )
        assert response.status_code == 302
        response = client.post(
            snippet_url("approach", "add"), {"name": "Gottman Method", "slug": "gottman", "synonyms": ""}
        )
        assert response.status_code == 302
        from experts.models import Approach, ListingType, Topic

        assert Topic.objects.get(slug="grief").synonym_list == ["loss", "bereavement"]
        assert ListingType.objects.filter(slug="integration-coach").exists()
        assert Approach.objects.filter(slug="gottman").exists()


class TestListingValidation:
    @pytest.mark.parametrize(
        ("latitude", "longitude", "message"),
        [
            ("95", "10", "Ensure this value is less than or equal to 90."),
            ("45", "-181", "Ensure this value is greater than or equal to -180."),
            ("45", "", "Give both latitude and longitude, or neither."),
            ("", "10", "Give both latitude and longitude, or neither."),
        ],
    )
    def test_invalid_coordinates_are_form_errors(self, client, editor, latitude, longitude, message):
        listing = factories.listing("Calm Harbour Clinic", latitude=52.5, longitude=13.4)
        url = snippet_url("listing", "edit", listing.pk)
        data = edit_form_data(client, url)
        data["latitude"], data["longitude"], data["name"] = latitude, longitude, "Renamed"
        response = client.post(url, data)
        assert response.status_code == 200
        assert message in response.content.decode()
        listing.refresh_from_db()
        assert listing.name == "Calm Harbour Clinic"
        assert (float(listing.latitude), float(listing.longitude)) == (52.5, 13.4)

    def test_valid_edit_saves(self, client, editor):
        listing = factories.listing("Calm Harbour Clinic")
        url = snippet_url("listing", "edit", listing.pk)
        data = edit_form_data(client, url)
        data["latitude"], data["longitude"] = "48.137", "11.575"
        response = client.post(url, data)
        assert response.status_code == 302, response.context["form"].errors
        listing.refresh_from_db()
        assert float(listing.latitude) == 48.137

    def test_new_listing_with_half_coordinates_is_not_created(self, client, editor):
        url = snippet_url("listing", "add")
        data = edit_form_data(client, url)
        listing_type = factories.listing_type("Clinic")
        data.update(
            name="Half Placed",
            slug="half-placed",
            listing_type=str(listing_type.pk),
            country="FR",
            summary="A clinic.",
            latitude="48.8",
            longitude="",
            offers_in_person="on",
        )
        response = client.post(url, data)
        assert response.status_code == 200
        assert "Give both latitude and longitude, or neither." in response.content.decode()
        assert not Listing.objects.filter(slug="half-placed").exists()


class TestBoardMemberCredentials:
    def person_post(self, client, person, credential: dict):
        url = snippet_url("person", "edit", person.pk)
        data = edit_form_data(client, url)
        for key in list(data):
            if key.startswith("credentials-"):
                del data[key]
        existing = person.credentials.first()
        row = {
            "id": str(existing.pk),
            "title": "LMFT",
            "kind": "licence",
            "issuing_body": "",
            "country": "",
            "licence_number": "",
            **credential,
        }
        data.update(nested_form_data({"credentials": inline_formset([row], initial=1)}))
        data["is_board_member"] = "on"
        return client.post(url, data)

    def test_board_member_with_expired_credential_is_refused(self, client, editor):
        person = factories.person("Oskar Vale", board=False, reviewer=True)
        today = timezone.localdate()
        expired = (today - datetime.timedelta(days=2)).isoformat()
        response = self.person_post(
            client,
            person,
            {"verified_on": (today - datetime.timedelta(days=400)).isoformat(), "expires_on": expired},
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "An expert board member needs a verified credential that has not expired" in html
        assert f"expired on {expired}" in html
        person.refresh_from_db()
        assert not person.is_board_member
        assert Credential.objects.get(person=person).expires_on > today  # the row was not overwritten

    def test_board_member_with_unverified_credential_is_refused(self, client, editor):
        person = factories.person("Oskar Vale", reviewer=True)
        response = self.person_post(client, person, {"verified_on": "", "expires_on": ""})
        assert response.status_code == 200
        assert "needs a verified credential" in response.content.decode()
        assert not Person.objects.get(pk=person.pk).is_board_member

    def test_board_member_with_current_credential_is_saved(self, client, editor):
        person = factories.person("Mara Lind", reviewer=True)
        today = timezone.localdate()
        response = self.person_post(
            client,
            person,
            {
                "verified_on": (today - datetime.timedelta(days=10)).isoformat(),
                "expires_on": (today + datetime.timedelta(days=300)).isoformat(),
            },
        )
        assert response.status_code == 302
        person.refresh_from_db()
        assert person.is_board_member and person.shows_board_badge

    def test_private_fields_stay_out_of_the_list(self, client, editor):
        factories.person("Mara Lind", reviewer=True, contact_email="mara.private@example.org")
        html = client.get(snippet_url("person", "list")).content.decode()
        assert "mara.private@example.org" not in html
        assert "LIC-PRIVATE-123" not in html


class TestFindSupportBlockInEditor:
    def test_inactive_listing_in_a_manual_group_is_a_form_error(self, client, editor):
        closed = factories.listing("Closed Practice", is_active=False)
        page = factories.article(editor.section, "Trust after an affair", authors=(editor.author_person,))
        block = {
            "title": "Find Support For Your Needs",
            "mode": "manual",
            "listings": {"count": "1", "0": {"value": str(closed.pk), "deleted": "", "order": "0", "id": ""}},
            "listing_type": "",
            "count": "2",
        }
        body = [("paragraph", rich_text("<p>Repair takes time.</p>")), ("find_support", block)]
        data = article_form_data(
            title=page.title, slug=page.slug, authors=[editor.author_person], article=page, body=body
        )
        revisions_before = page.revisions.count()
        response = client.post(edit_url(page), {**data, "action-publish": "Publish"})
        assert response.status_code == 200
        assert "Not active, cannot be shown: Closed Practice." in response.content.decode()
        page.refresh_from_db()
        assert page.revisions.count() == revisions_before
        assert "find_support" not in [b.block_type for b in page.body]
