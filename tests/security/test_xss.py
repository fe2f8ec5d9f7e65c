"""Hostile text typed into any field never reaches a reader as executable markup.

Every payload of ``xss_payloads.txt`` goes into every editor-typed text field: page titles,
standfirsts and hero alt text (one article per payload), and, on one "carrier" article, every body
block field (heading, paragraph rich text, quote, citation, FAQ question and answer, safety note,
image alt and caption), its authors (names, headlines, rich-text bios), the expert review summary,
its topics and the practitioner cards (listing names, summaries, cities, bios, listing types).
Rich text is stored as raw HTML, the form the content import writes it in. Then every HTML page
and API endpoint that shows the content is checked with ``tests.security.markup``. A second test
pushes the payloads through ``import_content``.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles.models import ArticleAuthor, ArticlePage, SectionPage
from experts.models import Approach, Listing, ListingType, Person, Topic
from tests import factories
from website.api.articles.preview import mint_preview_token

from .markup import html_problems, json_problems

pytestmark = pytest.mark.django_db

PAYLOADS = [
    line
    for line in (Path(__file__).parent / "xss_payloads.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("# ")
]
ALL = "\n".join(PAYLOADS)
N = len(PAYLOADS)


def test_the_corpus_is_large_and_varied():
    assert N >= 150
    lowered = ALL.lower()
    for kind in (
        "<script",
        "onerror=",
        "javascript:",
        "data:",
        "<svg",
        "<math",
        "&#",
        "%3c",
        "</script",
        "{{",
        "<iframe",
        '" onmouseover',
    ):
        assert kind in lowered, kind


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.WELLNESS = {**settings.WELLNESS, "ANON_RATE": None}
    # Background work (reference index, recommendation profiles) is queued, not run: with a body
    # of a thousand blocks re-indexed on every save it would take minutes, and none of it renders.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def pack(limit: int) -> list[str]:
    """The payloads joined by spaces into as few strings of at most ``limit`` characters as fit.

    Page titles, standfirsts and alt texts hold one value per page; packing keeps every payload
    whole in that field while creating ~30 pages instead of 200 (escaping does not depend on what
    stands next to a payload, so a packed payload is tested as it would be alone).
    """
    chunks: list[str] = []
    for payload in PAYLOADS:
        payload = payload[:limit]
        if chunks and len(chunks[-1]) + 1 + len(payload) <= limit:
            chunks[-1] += " " + payload
        else:
            chunks.append(payload)
    return chunks


TITLES = pack(255)


def _unique(payload: str, i: int, length: int) -> str:
    return f"{payload[: length - 6]} #{i}"


def _body_for_every_payload(image, listings) -> list[dict]:
    body: list[tuple[str, dict | str]] = []
    for i, p in enumerate(PAYLOADS):
        body += [
            ("heading", {"text": p[:200], "level": "h2", "anchor": p[:80]}),
            ("paragraph", p),
            ("quote", {"text": p, "speaker": p[:120], "credential": p[:160]}),
            (
                "citation",
                {
                    "title": p[:300],
                    "authors": p[:300],
                    "journal": p[:200],
                    "year": 2020,
                    "doi": f"10.1000/{p}"[:200],
                    "pmid": "",
                    # Link fields take http(s) URLs only (test_stored_values.py): the payload goes
                    # in percent-encoded, as a browser would send it.
                    "url": f"https://example.org/?q={quote(p)}"[:200],
                },
            ),
            (
                "safety_note",
                {
                    "title": p[:160],
                    "text": p,
                    "advises_against_joint_sessions": False,
                    "resource_label": p[:120],
                    "resource_url": "",
                },
            ),
            ("image", {"image": image.pk, "alt": p[:250], "caption": p[:250]}),
        ]
        if i % 40 == 0:
            body.append(
                ("faq", {"title": p[:120], "items": [{"question": q[:300], "answer": q} for q in PAYLOADS]})
            )
    body.append(("find_support", factories.find_support_value(listings, title=PAYLOADS[1][:120])))
    body.append(("find_support", factories.find_support_value(mode="automatic", count=12)))
    return [factories.block(kind, value) for kind, value in body]


def build_hostile_site():
    section = factories.section("Hostile section", slug="hostile")
    section.intro = ALL
    section.save_revision().publish()
    image = factories.image("Neutral picture")

    types = ListingType.objects.bulk_create(
        [ListingType(name=_unique(p, i, 80), slug=f"hostile-type-{i}") for i, p in enumerate(PAYLOADS)]
    )
    Approach.objects.bulk_create(
        [
            Approach(name=_unique(p, i, 120), slug=f"hostile-approach-{i}", description=p)
            for i, p in enumerate(PAYLOADS)
        ]
    )
    topics = Topic.objects.bulk_create(
        [
            Topic(name=_unique(p, i, 100), slug=f"hostile-topic-{i}", description=p)
            for i, p in enumerate(PAYLOADS)
        ]
    )
    people = Person.objects.bulk_create(
        [
            Person(
                name=p[:120],
                slug=f"hostile-person-{i}",
                headline=p[:160],
                bio=ALL if i == 0 else p,
                is_author=True,
                is_reviewer=i == 0,
                is_board_member=i == 0,
            )
            for i, p in enumerate(PAYLOADS)
        ]
    )
    listings = Listing.objects.bulk_create(
        [
            Listing(
                name=p[:160],
                slug=f"hostile-listing-{i}",
                listing_type=types[i],
                country="DE",
                city=p[:120],
                summary=p[:280],
                bio=ALL if i == 0 else p,
                offers_online=True,
                verified=True,
                website_url=f"https://example.org/?q={quote(p)}"[:200],
                latitude=52.5,
                longitude=13.4,
            )
            for i, p in enumerate(PAYLOADS)
        ]
    )
    Listing.specialties.through.objects.bulk_create(
        [Listing.specialties.through(listing=listing, topic=topics[0]) for listing in listings]
    )

    carrier = ArticlePage(
        title="Carrier of every payload",
        slug="carrier",
        standfirst="Every payload, in every block.",
        body=_body_for_every_payload(image, listings),
        hero_image=image,
        hero_alt=PAYLOADS[0],
    )
    section.add_child(instance=carrier)
    ArticleAuthor.objects.bulk_create(
        [ArticleAuthor(page=carrier, person=p, sort_order=i) for i, p in enumerate(people)]
    )
    carrier.topics.add(*topics)
    carrier.save_revision().publish()
    factories.expert_review(ArticlePage.objects.get(pk=carrier.pk), people[0], summary=ALL)

    standfirsts, alts = pack(400), pack(250)
    for i, title in enumerate(TITLES):
        page = ArticlePage(
            title=title,
            slug=f"hostile-{i}",
            standfirst=standfirsts[i % len(standfirsts)],
            hero_alt=alts[i % len(alts)],
            hero_image=image,
            body=[("paragraph", "<p>Plain words.</p>")],
        )
        section.add_child(instance=page)
        ArticleAuthor.objects.create(page=page, person=people[i])
        page.save_revision().publish()
    return ArticlePage.objects.get(pk=carrier.pk)


def assert_clean_page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    assert "script-src 'self'" in response["Content-Security-Policy"], path
    text = response.content.decode()
    problems = html_problems(text)
    assert problems == [], f"{path}: {problems[:10]}"
    return text


def assert_clean_json(client, path: str):
    response = client.get(path)
    assert response.status_code == 200, (path, response.content[:300])
    data = response.json()
    problems = json_problems(data)
    assert problems == [], f"{path}: {problems[:10]}"
    return data


def test_hostile_text_is_inert_on_every_page_and_endpoint(client):
    carrier = build_hostile_site()
    check_html_pages(client, carrier)
    check_api(client, carrier)


def check_html_pages(client, carrier):
    text = assert_clean_page(client, carrier.url)
    # The payloads are there, as text: the page really was built from them.
    assert text.count("alert(1)") > 5 * N
    for i in range(len(TITLES)):
        assert_clean_page(client, f"/hostile/hostile-{i}/")
    pages = -(-(len(TITLES) + 1) // 12)
    for number in range(1, pages + 1):
        assert_clean_page(client, f"/hostile/?page={number}")
    assert_clean_page(client, "/")
    assert_clean_page(client, "/experts/")
    for i in (0, 1, 2, N // 2, N - 1):
        assert_clean_page(client, f"/experts/hostile-person-{i}/")


def check_api(client, carrier):
    bundle = assert_clean_json(client, "/api/v1/articles/carrier/")
    assert "alert(1)" in json.dumps(bundle)
    for i in range(len(TITLES)):
        assert_clean_json(client, f"/api/v1/articles/hostile-{i}/")
    for kind, total in (("articles", len(TITLES) + 1), ("topics", N), ("experts", N), ("listings", N)):
        for offset in range(0, total, 100):
            data = assert_clean_json(client, f"/api/v1/{kind}/?limit=100&offset={offset}")
            assert data["results"], kind
    assert_clean_json(client, "/api/v1/sections/")
    for i in (0, 1, N - 1):
        assert_clean_json(client, f"/api/v1/experts/hostile-person-{i}/")
        assert_clean_json(client, f"/api/v1/listings/hostile-listing-{i}/")
    assert_clean_json(client, "/api/v1/articles/carrier/related/")
    assert_clean_json(client, "/api/v1/articles/carrier/support/?country=DE")
    assert_clean_json(client, "/api/v1/articles/?search=alert")
    token = mint_preview_token(carrier.pk, carrier.latest_revision_id)
    assert_clean_json(client, f"/api/v1/preview/?token={token}")


def _bundle() -> dict:
    """A content package with a payload in every text field its schema lets one into."""
    today = timezone.now().date().isoformat()
    standfirsts, alts = pack(400), pack(250)
    people = [
        {
            "slug": f"imported-person-{i}",
            "name": p[:120],
            "headline": p[:160],
            "bio": p,
            "roles": ["author", "reviewer"],
            "honorific": p[:20],
            "board_member": True,
            "credentials": [
                {"title": p[:120], "kind": "degree", "issuing_body": p[:160], "verified_on": today}
            ],
        }
        for i, p in enumerate(PAYLOADS)
    ]
    listings = [
        {
            "slug": f"imported-listing-{i}",
            "name": p[:160],
            "listing_type": "imported-type",
            "modalities": ["online"],
            "country": "DE",
            "city": p[:120],
            "summary": p[:280],
            "bio": p,
            "verified": True,
        }
        for i, p in enumerate(PAYLOADS)
    ]
    body = []
    for p in PAYLOADS:
        body += [
            {"type": "heading", "value": {"text": p[:200], "level": "h2"}},
            {"type": "paragraph", "value": p},
            {"type": "quote", "value": {"text": p, "speaker": p[:120], "credential": p[:160]}},
            {
                "type": "citation",
                "value": {
                    "title": p[:300],
                    "authors": p[:300],
                    "journal": p[:200],
                    "doi": f"10.1000/{p}"[:200],
                },
            },
            {"type": "safety_note", "value": {"title": p[:160], "text": p, "resource_label": p[:120]}},
        ]
    body.append(
        {
            "type": "faq",
            "value": {"title": "FAQ", "items": [{"question": p[:300], "answer": p} for p in PAYLOADS]},
        }
    )
    body.append(
        {"type": "find_support", "value": {"mode": "manual", "listings": [x["slug"] for x in listings[:40]]}}
    )
    articles = [
        {
            "slug": "imported-carrier",
            "section": "imported",
            "title": "Imported carrier",
            "standfirst": ALL[:400],
            # Everyone but the reviewer: an expert cannot review an article they wrote.
            "authors": [x["slug"] for x in people[1:51]],
            "published_at": "2026-01-05T09:00:00Z",
            "body": body,
            "topics": [f"imported-topic-{i}" for i in range(N)],
            "reviews": [
                {"reviewer": "imported-person-0", "reviewed_at": "2026-01-06T09:00:00Z", "summary": ALL}
            ],
        }
    ] + [
        {
            "slug": f"imported-{i}",
            "section": "imported",
            "title": title,
            "standfirst": standfirsts[i % len(standfirsts)],
            "hero_alt": alts[i % len(alts)],
            "authors": [f"imported-person-{i}"],
            "published_at": "2026-01-04T09:00:00Z",
            "body": [{"type": "paragraph", "value": "<p>Plain words.</p>"}],
        }
        for i, title in enumerate(TITLES)
    ]
    return {
        "format": "wellness-content-package",
        "version": 1,
        "listing_types": [{"slug": "imported-type", "name": "Counsellor"}],
        "approaches": [
            {"slug": f"imported-approach-{i}", "name": _unique(p, i, 120), "description": p}
            for i, p in enumerate(PAYLOADS)
        ],
        "topics": [
            {"slug": f"imported-topic-{i}", "name": _unique(p.replace(",", " "), i, 100), "description": p}
            for i, p in enumerate(PAYLOADS)
        ],
        "sections": [
            {"slug": "imported", "title": "Imported", "intro": ALL, "expert_review_required": False}
        ],
        "people": people,
        "listings": listings,
        "articles": articles,
    }


def test_payloads_through_the_import_command(client, tmp_path):
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(_bundle()), encoding="utf-8")
    call_command("import_content", str(path), verbosity=0)
    assert ArticlePage.objects.live().filter(slug__startswith="imported-").count() == len(TITLES) + 1
    assert SectionPage.objects.filter(slug="imported").exists()

    text = assert_clean_page(client, "/imported/imported-carrier/")
    assert text.count("alert(1)") > 3 * N
    for i in range(len(TITLES)):
        assert_clean_page(client, f"/imported/imported-{i}/")
    assert_clean_page(client, "/imported/")
    assert_clean_page(client, "/experts/imported-person-0/")
    bundle = assert_clean_json(client, "/api/v1/articles/imported-carrier/")
    assert len(bundle["body"]) > 5 * N
    for offset in range(0, N + 1, 100):
        assert_clean_json(client, f"/api/v1/articles/?limit=100&offset={offset}")
        assert_clean_json(client, f"/api/v1/experts/?limit=100&offset={offset}")
        assert_clean_json(client, f"/api/v1/listings/?limit=100&offset={offset}")
        assert_clean_json(client, f"/api/v1/topics/?limit=100&offset={offset}")
    for i in (0, 5, N - 1):
        assert_clean_json(client, f"/api/v1/experts/imported-person-{i}/")
        assert_clean_json(client, f"/api/v1/listings/imported-listing-{i}/")
