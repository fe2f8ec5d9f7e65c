"""The benchmark server's URLs and settings: baselines mounted beside the site, the request plan."""

from __future__ import annotations

import datetime
import importlib
from urllib.parse import parse_qs, urlsplit

import pytest
from wagtail.api import APIField

from articles.models import ArticleAuthor, ArticlePage, EditorialPick
from bench.baselines import ARTICLE_API_FIELDS
from bench.corpus import CorpusSpec, generate_corpus
from bench.measure import build_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def bench_urls(settings, monkeypatch):
    """bench.urls as the URLconf, and the api_fields the bench app declares, undone afterwards."""
    settings.ROOT_URLCONF = "bench.urls"
    monkeypatch.setattr(ArticlePage, "api_fields", ARTICLE_API_FIELDS, raising=False)
    monkeypatch.setattr(ArticleAuthor, "api_fields", [APIField("person")], raising=False)
    monkeypatch.setattr(EditorialPick, "api_fields", [APIField("picked")], raising=False)


@pytest.fixture
def corpus():
    generate_corpus(CorpusSpec(articles=22, listings=6, seed=2, anchor=datetime.date(2026, 6, 1)))
    return list(ArticlePage.objects.live().order_by("path"))


class TestBaselines:
    def test_static_endpoint_serves_the_payload_without_touching_the_database(
        self, bench_urls, client, django_assert_num_queries
    ):
        from bench.urls import STATIC_PAYLOAD

        with django_assert_num_queries(0):
            response = client.get("/bench/static/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert response.content == STATIC_PAYLOAD

    def test_v2_detail_returns_the_article_content(self, bench_urls, client, corpus):
        page = corpus[0]
        data = client.get(f"/api/v2/pages/{page.pk}/?fields=*").json()
        assert data["title"] == page.title
        assert data["standfirst"] == page.standfirst
        assert len(data["body"]) == len(page.body.raw_data)
        assert data["reading_time"] == page.reading_time
        assert len(data["article_authors"]) == page.article_authors.count()

    def test_v2_listing_returns_twenty_articles_with_their_fields(self, bench_urls, client, corpus):
        data = client.get("/api/v2/pages/?type=articles.ArticlePage&fields=*&limit=20").json()
        assert data["meta"]["total_count"] == 22
        assert len(data["items"]) == 20
        assert all("body" in item and "standfirst" in item for item in data["items"])

    def test_v3_detail_serves_the_same_page(self, bench_urls, client, corpus):
        page = corpus[1]
        response = client.get(f"/api/v3/pages/{page.pk}/")
        assert response.status_code == 200
        assert response.json()["title"] == page.title

    def test_the_site_is_still_served_behind_the_baselines(self, bench_urls, client, corpus):
        page = corpus[2]
        response = client.get(page.url, HTTP_HOST="localhost")
        assert response.status_code == 200
        assert page.title.encode() in response.content


class TestBenchSettings:
    def test_production_like_and_loopback_only(self):
        bench = importlib.import_module("website.settings.bench")
        assert bench.DEBUG is False
        assert bench.ROOT_URLCONF == "bench.urls"
        assert set(bench.ALLOWED_HOSTS) <= {"127.0.0.1", "localhost", "testserver"}
        assert len(bench.SECRET_KEY) >= 50

    def test_bench_app_runs_first_and_baselines_are_installed_only_here(self):
        bench = importlib.import_module("website.settings.bench")
        base = importlib.import_module("website.settings.base")
        assert bench.INSTALLED_APPS[0] == "bench"
        assert {"wagtail.api.v2", "wagtail.api.v3"} <= set(bench.INSTALLED_APPS)
        assert not {"bench", "wagtail.api.v2", "wagtail.api.v3"} & set(base.INSTALLED_APPS)

    def test_throttling_is_off_so_the_load_measures_speed(self):
        bench = importlib.import_module("website.settings.bench")
        assert bench.WELLNESS["ANON_RATE"] is None


class TestRequestPlan:
    def test_every_uncached_request_is_a_different_valid_variant(self, corpus):
        plan = {e.name: e for e in build_plan()}
        uncached = plan["bundle_uncached"].paths
        assert len(uncached) == len(set(uncached)) > 100
        slugs = {p.slug for p in corpus}
        for path in uncached:
            parts = urlsplit(path)
            assert parts.path.split("/")[-2] in slugs
            assert set(parse_qs(parts.query)) == {"country", "language", "modality"}

    def test_baselines_are_driven_with_the_same_articles(self, corpus):
        plan = {e.name: e for e in build_plan()}
        by_pk = {p.pk: p.slug for p in corpus}
        ours = {p.split("/")[4] for p in plan["related"].paths}
        v2 = {by_pk[int(p.split("/")[4])] for p in plan["v2_detail"].paths}
        assert ours == v2

    def test_plan_is_deterministic(self, corpus):
        assert [e.paths for e in build_plan()] == [e.paths for e in build_plan()]
