"""Quality on the judged sets, at thresholds justified in docs/recommendations.md."""

import datetime
import json
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from recommendations.backends import get_backend
from recommendations.evaluation import (
    DEMO_SET,
    TfidfBaseline,
    evaluate,
    load_judged_set,
    ndcg_at_k,
    off_topic_cards,
    precision_at_k,
)
from recommendations.interface import ReaderContext
from tests import factories
from website.demo import import_demo_content

from .conftest import make_listing

pytestmark = pytest.mark.django_db


def test_metric_definitions():
    grades = {"a": 2, "b": 1}
    assert ndcg_at_k(["a", "b", "x"], grades) == pytest.approx(1.0)
    assert ndcg_at_k(["x", "b", "a"], grades) < ndcg_at_k(["a", "x", "b"], grades)
    assert precision_at_k(["a", "x", "b"], grades) == 1.0  # both relevant items are in the top 5
    assert precision_at_k(["x", "y", "a"], grades) == 0.5


def test_off_topic_cards_are_those_judged_zero_or_not_judged():
    assert off_topic_cards(["a", "b", "c"], {"a": 2, "b": 0}) == ["b", "c"]


def test_database_backend_meets_the_thresholds(eval_set):
    """Related 0.987 against the TF-IDF baseline's 0.857 (docs/recommendations.md)."""
    report = evaluate(eval_set, get_backend("database"))
    assert report.related_ndcg >= 0.95 and report.related_precision >= 0.9
    assert report.related_baseline_ndcg < 0.9
    assert report.support_ndcg >= 0.85 and report.support_precision >= 0.85
    assert report.hard_filter_violations == 0 and report.requests_checked == 630
    assert report.coverage >= 0.9
    assert report.exposure_spread >= 0.9


def test_flagship_of_the_set_gets_couples_practitioners_and_relationship_articles(eval_set):
    from articles.models import ArticlePage

    article = ArticlePage.objects.get(slug="eval-rebuilding-trust-after-an-affair")
    backend = get_backend("database")
    support = backend.find_support(article, context=ReaderContext(country="DE", language="de"), count=3)
    types = [s.listing.listing_type.name for s in support.suggestions]
    # Relevance first: couples therapists tagged with the article's concerns, an online one from
    # Austria before a local one with fewer of them.
    assert types == ["Couples therapist", "Couples therapist", "Couples therapist"]
    # A psychologist suits relationship problems (the shipped vocabulary), but the set's psychologists
    # work with anxiety and depression only: the competence model offers none of them here.
    from experts.models import ListingType

    psychologists = backend.find_support(
        article,
        context=ReaderContext(country="DE", language="de"),
        listing_type=ListingType.objects.get(slug="psychologist"),
        count=1,
    )
    assert psychologists.suggestions == []
    related = [r.article.slug for r in backend.related_articles(article, limit=3)]
    assert set(related[:2]) == {"eval-jealousy-in-long-relationships", "eval-how-couples-therapy-works"}


def test_exposure_spread_over_many_requests(db):
    """Eight equally good listings, two slots, 80 days: everyone is shown, nobody hogs the slots."""
    couples = factories.topic("Couples therapy")
    article = factories.article(title="Couples basics", topics=[couples])
    for n in range(8):
        make_listing(f"Tied Practice {n}", country="NL", languages=("nl",), specialties=(couples,))
    backend = get_backend("database")
    shown = Counter()
    start = datetime.date(2026, 1, 1)
    for day in range(80):
        result = backend.find_support(
            article, context=ReaderContext(country="NL"), count=2, day=start + datetime.timedelta(days=day)
        )
        shown.update(s.listing.slug for s in result.suggestions)
    fair = 80 * 2 / 8
    assert len(shown) == 8
    assert max(shown.values()) <= 2 * fair and min(shown.values()) >= fair / 2


def test_evaluate_command_prints_the_metrics_and_leaves_no_trace(db, capsys):
    from experts.models import Listing

    call_command("evaluate_recommendations", "--quick", "--set", "fictional")
    out = capsys.readouterr().out
    assert (
        "set: fictional" in out and "related articles  nDCG@5" in out and "hard-filter violations: 0" in out
    )
    assert "TF-IDF cosine baseline nDCG@5" in out and "off-topic rate:" in out
    assert not Listing.objects.filter(slug__startswith="eval-").exists()


def test_evaluate_command_names_an_unknown_set(db):
    with pytest.raises(CommandError, match="--set: no judged set named 'nonesuch'"):
        call_command("evaluate_recommendations", "--set", "nonesuch")


BUNDLE = json.loads((Path(settings.BASE_DIR) / "website" / "fixtures" / "demo-content.json").read_text())


