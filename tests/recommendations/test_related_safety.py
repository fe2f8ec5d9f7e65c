"""Related articles respect warnings: what an article warns against is not its subject, and under
an article that advises against joint sessions, articles about couples work are never suggested.

Fictional articles of the shape of the demo's coercive-control case: an abuse article that names
couples counselling only to say it is not safe, next to couples articles that share its words."""

import pytest

from articles.models import ArticlePage
from recommendations.backends import get_backend
from recommendations.backends.database import Corpus, NeighbourStore
from recommendations.formats import joint_format_topics, load_joint_format_topics, suggestible_under
from recommendations.models import ArticleProfile, RelatedScore
from recommendations.profiles import ArticleFacts
from recommendations.text import need_text, stem, weighted_terms
from tests import factories

from .conftest import paragraph_body
from .test_related_model import Body

WARNING = (
    "Joint sessions such as couples counselling are not safe where there is abuse: what a partner"
    " says in the room can be punished at home."
)


def abuse_body(advises: bool = True):
    return [
        (
            "safety_note",
            {
                "title": "If you are in danger",
                "text": f"<p>{WARNING}</p>",
                "advises_against_joint_sessions": advises,
            },
        ),
        ("heading", {"text": "Why couples therapy is not the answer", "level": "h2"}),
        (
            "paragraph",
            "<p>Couples therapy is not safe for a partner who is afraid. Partners who monitor,"
            " isolate and threaten are exercising control; a specialist service helps with a"
            " safety plan.</p>",
        ),
    ]


class TestWarningsAreNotTheSubject:
    def test_safety_notes_and_warning_sentences_add_no_terms(self):
        terms = weighted_terms(
            "",
            "",
            Body(
                ("safety_note", "Couples counselling is unsafe here."),
                ("heading", "Why couples therapy is not the answer"),
                (
                    "paragraph",
                    "Partners who monitor and isolate exercise control. Joint sessions are never safe.",
                ),
                ("citation", "Journal of couples"),
            ),
        )
        assert stem("couples") not in terms and stem("joint") not in terms and stem("journal") not in terms
        assert {stem("monitor"), stem("isolate"), "control"} <= set(terms)

    def test_the_title_and_topic_names_always_count(self):
        terms = weighted_terms("When a relationship is not safe", "", Body(), ["Domestic abuse"])
        assert stem("relationship") in terms and stem("abuse") in terms

    def test_the_related_model_and_find_support_share_one_rule(self):
        body = Body(("paragraph", "Why couples therapy is not the answer. Control isolates."))
        need = need_text("Coercive control", "", body)
        assert "couples" not in need.lower() and "isolates" in need
        assert stem("couples") not in weighted_terms("Coercive control", "", body)


class TestJointFormats:
    def test_topics_naming_a_joint_session_type_are_formats(self):
        topics = {1: "Couples therapy", 2: "Relationships", 3: "Domestic abuse", 4: "Family therapy"}
        assert joint_format_topics(["Couples therapist"], topics) == {1}
        assert joint_format_topics(["Couples therapist", "Family therapist"], topics) == {1, 4}
        assert joint_format_topics([], topics) == frozenset()

    @pytest.mark.parametrize(
        ("sensitive", "advises", "allowed"), [(True, True, False), (False, True, True), (True, False, True)]
    )
    def test_only_a_sensitive_article_that_advises_against_them_excludes_them(
        self, sensitive, advises, allowed
    ):
        def facts(pk, topics, **flags):
            return ArticleFacts(
                pk, None, [], topics, [], [], {}, flags.get("sensitive", False), flags.get("advises", False)
            )

        article = facts(1, [10], sensitive=sensitive, advises=advises)
        assert suggestible_under(article, facts(2, [20, 30]), frozenset({20})) is allowed
        assert suggestible_under(article, facts(3, [30]), frozenset({20})) is True


@pytest.fixture
def abuse(catalogue):
    """The catalogue (couples articles; "Couples therapist" offers joint sessions) plus an abuse
    article that warns against couples counselling and an on-subject article on safety planning."""
    relationships = catalogue["sections"]["relationships"]
    topics = catalogue["topics"]
    control = factories.article(
        relationships,
        "When control becomes abuse",
        topics=[topics["abuse"]],
        standfirst="Partners who monitor and isolate: how to recognise coercive control.",
        body=abuse_body(),
    )
    planning = factories.article(
        relationships,
        "Safety planning with a specialist service",
        topics=[topics["abuse"]],
        body=paragraph_body("A specialist service helps a partner who is afraid make a safety plan."),
    )
    # Shares the abuse article's words (partners, control, safe, afraid) and is about couples work.
    couples_control = factories.article(
        relationships,
        "Control and safety in couples therapy",
        topics=[topics["couples"]],
        body=paragraph_body("Couples therapy helps partners who feel afraid or controlled feel safe again."),
    )
    get_backend("database").rebuild(log=lambda *a: None)
    return {**catalogue, "control": control, "planning": planning, "couples_control": couples_control}


