"""In-process half of the benchmark: the request plan, and what each request costs in queries.

Run by ``bench/run.py`` as ``python -m bench.measure --out plan.json`` with the bench settings and
the corpus database. It picks the pages every endpoint is driven with (the same articles for our API
and for Wagtail's v2/v3 baselines), then sends each endpoint's first request through Django's test
client inside ``CaptureQueriesContext``: queries per request, status and body bytes, measured once,
not under load. The load itself runs against gunicorn from the other half of the runner.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from urllib.parse import urlencode


@dataclass
class Endpoint:
    """One line of the benchmark table: a name, the requests wrk rotates through, what to expect."""

    name: str
    label: str
    group: str  # "ours" or "baseline"
    paths: list[str]
    expect: int = 200
    etag_from_server: bool = False  # 304 variant: the runner fetches each path's ETag first
    queries: int | None = None
    cpu_ms: float | None = None  # median CPU time per request, in-process
    status: int | None = None
    body_bytes: int | None = None
    note: str = ""
    skip: str = ""  # why the database server is not driven with it (its engine twin still is)
    extra: dict = field(default_factory=dict)


CPU_SAMPLES = 21
# Wagtail's SQLite search backend ranks by re-running the full-text match once per result (a
# correlated score subquery), so a common word costs minutes at 10,000 articles (docs/search.md).
SQLITE_SEARCH_MAX_ARTICLES = 2000
CONTEXTS = [
    {"country": c, "language": lang, "modality": m}
    for c, lang in (
        ("DE", "de"),
        ("GB", "en"),
        ("US", "en"),
        ("FR", "fr"),
        ("NL", "nl"),
        ("ES", "es"),
        ("IT", "it"),
        ("CA", "fr"),
        ("AU", "en"),
        ("SE", "sv"),
        ("AT", "de"),
        ("IE", "en"),
    )
    for m in ("in_person", "online")
]


def build_plan(rotate: int = 200, seed: int = 11) -> list[Endpoint]:
    """The endpoints and their request paths, chosen from the corpus in the current database."""
    from articles.models import ArticlePage
    from experts.models import Listing

    rng = random.Random(seed)
    articles = list(ArticlePage.objects.live().public().order_by("path").values_list("pk", "slug"))
    if not articles:
        raise SystemExit("The benchmark database holds no live articles: generate the corpus first.")
    sample = rng.sample(articles, min(rotate, len(articles)))
    hot_pk, hot_slug = sample[0]
    # Every uncached request is a different (article, reader context) pair: a response cache keyed
    # on the URL cannot serve it, and each one is a valid request (no unknown parameters).
    combos = list(itertools.product(sample, CONTEXTS))
    rng.shuffle(combos)
    uncached = [f"/api/v1/articles/{slug}/?{urlencode(ctx)}" for (_, slug), ctx in combos[:5000]]
    search = (
        Listing.objects.filter(is_active=True, verified=True, offers_in_person=True)
        .values_list("country", "specialties__slug")
        .exclude(specialties__slug=None)
        .order_by("country", "specialties__slug")
    )
    searches = sorted(set(search))
    rng.shuffle(searches)
    listing_paths = [
        f"/api/v1/listings/?{urlencode({'country': c, 'modality': 'in_person', 'specialty': s})}"
        for c, s in searches[:200]
    ] or ["/api/v1/listings/?country=DE&modality=in_person&specialty=anxiety"]
    # Find support and related articles are answered from the response cache when a URL repeats, so
    # they too get distinct URLs: every live article (not only the sample) with each reader context,
    # and with each list length. rotate.lua never repeats one until a list is used up.
    everything = list(itertools.product(articles, CONTEXTS))
    rng.shuffle(everything)
    support_paths = [
        f"/api/v1/articles/{slug}/support/?{urlencode(ctx)}" for (_, slug), ctx in everything[:30000]
    ]
    # Reader search: words from article titles, each with a few page sizes, so URLs rarely repeat.
    words = sorted(
        {
            w.strip(".,:;!?'\"()").lower()
            for title in ArticlePage.objects.live().public().values_list("title", flat=True)[:2000]
            for w in title.split()
            if len(w.strip(".,:;!?'\"()")) >= 5 and w.strip(".,:;!?'\"()").isalpha()
        }
    )
    queries = list(itertools.product(words, (5, 10, 20)))
    rng.shuffle(queries)
    search_paths = [f"/api/v1/search/?{urlencode({'q': w, 'limit': n})}" for w, n in queries[:30000]] or [
        "/api/v1/search/?q=trust"
    ]
    from django.db import connection

    search_skip = ""
    if connection.vendor == "sqlite" and len(articles) > SQLITE_SEARCH_MAX_ARTICLES:
        search_skip = (
            f"reader search on the database is not driven on SQLite above {SQLITE_SEARCH_MAX_ARTICLES:,} "
            "articles: Wagtail's SQLite backend re-runs the full-text match per result (minutes per request)"
        )
    lengths = list(itertools.product(articles, range(3, 13)))
    rng.shuffle(lengths)
    related_paths = [f"/api/v1/articles/{slug}/related/?limit={n}" for (_, slug), n in lengths[:30000]]
    return [
        Endpoint(
            "bundle_uncached",
            "Article bundle, uncached",
            "ours",
            uncached,
            note="a different article and reader context on every request",
        ),
        Endpoint(
            "bundle_304",
            "Article bundle, conditional 304",
            "ours",
            [f"/api/v1/articles/{slug}/" for _, slug in sample[:50]],
            expect=304,
            etag_from_server=True,
        ),
        Endpoint(
            "bundle_cache_hit",
            "Article bundle, cache hit",
            "ours",
            [f"/api/v1/articles/{hot_slug}/"],
            note="the same URL over and over",
        ),
        Endpoint("article_list", "Article list, 20 cards", "ours", ["/api/v1/articles/?limit=20"]),
        Endpoint("listing_search", "Listing search (country + modality + specialty)", "ours", listing_paths),
        Endpoint(
            "find_support",
            "Find support with reader context",
            "ours",
            support_paths,
            note="a different article and reader context on every request",
        ),
        Endpoint(
            "related",
            "Related articles",
            "ours",
            related_paths,
            note="a different article and list length on every request",
        ),
        Endpoint(
            "search",
            "Reader search (words from titles)",
            "ours",
            search_paths,
            note="a different word and page size on every request",
            skip=search_skip,
        ),
        Endpoint(
            "v2_detail",
            "Wagtail API v2 detail ?fields=*",
            "baseline",
            [f"/api/v2/pages/{pk}/?fields=*" for pk, _ in sample],
        ),
        Endpoint(
            "v2_listing",
            "Wagtail API v2 listing ?fields=* (20)",
            "baseline",
            ["/api/v2/pages/?type=articles.ArticlePage&fields=*&limit=20"],
        ),
        Endpoint(
            "v3_detail", "Wagtail API v3 detail", "baseline", [f"/api/v3/pages/{pk}/" for pk, _ in sample]
        ),
        Endpoint("static", "Static bytes from memory (limit)", "baseline", ["/bench/static/"]),
    ]


def measure(endpoints: list[Endpoint]) -> None:
    """Fills ``status`` and ``body_bytes`` from one in-process request per endpoint, and ``queries``
    and ``cpu_ms`` as medians over ``CPU_SAMPLES`` requests (``cpu_per_request``)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    for endpoint in endpoints:
        if endpoint.skip:
            continue
        path = endpoint.paths[min(1, len(endpoint.paths) - 1)]
        headers = {}
        if endpoint.name == "bundle_cache_hit" or endpoint.etag_from_server:
            warm = client.get(path)  # fills whatever cache there is, and gives the ETag
            if endpoint.etag_from_server and warm.get("ETag"):
                headers["HTTP_IF_NONE_MATCH"] = warm["ETag"]
        elif endpoint.name != "static":
            # One throwaway request on another path warms imports and per-process caches, so the
            # count is what every request costs, not what the first one in a process costs.
            client.get(endpoint.paths[0])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, **headers)
        endpoint.status = response.status_code
        endpoint.body_bytes = len(response.content)
        endpoint.extra["queries_first"] = len(queries.captured_queries)
        if endpoint.name == "bundle_uncached" and response.status_code == 200:
            endpoint.extra["sample_body"] = response.content.decode()
        endpoint.cpu_ms, endpoint.queries = cpu_per_request(client, endpoint, path, headers)
    cache.clear()


