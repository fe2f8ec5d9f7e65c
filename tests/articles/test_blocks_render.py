"""Each body block's HTML, rendered on its own and inside an article page."""

import pytest
from bs4 import BeautifulSoup

from articles.blocks import ArticleBodyBlock
from recommendations.interface import SupportResult, SupportSuggestion
from tests import factories

pytestmark = pytest.mark.django_db

BODY = ArticleBodyBlock()


def render_block(type_: str, raw: dict | str, **context) -> BeautifulSoup:
    block = BODY.child_blocks[type_]
    value = block.to_python(raw)
    return BeautifulSoup(block.render(value, context=context), "html.parser")


def page_soup(client, page, **params) -> BeautifulSoup:
    response = client.get(page.url, params)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


class TestHeading:
    def test_heading_has_level_and_anchor(self):
        soup = render_block("heading", {"text": "Rebuilding Trust Together", "level": "h3", "anchor": ""})
        heading = soup.find("h3")
        assert heading.get_text() == "Rebuilding Trust Together"
        assert heading["id"] == "rebuilding-trust-together"

    def test_repeated_headings_get_unique_anchors_on_the_page(self, client):
        heading = {"text": "Next steps", "level": "h2", "anchor": ""}
        page = factories.article(
            body=[factories.block("heading", heading), factories.block("heading", heading)]
        )
        ids = [h["id"] for h in page_soup(client, page).select(".article-body h2")]
        assert ids == ["next-steps", "next-steps-2"]


def test_paragraph_renders_rich_text():
    soup = render_block("paragraph", "<p>Trust is <b>rebuilt</b> slowly.</p>")
    assert soup.find("b").get_text() == "rebuilt"


def test_quote_shows_speaker_and_credential():
    soup = render_block(
        "quote",
        {"text": "Small moments count.", "speaker": "Mara Velt", "credential": "Licensed therapist (LMFT)"},
    )
    assert soup.find("blockquote").get_text(strip=True) == "Small moments count."
    assert soup.select_one(".quote-speaker").get_text() == "Mara Velt"
    assert soup.select_one(".quote-credential").get_text() == "Licensed therapist (LMFT)"


class TestCitations:
    def test_markers_link_to_numbered_reference_list(self, client):
        page = factories.article(
            body=[
                factories.block("paragraph", "<p>First claim.</p>"),
                factories.block("citation", factories.citation_value("First study")),
                factories.block("paragraph", "<p>Second claim.</p>"),
                factories.block("citation", factories.citation_value("Second study", doi="", pmid="12345")),
            ]
        )
        soup = page_soup(client, page)
        markers = soup.select(".article-body sup a")
        assert [m.get_text() for m in markers] == ["[1]", "[2]"]
        assert [m["href"] for m in markers] == ["#ref-1", "#ref-2"]
        entries = soup.select(".references ol > li")
        assert [e["id"] for e in entries] == ["ref-1", "ref-2"]
        assert "First study" in entries[0].get_text()
        assert entries[0].find("a", href="https://doi.org/10.1000/jcs.2021.7")
        assert entries[1].find("a", href="https://pubmed.ncbi.nlm.nih.gov/12345/")
        assert entries[1].find("a", href="#cite-2")

    def test_markers_sit_inline_at_the_end_of_the_cited_paragraph(self, client):
        page = factories.article(
            body=[
                factories.block("paragraph", "<p>Opening.</p><p>Claim one.</p>"),
                factories.block("citation", factories.citation_value("First study")),
                factories.block("citation", factories.citation_value("Second study")),
                factories.block("paragraph", "<ul><li>Point a</li><li>Point b</li></ul>"),
                factories.block("citation", factories.citation_value("Third study")),
                factories.block("heading", {"text": "Next", "level": "h2", "anchor": ""}),
                factories.block("citation", factories.citation_value("Fourth study")),
            ]
        )
        soup = page_soup(client, page)
        paragraphs = soup.select(".article-body .rich-text > p")
        assert [p.get_text() for p in paragraphs] == ["Opening.", "Claim one.[1][2]"]
        assert [a["id"] for a in paragraphs[1].select("sup.cite-marker a")] == ["cite-1", "cite-2"]
        assert soup.select(".article-body .rich-text li")[-1].get_text() == "Point b[3]"
        # A citation after a heading has no paragraph to join: it keeps its own marker line.
        assert soup.select_one("p.cite-marker a").get_text() == "[4]"
        assert len(soup.select(".article-body a[href^='#ref-']")) == 4

    def test_references_have_one_full_stop_after_initials(self, client):
        page = factories.article(
            body=[
                factories.block("paragraph", "<p>Claim.</p>"),
                factories.block(
                    "citation",
                    factories.citation_value("Attachment and repair", authors="Okonkwo, R. and Lindahl, P."),
                ),
                factories.block(
                    "citation", factories.citation_value("Does it help?", authors="Lind, Okafor")
                ),
            ]
        )
        entries = [" ".join(li.get_text().split()) for li in page_soup(client, page).select(".references li")]
        assert entries[0].startswith("Okonkwo, R. and Lindahl, P. Attachment and repair. Journal")
        assert entries[1].startswith("Lind, Okafor. Does it help? Journal")
        assert not any(".." in entry for entry in entries)

    def test_no_reference_list_without_citations(self, client):
        assert page_soup(client, factories.article()).select(".references") == []