class TestTheDemoJudgedSet:
    """The set's shape (no database): as many judgments as the issue asks, over the demo's own
    articles and listings, with the traps it names."""

    data = json.loads(DEMO_SET.read_text())
    articles = {a["slug"] for a in BUNDLE["articles"]}
    listings = {item["slug"]: item for item in BUNDLE["listings"]}

    def test_size_and_grades(self):
        cases = self.data["support_judgments"]
        assert len(cases) >= 40
        assert sum(len(grades) for grades in self.data["related_judgments"].values()) >= 30
        for case in cases:
            assert case["article"] in self.articles and set(case["grades"]) <= set(self.listings)
            assert set(case["grades"].values()) <= {0, 1, 2} and max(case["grades"].values()) > 0
        for slug, grades in self.data["related_judgments"].items():
            assert slug in self.articles and set(grades) <= self.articles - {slug}
            assert set(grades.values()) <= {0, 1, 2}

    def test_traps_are_judged_explicitly(self):
        def grade(article, listing, **context):
            for case in self.data["support_judgments"]:
                if case["article"] == article and all(
                    case["context"].get(k) == v for k, v in context.items()
                ):
                    if listing in case["grades"]:
                        return case["grades"][listing]
            raise AssertionError(f"{listing} not judged on {article} {context}")

        flagship = "after-the-breach-couples-therapy-and-rebuilding-trust"
        # Incidental words: "betrayal trauma" does not bring an integration coach.
        assert grade(flagship, "femke-van-doorn", country="NL") == 0
        # A psychologist without the exact tag is still a reasonable match; a sleep one is not.
        assert grade(flagship, "katrin-sedlmayr", country="DE") == 1
        assert grade(flagship, "jonas-pfeilschifter", country="DE") == 0
        # Distant vs near: in Munich, the Munich psychologist on trust comes first, Berlin further down.
        near = next(c for c in self.data["support_judgments"] if c["context"].get("near"))
        assert near["grades"]["matthias-oberle"] == 2 and near["grades"]["helene-brandauer"] == 1
        # The coercive-control article warns against couples work: practitioners chosen for it are 0.
        assert grade("recognising-coercive-control", "callum-fairbairn", country="GB") == 0
        assert grade("recognising-coercive-control", "hearthline", country="GB") == 2
        # Product brands are never judged: they may not appear in a clinical group at all.
        products = {s for s, item in self.listings.items() if item["listing_type"] == "product-brand"}
        assert not any(products & set(c["grades"]) for c in self.data["support_judgments"])


def test_tfidf_baseline_ranks_by_shared_rare_words(db):
    """The baseline is plain TF-IDF cosine over the whole text, written apart from the ranking code."""
    a = factories.article(title="Jealousy and phones", standfirst="Checking a partner's phone.")
    b = factories.article(title="Phones at night", standfirst="Checking the phone before sleep.")
    c = factories.article(title="Grief and rituals", standfirst="Mourning together.")
    baseline = TfidfBaseline([a, b, c])
    assert baseline.ranked(a.slug) == [b.slug, c.slug]
    assert baseline.similarity(a.slug, c.slug) == 0.0


@pytest.fixture
def demo_set(db):
    data = load_judged_set("demo", demo_loader=import_demo_content)
    get_backend("database").rebuild(log=lambda *a: None)
    return data


def test_demo_judged_set_meets_the_thresholds(demo_set):
    """The figures reached on the demo judged set (docs/recommendations.md), as floors: related
    0.832 against the TF-IDF baseline's 0.648; find support 0.905 with 3.9% of cards off topic after
    the competence model (issue 14's targets: ≥ 0.9 and ≤ 5%)."""
    report = evaluate(demo_set, get_backend("database"), quick=True)
    assert report.related_ndcg >= 0.82
    assert report.related_ndcg - report.related_baseline_ndcg >= 0.15
    assert report.related_baseline_ndcg < 0.70
    assert report.support_ndcg >= 0.89
    assert report.off_topic_rate <= 0.05
    assert report.hard_filter_violations == 0 and report.requests_checked == 23 * 18
    assert report.coverage >= 0.9


def test_demo_coercive_control_article_suggests_no_couples_work(demo_set):
    """The demo's trap: "Recognising coercive control" names couples therapy only to say that joint
    sessions are not the answer where there is abuse. No article about couples therapy is suggested
    under it (the editors' own picks aside, which stay the editors' call)."""
    from articles.models import ArticlePage

    article = ArticlePage.objects.get(slug="recognising-coercive-control")
    couples = set(ArticlePage.objects.filter(topics__slug="couples-therapy").values_list("slug", flat=True))
    assert len(couples) == 4
    related = [
        r.article.slug for r in get_backend("database").related_articles(article, limit=12, with_picks=False)
    ]
    assert related[0] == "digital-trust-phones-and-passwords"
    assert not set(related) & couples
