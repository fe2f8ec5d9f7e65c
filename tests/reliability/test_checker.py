"""What the soak's checker reads out of responses (reliability.checker.claims_for)."""

import json

from reliability.checker import claims_for, probes_from_plan

CHURN = {"/mind/calm/": "calm", "/body/sleep-well/": "sleep-well"}
LISTINGS = {"ada-lind", "mara-ost"}


def test_churn_article_bundle_claims_visibility_and_revision():
    body = json.dumps({"title": "Calm (rev 3)", "url_path": "/mind/calm/", "related": []}).encode()
    claims = claims_for({"kind": "article_api", "slug": "calm", "churn": True}, 200, body, CHURN, LISTINGS)
    assert claims == [{"entity": "article:calm", "visible": True, "rev": 3}]


def test_404_of_a_churn_article_claims_it_is_gone():
    claims = claims_for({"kind": "article_html", "slug": "calm", "churn": True}, 404, b"", CHURN, LISTINGS)
    assert claims == [{"entity": "article:calm", "visible": False}]


def test_html_page_revision_comes_from_the_heading_and_links_count_as_visible():
    body = b'<h1>Sleep well (rev 2)</h1><a href="/mind/calm/">Calm (rev 9)</a><a href="/other/">x</a>'
    probe = {"kind": "article_html", "slug": "sleep-well", "churn": True}
    claims = claims_for(probe, 200, body, CHURN, LISTINGS)
    assert {"entity": "article:sleep-well", "visible": True, "rev": 2} in claims
    assert {"entity": "article:calm", "visible": True} in claims
    assert len(claims) == 2


def test_related_results_claim_only_churn_articles():
    body = json.dumps({"results": [{"url_path": "/body/sleep-well/"}, {"url_path": "/x/y/"}]}).encode()
    claims = claims_for({"kind": "related"}, 200, body, CHURN, LISTINGS)
    assert claims == [{"entity": "article:sleep-well", "visible": True}]


def test_support_results_claim_churn_listings_shown():
    body = json.dumps({"results": [{"slug": "mara-ost"}, {"slug": "someone-else"}]}).encode()
    assert claims_for({"kind": "support"}, 200, body, CHURN, LISTINGS) == [
        {"entity": "listing:mara-ost", "visible": True}
    ]


def test_listing_detail_404_claims_it_is_gone_and_errors_claim_nothing():
    probe = {"kind": "listing_api", "slug": "ada-lind"}
    assert claims_for(probe, 404, b"", CHURN, LISTINGS) == [{"entity": "listing:ada-lind", "visible": False}]
    assert claims_for(probe, 503, b"", CHURN, LISTINGS) == []


def test_every_plan_entry_becomes_a_probe():
    plan = {
        "articles": [{"slug": "calm", "url_path": "/mind/calm/"}],
        "probe_articles": [{"slug": "p", "url_path": "/mind/p/"}],
        "sections": [{"slug": "mind", "url_path": "/mind/"}],
        "support_paths": ["/api/v1/articles/p/support/?country=DE"],
        "listings": ["ada-lind"],
    }
    kinds = sorted(p["kind"] for p in probes_from_plan(plan))
    assert kinds == sorted(
        [
            "article_api",
            "article_html",
            "article_api",
            "related",
            "article_list",
            "section_html",
            "support",
            "listing_api",
        ]
    )