def cpu_per_request(
    client, endpoint: Endpoint, path: str, headers: dict, samples: int = CPU_SAMPLES
) -> tuple[float, int]:
    """Median CPU time of this process per request, in ms, and median queries per request, over
    ``samples`` requests (distinct URLs where the endpoint has them). CPU time, unlike wall time
    under load, does not depend on what else the machine is running (the database work of SQLite is
    in-process too); the median query count is what a typical request costs, where one request's
    count depends on the article and on which per-process memos it finds warm."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, counts = [], []
    fixed = endpoint.name == "bundle_cache_hit" or endpoint.etag_from_server
    for i in range(samples):
        with CaptureQueriesContext(connection) as queries:
            started = time.process_time()
            client.get(path if fixed else endpoint.paths[(i + 2) % len(endpoint.paths)], **headers)
            times.append(time.process_time() - started)
        counts.append(len(queries.captured_queries))
    return round(statistics.median(times) * 1000, 2), int(statistics.median_low(counts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="Where to write the plan and counts (JSON).")
    parser.add_argument("--payload", help="Where to write an article bundle for the static endpoint.")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "website.settings.bench")
    import django

    django.setup()
    endpoints = build_plan()
    measure(endpoints)
    sample = next((e.extra.pop("sample_body", None) for e in endpoints if e.name == "bundle_uncached"), None)
    if args.payload:
        v2 = next(e for e in endpoints if e.name == "v2_detail")
        if sample is None:
            from django.test import Client

            sample = Client(HTTP_HOST="127.0.0.1").get(v2.paths[1 % len(v2.paths)]).content.decode()
        with open(args.payload, "w", encoding="utf-8") as fh:
            fh.write(sample)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump([asdict(e) for e in endpoints], fh, indent=1)
    for e in endpoints:
        print(
            f"  {e.name:<18} status {e.status}  queries {e.queries}  bytes {e.body_bytes}  cpu {e.cpu_ms} ms",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