def couples_articles(magazine) -> set[int]:
    couples = magazine["topics"]["couples"]
    return set(ArticlePage.objects.filter(topics=couples).values_list("pk", flat=True))


def related_ids(article, **kwargs) -> list[int]:
    return [
        r.article.pk for r in get_backend("database").related_articles(article, with_picks=False, **kwargs)
    ]


class TestRelatedUnderAnArticleThatAdvisesAgainstJointSessions:
    def test_no_article_about_couples_work_is_suggested(self, abuse):
        related = related_ids(abuse["control"], limit=12)
        assert related[0] == abuse["planning"].pk
        assert not set(related) & couples_articles(abuse)
        assert not RelatedScore.objects.filter(
            article=abuse["control"], related_id__in=couples_articles(abuse)
        ).exists()

    def test_without_the_rule_the_couples_articles_would_be_there(self, abuse):
        """The control: the same catalogue scored without the joint-format topics."""
        facts = NeighbourStore().facts_for_all()
        corpus = Corpus(facts)
        found = {row["related_id"] for row in corpus.scores_for(abuse["control"].pk)}
        assert abuse["couples_control"].pk in found
        with_rule = Corpus(facts, format_topics=load_joint_format_topics())
        assert not {
            row["related_id"] for row in with_rule.scores_for(abuse["control"].pk)
        } & couples_articles(abuse)

    def test_a_couples_article_published_later_is_not_written_under_it(self, abuse):
        later = factories.article(
            abuse["sections"]["relationships"],
            "Abuse, control and couples therapy",
            topics=[abuse["topics"]["couples"], abuse["topics"]["abuse"]],
            body=paragraph_body("Partners who monitor and isolate; couples therapy and control."),
        )
        NeighbourStore().index_article(later.pk)
        assert not RelatedScore.objects.filter(article=abuse["control"], related=later).exists()
        assert later.pk not in related_ids(abuse["control"], limit=12)
        # The other direction stays: under the couples article, the abuse article may be suggested.
        assert RelatedScore.objects.filter(article=later, related=abuse["control"]).exists()

    def test_an_article_not_indexed_yet_follows_the_rule(self, abuse):
        """Neighbours by shared topics only (content loaded without signals): the rule still holds."""
        both = factories.article(
            abuse["sections"]["relationships"],
            "Abuse and couples therapy",
            topics=[abuse["topics"]["couples"], abuse["topics"]["abuse"]],
        )
        ArticleProfile.objects.filter(pk=abuse["control"].pk).delete()
        RelatedScore.objects.filter(article=abuse["control"]).delete()
        related = related_ids(abuse["control"], limit=12)
        assert abuse["planning"].pk in related and both.pk not in related
        assert not set(related) & couples_articles(abuse)

    def test_a_caveat_on_an_article_that_is_not_sensitive_keeps_couples_articles(self, abuse):
        """Find support's scope: a relationship article's "not where there is abuse" hides nothing."""
        caveat = factories.article(
            abuse["sections"]["relationships"],
            "Rebuilding trust as a couple",
            topics=[abuse["topics"]["trust"]],
            body=abuse_body(),
        )
        get_backend("database").rebuild(log=lambda *a: None)
        assert set(related_ids(caveat, limit=12)) & couples_articles(abuse)


class TestTheEngineFollows:
    """The engine backend as data: its documents say which articles are about a joint format, and
    its query for an article that advises against joint sessions excludes them."""

    def test_documents_flag_articles_about_a_joint_format(self, abuse):
        from recommendations.backends.elasticsearch import DocumentBuilder

        docs = DocumentBuilder().article_documents()
        flagged = {pk for pk, doc in docs.items() if doc["about_joint_format"]}
        assert flagged == couples_articles(abuse)
        control = docs[abuse["control"].pk]
        assert "couples" not in (control["body"] + control["headings"]).lower()
        assert "Couples therapy is not safe" in control["boilerplate"]

    @pytest.mark.parametrize(("article", "excludes"), [("control", True), ("flagship", False)])
    def test_the_query_excludes_them_under_an_article_that_advises_against_them(
        self, abuse, monkeypatch, settings, article, excludes
    ):
        from recommendations.backends.elasticsearch import ElasticsearchBackend

        # The engine's own query (by default indexed articles read the neighbour table).
        settings.WELLNESS = {**settings.WELLNESS, "RECOMMENDATIONS_RELATED_FROM_ENGINE": True}
        backend = ElasticsearchBackend()
        backend._client = object()  # never asked: the search itself is replaced
        sent = []
        monkeypatch.setattr(backend, "_search", lambda kind, body: sent.append(body) or [])
        page = abuse[article]
        backend.related_candidates(page, backend.article_facts(page), {page.pk}, size=20)
        (body,) = sent
        must_not = body["query"]["bool"].get("must_not", [])
        assert ({"term": {"about_joint_format": True}} in must_not) is excludes