def test_faq_is_a_disclosure_list():
    soup = render_block(
        "faq", factories.faq_value(("How long does repair take?", "It varies."), ("Who joins?", "Both."))
    )
    items = soup.select("details")
    assert [d.find("summary").get_text() for d in items] == ["How long does repair take?", "Who joins?"]
    assert items[0].select_one(".faq-answer").get_text(strip=True) == "It varies."
    assert soup.find("h2").get_text() == "FAQ"


class TestFindSupport:
    def test_manual_group_shows_active_listings_only(self):
        active = factories.listing(
            "Ilse Brandt",
            type_name="Psychologist",
            country="DE",
            city="Trier",
            offers_online=True,
            booking_url="https://booking.example.org/ilse",
        )
        inactive = factories.listing("Closed Practice", is_active=False)
        soup = render_block("find_support", factories.find_support_value([active, inactive]))
        cards = soup.select(".listing-card")
        assert len(cards) == 1
        card = cards[0]
        assert card.select_one(".card-title").get_text() == "Ilse Brandt"
        assert card.select_one(".listing-type").get_text() == "Psychologist"
        assert [m.get_text() for m in card.select(".modality")] == ["In-person", "Online"]
        flag = card.select_one("img.flag")
        assert flag["src"] == "/flags/DE.svg" and flag["alt"] == ""
        assert card.select_one(".country").get_text() == "Germany"
        assert card.select_one(".city").get_text() == "Trier"
        assert card.select_one(".card-summary").get_text() == "Ilse Brandt works with adults and couples."
        assert card.find("a", href="https://booking.example.org/ilse")
        assert soup.find("h2").get_text() == "Find Support For Your Needs"

    def test_commercial_relationship_is_disclosed(self):
        sponsored = factories.listing("Paid Placement", commercial_relationship="sponsored")
        affiliate = factories.listing("Shop Link", commercial_relationship="affiliate")
        plain = factories.listing("Plain Practice")
        soup = render_block("find_support", factories.find_support_value([sponsored, affiliate, plain]))
        labels = {
            c.select_one(".card-title").get_text(): c.select_one(".disclosure") for c in soup.select(".card")
        }
        assert labels["Paid Placement"].get_text() == "Sponsored"
        assert labels["Shop Link"].get_text() == "Affiliate"
        assert labels["Plain Practice"] is None

    def test_automatic_group_shows_engine_suggestions_with_reasons(self, client, monkeypatch):
        suggested = factories.listing("Noor Haddad", type_name="Couples therapist", country="NL")
        kind = factories.listing_type("Couples therapist")
        calls = []

        def fake_find_support(
            article, *, context=None, listing_type=None, count=2, include_products=False, exclude_listings=()
        ):
            assert not exclude_listings  # no editors' group on this page
            calls.append((article.pk, context, listing_type, count, include_products))
            return SupportResult(
                [
                    SupportSuggestion(
                        suggested, ["Works with couples after infidelity", "Speaks Dutch"], sponsored=True
                    )
                ]
            )

        monkeypatch.setattr("recommendations.interface.find_support", fake_find_support)
        page = factories.article(
            body=[
                factories.block(
                    "find_support",
                    factories.find_support_value(
                        mode="automatic",
                        title="Find Support To Match Your Needs",
                        listing_type=kind,
                        count=3,
                    ),
                )
            ]
        )
        soup = page_soup(client, page, country="NL", language="nl", modality="online")
        group = soup.select_one(".find-support")
        assert group.find("h2").get_text() == "Find Support To Match Your Needs"
        card = group.select_one(".listing-card")
        assert card.select_one(".card-title").get_text() == "Noor Haddad"
        assert [li.get_text() for li in card.select(".reasons li")] == [
            "Works with couples after infidelity",
            "Speaks Dutch",
        ]
        assert card.select_one(".disclosure").get_text() == "Sponsored"
        ((article_pk, context, listing_type, count, include_products),) = calls
        assert article_pk == page.pk and listing_type == kind and count == 3 and include_products is False
        assert (context.country, context.language, context.modality) == ("NL", "nl", "online")

    def test_automatic_group_falls_back_to_headers_and_ignores_bad_parameters(self, client, monkeypatch):
        contexts = []

        def fake_find_support(article, *, context=None, **kwargs):
            contexts.append(context)
            return SupportResult([])

        monkeypatch.setattr("recommendations.interface.find_support", fake_find_support)
        page = factories.article(
            body=[factories.block("find_support", factories.find_support_value(mode="automatic"))]
        )
        response = client.get(
            page.url,
            {"country": "<b>", "modality": "teleport", "language": "zz"},
            HTTP_ACCEPT_LANGUAGE="de-AT,de;q=0.8,en;q=0.5",
        )
        assert response.status_code == 200
        assert (contexts[0].country, contexts[0].language, contexts[0].modality) == ("AT", "de", None)
        client.get(page.url, HTTP_CF_IPCOUNTRY="FR", HTTP_ACCEPT_LANGUAGE="de-AT")
        assert contexts[1].country == "FR"
        # A group with nothing to show leaves no empty heading behind.
        assert b'class="find-support' not in response.content

    def test_a_failing_engine_does_not_break_the_article(self, client, monkeypatch):
        def broken(*args, **kwargs):
            raise RuntimeError("engine down")

        monkeypatch.setattr("recommendations.interface.find_support", broken)
        page = factories.article(
            body=[factories.block("find_support", factories.find_support_value(mode="automatic"))]
        )
        assert client.get(page.url).status_code == 200


def test_safety_note_is_a_note_with_crisis_link():
    soup = render_block(
        "safety_note",
        {
            "title": "When joint sessions are not safe",
            "text": "<p>Abuse or control comes first.</p>",
            "advises_against_joint_sessions": True,
            "resource_label": "Crisis lines",
            "resource_url": "https://help.example.org/crisis",
        },
    )
    note = soup.find(attrs={"role": "note"})
    assert "When joint sessions are not safe" in note.get_text()
    link = note.find("a", href="https://help.example.org/crisis")
    assert link.get_text() == "Crisis lines"


def test_safety_note_without_own_link_points_to_crisis_resources():
    soup = render_block("safety_note", {"title": "Take care", "text": "<p>Text.</p>", "resource_url": ""})
    assert soup.find(attrs={"role": "note"}).find("a")["href"].startswith("https://")


def test_image_has_alt_text_and_caption():
    picture = factories.image("Chairs")
    soup = render_block(
        "image", {"image": picture.pk, "alt": "Two empty chairs by a window", "caption": "A quiet room"}
    )
    img = soup.find("img")
    assert img["alt"] == "Two empty chairs by a window"
    assert soup.find("figcaption").get_text() == "A quiet room"
