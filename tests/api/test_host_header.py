"""A forged Host header cannot reach the absolute URLs readers get, cached or not (issue 12, finding 4).

Before: the first request with ``Host: 127.0.0.1:31337`` had its canonical URL, image URLs and
``next`` links built from that host, and the response cache (keyed by ETag, which leaves out the
host) served them to every later reader.
"""

from __future__ import annotations

import pytest

from tests import factories
from tests.api.conftest import make_image

pytestmark = pytest.mark.django_db

ROOT = "https://journal.example"
FORGED = "127.0.0.1:31337"


@pytest.fixture
def public_site(settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "testserver"]  # Django ignores the port when matching
    settings.WELLNESS = {
        **settings.WELLNESS,
        "PUBLIC_BASE_URL": ROOT,
        "API_RESPONSE_CACHE_TIMEOUT": 3600,
        "ANON_RATE": None,
    }
    section = factories.section("Trends & Signals")
    article = factories.article(section, "Main article", hero_image=make_image("Hero"))
    factories.article(section, "Second article")
    return article


def urls_in(bundle: dict) -> list[str]:
    return [bundle["seo"]["canonical_url"], bundle["images"]["hero"]["url"]]


def test_forged_host_does_not_reach_the_bundle_or_its_cached_copy(client, public_site):
    url = f"/api/v1/articles/{public_site.slug}/"
    forged = client.get(url, HTTP_HOST=FORGED)
    assert forged.status_code == 200
    assert all(u.startswith(ROOT + "/") for u in urls_in(forged.json())), urls_in(forged.json())
    later = client.get(url, HTTP_HOST="127.0.0.1")
    assert all(u.startswith(ROOT + "/") for u in urls_in(later.json()))
    assert FORGED not in later.content.decode() and FORGED not in forged.content.decode()
    assert later.json()["seo"]["canonical_url"] == ROOT + "/trends-signals/main-article/"


def test_forged_host_does_not_reach_pagination_links(client, public_site):
    forged = client.get("/api/v1/articles/?limit=1", HTTP_HOST=FORGED).json()
    assert forged["next"].startswith(ROOT + "/api/v1/articles/?")
    later = client.get("/api/v1/articles/?limit=1").json()
    assert later["next"].startswith(ROOT + "/api/v1/articles/?")


def test_forged_host_does_not_reach_the_html_page_json_ld(client, public_site):
    html = client.get(public_site.url, HTTP_HOST=FORGED).content.decode()
    assert FORGED not in html
    assert f"{ROOT}/trends-signals/main-article/" in html
