"""schema.org JSON-LD for articles: content, purity and safe embedding."""

import json

import pytest
from bs4 import BeautifulSoup

from articles.jsonld import article_jsonld, jsonld_script
from articles.models import ArticlePage
from tests import factories

pytestmark = pytest.mark.django_db

BASE = "https://journal.example.org"
HOSTILE = "</script><script>alert(1)</script>"


@pytest.fixture
def article():
    author = factories.person(
        "Rhea Munro",
        headline="Science writer",
        linkedin_url="https://www.linkedin.com/in/rhea-example",
        contact_email="rhea-private@example.net",
    )
    reviewer = factories.person(
        "Ines Carvalho", board=True, reviewer=True, honorific="Dr.", headline="Psychiatrist"
    )
    body = [
        factories.block("paragraph", "<p>Repair takes time.</p>"),
        factories.block("citation", factories.citation_value("Forgiveness and repair", pmid="445566")),
        factories.block(
            "faq", factories.faq_value(("Can trust return?", "Often, <b>with work</b> &amp; time."))
        ),
    ]
    page = factories.article(
        title="Trust After Betrayal",
        body=body,
        authors=(author,),
        topics=("trust", "couples therapy"),
        hero_image=factories.image("Hero"),
        hero_alt="Two mugs on a table",
    )
    return factories.expert_review(page, reviewer, summary="Sound.")


def medical(data):
    return next(item for item in data if item["@type"] == "MedicalWebPage")


def test_medical_web_page_carries_the_article(article):
    data = medical(article_jsonld(article, base_url=BASE))
    assert data["@context"] == "https://schema.org"
    assert data["headline"] == "Trust After Betrayal"
    assert data["description"] == article.standfirst
    assert data["url"] == f"{BASE}{article.url}"
    assert data["datePublished"] == article.first_published_at.isoformat()
    assert data["dateModified"]
    assert data["publisher"]["@type"] == "Organization"
    assert data["image"]["url"].startswith(f"{BASE}/")
    assert sorted(t["name"] for t in data["about"]) == ["couples therapy", "trust"]
    assert all(t["@type"] == "Thing" for t in data["about"])


def test_author_reviewer_and_last_reviewed(article):
    data = medical(article_jsonld(article, base_url=BASE))
    (author,) = data["author"]
    assert author == {
        "@type": "Person",
        "name": "Rhea Munro",
        "url": f"{BASE}/experts/rhea-munro/",
        "jobTitle": "Science writer",
        "sameAs": ["https://www.linkedin.com/in/rhea-example"],
    }
    reviewer = data["reviewedBy"]
    assert reviewer["@type"] == "Person" and reviewer["name"] == "Dr. Ines Carvalho"
    assert reviewer["jobTitle"] == "Psychiatrist"
    assert reviewer["memberOf"]["@type"] == "Organization" and "Expert Board" in reviewer["memberOf"]["name"]
    assert data["lastReviewed"] == article.last_review.reviewed_at.date().isoformat()


def test_no_board_membership_claimed_without_a_valid_credential():
    lapsed = factories.person("Lapsed Reviewer", board=True, reviewer=True, credential_valid=False)
    page = factories.expert_review(factories.article(), lapsed)
    reviewer = medical(article_jsonld(page, base_url=BASE))["reviewedBy"]
    assert "memberOf" not in reviewer and "hasCredential" not in reviewer


def test_unreviewed_article_has_no_reviewer():
    data = medical(article_jsonld(factories.article(), base_url=BASE))
    assert "reviewedBy" not in data and "lastReviewed" not in data


def test_citations_are_scholarly_articles(article):
    (citation,) = medical(article_jsonld(article, base_url=BASE))["citation"]
    assert citation["@type"] == "ScholarlyArticle"
    assert citation["name"] == "Forgiveness and repair"
    assert citation["isPartOf"] == {"@type": "Periodical", "name": "Journal of Couple Studies"}
    assert {"@type": "PropertyValue", "propertyID": "PMID", "value": "445566"} in citation["identifier"]


def test_faq_page_with_plain_text_answers(article):
    faq = next(item for item in article_jsonld(article, base_url=BASE) if item["@type"] == "FAQPage")
    (question,) = faq["mainEntity"]
    assert question == {
        "@type": "Question",
        "name": "Can trust return?",
        "acceptedAnswer": {"@type": "Answer", "text": "Often, with work & time."},
    }


def test_no_faq_page_without_faqs():
    assert [item["@type"] for item in article_jsonld(factories.article(), base_url=BASE)] == [
        "MedicalWebPage"
    ]


def test_no_private_fields(article):
    text = json.dumps(article_jsonld(article, base_url=BASE))
    assert "rhea-private@example.net" not in text and "LIC-PRIVATE-123" not in text


def test_page_head_carries_parseable_jsonld(client, article):
    soup = BeautifulSoup(client.get(article.url).content, "html.parser")
    docs = [json.loads(s.string) for s in soup.head.find_all("script", type="application/ld+json")]
    page_data = medical(docs)
    assert page_data["author"][0]["name"] == "Rhea Munro"
    assert page_data["reviewedBy"]["name"] == "Dr. Ines Carvalho"
    assert page_data["lastReviewed"]
    assert any(d["@type"] == "FAQPage" for d in docs)
    assert page_data["url"] == f"http://testserver{article.url}"


class TestEscaping:
    def test_script_helper_escapes_markup_characters(self):
        html = jsonld_script({"headline": HOSTILE, "note": "a & b > c"})
        inner = html[len('<script type="application/ld+json">') : -len("</script>")]
        assert "<" not in inner and ">" not in inner and "&" not in inner
        assert json.loads(inner) == {"headline": HOSTILE, "note": "a & b > c"}

    def test_hostile_title_and_faq_cannot_close_the_script(self, client):
        page = factories.article(
            title=f"Title {HOSTILE}",
            body=[
                factories.block(
                    "faq", factories.faq_value((f"Q {HOSTILE}", "Answer &lt;/script&gt;&lt;script&gt;x"))
                )
            ],
        )
        page = ArticlePage.objects.get(pk=page.pk)
        response = client.get(page.url)
        html = response.content.decode()
        assert "<script>alert(1)</script>" not in html
        soup = BeautifulSoup(html, "html.parser")
        scripts = soup.find_all("script")
        assert [s.get("type") for s in scripts] == ["application/ld+json", "application/ld+json"]
        docs = [json.loads(s.string) for s in scripts]
        assert medical(docs)["headline"] == f"Title {HOSTILE}"
        faq = next(d for d in docs if d["@type"] == "FAQPage")
        assert faq["mainEntity"][0]["name"] == f"Q {HOSTILE}"
        assert faq["mainEntity"][0]["acceptedAnswer"]["text"] == "Answer </script><script>x"
