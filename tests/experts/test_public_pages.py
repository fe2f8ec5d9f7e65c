"""Public expert profiles at /experts/ and /experts/<slug>/."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from experts.models import Credential
from tests import factories

pytestmark = pytest.mark.django_db

SECRETS = ("expert-private@example.net", "Prefers calls after six; do not publish", "LIC-PRIVATE-123")


@pytest.fixture
def expert():
    account = factories.user("reviewer-login")
    person = factories.person(
        "Helga Nystrom",
        board=True,
        reviewer=True,
        honorific="Dr.",
        headline="Couples researcher",
        bio="<p>Studies how partners repair trust.</p>",
        linkedin_url="https://www.linkedin.com/in/helga-example",
        website_url="https://helga.example.org",
        contact_email=SECRETS[0],
        internal_notes=SECRETS[1],
        user=account,
        photo=factories.image("Helga"),
    )
    person.expertise.add(factories.topic("Infidelity"), factories.topic("Attachment"))
    person.save()
    Credential.objects.filter(person=person).update(issuing_body="Board of Psychology", country="SE")
    return person


def soup_of(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_profile_shows_public_fields(client, expert):
    soup = soup_of(client.get("/experts/helga-nystrom/"))
    assert soup.find("h1").get_text() == "Dr. Helga Nystrom"
    assert soup.select_one(".person-headline").get_text() == "Couples researcher"
    assert soup.select_one(".badge").get_text() == "Verified Expert Board Member"
    assert "Studies how partners repair trust." in soup.get_text()
    assert soup.find("a", href="https://www.linkedin.com/in/helga-example")
    assert soup.find("a", href="https://helga.example.org")
    assert [li.get_text() for li in soup.select(".tags li")] == ["Attachment", "Infidelity"]
    assert (
        soup.select_one(".credentials li").get_text()
        == "PhD, Clinical Psychology, Board of Psychology (Sweden)"
    )
    assert soup.find("img", class_="person-photo")["alt"] == "Dr. Helga Nystrom"


def test_profile_never_shows_private_fields(client, expert):
    html = client.get("/experts/helga-nystrom/").content.decode()
    for secret in (*SECRETS, "reviewer-login"):
        assert secret not in html
    index = client.get("/experts/").content.decode()
    for secret in (*SECRETS, "reviewer-login"):
        assert secret not in index


def test_expired_credential_is_not_listed_and_loses_the_badge(client):
    factories.person("Old Licence", board=True, reviewer=True, credential_valid=False)
    soup = soup_of(client.get("/experts/old-licence/"))
    assert soup.select(".credentials") == [] and soup.select(".badge") == []


def test_lists_live_public_articles_written_and_reviewed(client, expert):
    author = factories.person("Pia Author")
    written_live = factories.article(title="Written and live", authors=(expert,))
    factories.article(title="Written draft", authors=(expert,), publish=False)
    private = factories.article(title="Written private", authors=(expert,))
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="pw")
    factories.expert_review(factories.article(title="Reviewed live", authors=(author,)), expert)
    soup = soup_of(client.get("/experts/helga-nystrom/"))
    written = [a.get_text() for a in soup.select("#written-title + ul .card-title a")]
    reviewed = [a.get_text() for a in soup.select("#reviewed-title + ul .card-title a")]
    assert written == ["Written and live"]
    assert reviewed == ["Reviewed live"]
    assert soup.find("a", href=written_live.url)


def test_unknown_or_non_public_person_is_404(client):
    factories.person("Back Office", author=False)
    assert client.get("/experts/nobody-here/").status_code == 404
    assert client.get("/experts/back-office/").status_code == 404


def test_index_lists_board_members_first(client, expert):
    factories.person("Aaron Writer", headline="Journalist")
    soup = soup_of(client.get("/experts/"))
    names = [a.get_text() for a in soup.select(".person-card .card-title a")]
    assert names == ["Dr. Helga Nystrom", "Aaron Writer"]
    assert soup.find("h1").get_text() == "Our experts"


def test_index_query_count_does_not_grow_with_people(client, expert):
    def count() -> int:
        client.get("/experts/")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/experts/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(5):
        factories.person(f"Extra Reviewer {i}", board=True, reviewer=True, photo=factories.image(f"X{i}"))
    assert before == count() == 5
