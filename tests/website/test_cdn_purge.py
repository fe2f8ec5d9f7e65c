"""CDN purge on publish and unpublish, through Wagtail's front-end cache (off unless configured)."""

from __future__ import annotations

import pytest
from wagtail.contrib.frontend_cache.backends import BaseBackend

from tests import factories

pytestmark = pytest.mark.django_db


class RecordingBackend(BaseBackend):
    """A front-end cache backend that records what it was asked to purge."""

    purged: list[str] = []

    def purge(self, url: str) -> None:
        RecordingBackend.purged.append(url)


@pytest.fixture
def recorded(settings):
    RecordingBackend.purged = []
    settings.WAGTAILFRONTENDCACHE = {"recording": {"BACKEND": f"{__name__}.RecordingBackend"}}
    return RecordingBackend.purged


def api_urls(slug: str) -> set[str]:
    return {
        f"http://testserver/api/v1/articles/{slug}/",
        f"http://testserver/api/v1/articles/{slug}/related/",
        f"http://testserver/api/v1/articles/{slug}/support/",
        "http://testserver/api/v1/articles/",
    }


class TestPurge:
    def test_publishing_an_article_purges_its_page_and_api_urls_after_commit(
        self, recorded, django_capture_on_commit_callbacks
    ):
        article = factories.article(publish=False, title="Rebuilding trust")
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            article.save_revision().publish()
        assert recorded == []  # nothing before the commit
        for callback in callbacks:
            callback()
        assert set(recorded) == {article.full_url, *api_urls(article.slug)}
        assert article.full_url.endswith("/rebuilding-trust/")

    def test_unpublishing_purges_them_too(self, recorded, django_capture_on_commit_callbacks):
        article = factories.article(title="Rebuilding trust")
        with django_capture_on_commit_callbacks(execute=True):
            article.unpublish()
        assert set(recorded) == {article.full_url, *api_urls(article.slug)}

    def test_a_section_purges_its_own_page_only(self, recorded, django_capture_on_commit_callbacks):
        section = factories.section("Signals")
        with django_capture_on_commit_callbacks(execute=True):
            section.save_revision().publish()
        assert recorded == [section.full_url]

    def test_nothing_is_sent_without_configuration(self, settings, django_capture_on_commit_callbacks):
        RecordingBackend.purged = []
        assert not hasattr(settings, "WAGTAILFRONTENDCACHE")
        article = factories.article(publish=False)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            article.save_revision().publish()
        assert [c for c in callbacks if c.__module__ == "website.api.cdn"] == []  # nothing scheduled
        assert RecordingBackend.purged == []
