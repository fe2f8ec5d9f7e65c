"""The corpus generator: reproducible for a seed, varied, a valid page tree, live pages that render."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command, get_commands
from django.db import transaction
from wagtail.models import Page

from articles.models import ArticlePage, ExpertReview, SectionPage
from articles.reviews import content_fingerprint
from bench.corpus import CorpusError, CorpusSpec, generate_corpus
from bench.management.commands.generate_corpus import Command as GenerateCorpus
from experts.models import Listing, ListingType, Person
from website.freshness import content_generation
from website.settings import bench as bench_settings

pytestmark = pytest.mark.django_db

ANCHOR = datetime.date(2026, 6, 1)
SMALL = {"articles": 30, "listings": 12, "anchor": ANCHOR, "batch_size": 8}


def _body_shape(page: ArticlePage, listing_slugs: dict[int, str]) -> list:
    """The stored body, with listing and type ids replaced by slugs (ids differ between databases)."""
    out = []
    for block in page.body.raw_data:
        value = block["value"]
        if block["type"] == "find_support":
            listing_type = (
                ListingType.objects.get(pk=value["listing_type"]).slug if value["listing_type"] else None
            )
            listings = [listing_slugs[item["value"]] for item in value["listings"]]
            value = {**value, "listings": listings, "listing_type": listing_type}
        out.append((block["type"], block["id"], value))
    return out


def snapshot() -> dict:
    """Everything the generator decides, by natural keys."""
    listing_slugs = dict(Listing.objects.values_list("pk", "slug"))
    articles = []
    for page in (
        ArticlePage.objects.order_by("path")
        .select_related("last_review__reviewer")
        .prefetch_related("article_authors__person", "tagged_topics__tag", "editorial_picks__picked")
    ):
        review = page.last_review
        articles.append(
            (
                page.title,
                page.slug,
                page.url_path,
                page.standfirst,
                page.is_sensitive,
                page.reading_time,
                page.first_published_at,
                _body_shape(page, listing_slugs),
                sorted(t.tag.name for t in page.tagged_topics.all()),
                [a.person.slug for a in page.article_authors.all()],
                [p.picked.slug for p in page.editorial_picks.all()],
                (review.reviewer.slug, review.reviewed_at, review.summary) if review else None,
            )
        )
    listings = [
        (
            lst.slug,
            lst.name,
            lst.listing_type.slug,
            lst.country,
            lst.city,
            lst.offers_in_person,
            lst.offers_online,
            lst.latitude,
            sorted(lst.languages.values_list("code", flat=True)),
            sorted(lst.specialties.values_list("name", flat=True)),
            lst.verified,
            lst.is_active,
        )
        for lst in Listing.objects.order_by("slug").select_related("listing_type")
    ]
    people = list(Person.objects.order_by("slug").values_list("slug", "honorific", "headline", "is_reviewer"))
    return {"articles": articles, "listings": listings, "people": people}


def generate_and_snapshot(**spec) -> dict:
    with transaction.atomic():
        generate_corpus(CorpusSpec(**spec))
        taken = snapshot()
        transaction.set_rollback(True)
    return taken


class TestDeterminism:
    def test_same_seed_gives_identical_content(self):
        first = generate_and_snapshot(seed=7, **SMALL)
        second = generate_and_snapshot(seed=7, **SMALL)
        assert len(first["articles"]) == 30
        assert first == second

    def test_different_seed_gives_different_content(self):
        first = generate_and_snapshot(seed=7, **SMALL)
        other = generate_and_snapshot(seed=8, **SMALL)
        assert [a[0] for a in first["articles"]] != [a[0] for a in other["articles"]]
        assert first["listings"] != other["listings"]


class TestCorpusShape:
    @pytest.fixture
    def report(self):
        return generate_corpus(CorpusSpec(seed=3, **SMALL))

    def test_counts(self, report):
        assert report.articles == ArticlePage.objects.count() == 30
        assert report.listings == Listing.objects.count() == 12
        assert SectionPage.objects.count() == report.sections == 8
        assert ExpertReview.objects.count() == report.reviews > 0
        assert len(set(report.article_slugs)) == 30

    def test_page_tree_is_valid(self, report):
        assert Page.find_problems() == ([], [], [], [], [])
        for section in SectionPage.objects.all():
            assert section.numchild == ArticlePage.objects.child_of(section).count()

    def test_articles_are_live_with_published_revisions(self, report):
        for page in ArticlePage.objects.select_related("live_revision"):
            assert page.live and not page.has_unpublished_changes
            assert page.live_revision_id == page.latest_revision_id
            assert page.live_revision.as_object().title == page.title
            assert page.live_fingerprint == content_fingerprint(page)
            assert 10 <= len(page.body.raw_data) <= 61  # 10–60 blocks, plus a safety note when sensitive
            assert 1 <= page.article_authors.count() <= 3

    def test_content_is_varied(self, report):
        pages = list(ArticlePage.objects.all())
        block_types = {block.block_type for page in pages for block in page.body}
        assert {"heading", "paragraph", "quote", "citation", "faq", "find_support"} <= block_types
        assert len({len(p.body.raw_data) for p in pages}) > 10
        assert len({p.get_parent().pk for p in pages}) >= 5
        assert len(set(Listing.objects.values_list("country", flat=True))) >= 5
        assert len(set(Listing.objects.values_list("listing_type", flat=True))) >= 4

    def test_review_records_vouch_for_the_live_content(self, report):
        review = (
            ExpertReview.objects.filter(source=ExpertReview.Source.IMPORTED).select_related("article").first()
        )
        assert review.revision_id == review.article.live_revision_id
        statuses = {page.review_status for page in ArticlePage.objects.select_related("last_review")}
        assert "reviewed" in statuses and "not_reviewed" in statuses

    def test_pages_render(self, report, client):
        for page in ArticlePage.objects.order_by("path")[:3]:
            response = client.get(page.url, HTTP_HOST="localhost")
            assert response.status_code == 200
            assert page.title.encode() in response.content

    def test_a_second_run_adds_to_the_same_tree(self, report):
        generate_corpus(CorpusSpec(seed=4, articles=5, listings=2, anchor=ANCHOR))
        assert ArticlePage.objects.count() == 35
        assert Page.find_problems() == ([], [], [], [], [])
        assert ArticlePage.objects.values("slug").distinct().count() == 35


class TestBadInput:
    def test_negative_articles_is_a_clear_error_and_writes_nothing(self):
        with pytest.raises(CommandError, match="--articles"):
            call_command(GenerateCorpus(), "--articles", "-1", "--listings", "1")
        assert not ArticlePage.objects.exists() and not Listing.objects.exists()

    def test_batch_size_out_of_range(self):
        with pytest.raises(CorpusError, match="batch_size"):
            generate_corpus(CorpusSpec(articles=1, listings=1, batch_size=0))

    def test_bad_anchor_date(self):
        with pytest.raises(CommandError, match="--anchor-date"):
            call_command(GenerateCorpus(), "--anchor-date", "June")

    def test_command_reports_what_it_made(self, capsys):
        call_command(GenerateCorpus(), "--articles", "3", "--listings", "2", "--seed", "5")
        out = capsys.readouterr()
        assert "Generated 3 articles" in out.out
        assert "articles" in out.err  # the progress bar


class TestPlace:
    def test_the_command_is_not_in_the_production_apps(self):
        # Only settings that install the ``bench`` app (bench, reliability) have it; the test
        # settings install what production does, so the command is called by its class above.
        assert "generate_corpus" not in get_commands()
        assert "bench" not in settings.INSTALLED_APPS
        assert "bench" in bench_settings.INSTALLED_APPS

    def test_generating_renews_the_content_generation(self):
        before = content_generation()[0]
        generate_corpus(CorpusSpec(seed=6, articles=2, listings=1, anchor=ANCHOR))
        assert content_generation()[0] != before
