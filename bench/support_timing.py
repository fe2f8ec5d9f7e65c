"""In-process timing of find support on a benchmark corpus: the engine call and the API request.

Not part of ``make bench`` and not a test: a quick, repeatable check of what one find-support
answer costs once the listing directory is warm, and what building the directory costs, with no
server and no load generator. Run it on a *copy* of a generated corpus (it never writes, but
SQLite may still touch the file):

    cp var/bench/corpus-medium-seed1-*.sqlite3 /tmp/corpus.sqlite3
    DJANGO_SETTINGS_MODULE=website.settings.bench DATABASE_URL=sqlite:////tmp/corpus.sqlite3 \\
        .venv/bin/python bench/support_timing.py

It prints the directory's build (CPU and the memory it holds, by ``tracemalloc``), then the median
CPU milliseconds of ``recommendations.interface.find_support`` for 40 articles × 4 reader contexts,
each pair asked for the first time (what the benchmark's distinct URLs ask) and again, and the same
for ``GET /api/v1/articles/<slug>/support/`` through the test client (card rendering included).
CPU time, not wall time, so that other processes on a shared machine disturb it less.
"""

from __future__ import annotations

import gc
import os
import random
import statistics
import sys
import time
import tracemalloc
from urllib.parse import urlencode

ARTICLES = 40
CONTEXTS = (("DE", "de", None), ("GB", "en", "online"), ("FR", "fr", "in_person"), ("US", "en", None))


def _cpu_ms(call) -> float:
    start = time.process_time()
    call()
    return (time.process_time() - start) * 1000


def main() -> None:
    sys.path.insert(0, os.getcwd())  # the checkout it is run from (the command runs it from the root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "website.settings.bench")
    import django

    django.setup()
    from django.test import Client

    from articles.models import ArticlePage
    from articles.readmodel import read_model
    from recommendations.backends.base import build_listing_directory
    from recommendations.interface import ReaderContext, find_support
    from website.freshness import content_generation

    token = content_generation()[0]
    read_model(token)
    gc.collect()
    rows_ms, columns_ms = [], []
    for _ in range(5):
        start = time.process_time()
        directory = build_listing_directory()
        rows_ms.append((time.process_time() - start) * 1000)
        start = time.process_time()
        directory.columns  # noqa: B018 (built with the directory on first use)
        columns_ms.append((time.process_time() - start) * 1000)
        del directory
        gc.collect()
    tracemalloc.start()
    directory = build_listing_directory()
    directory.columns  # noqa: B018
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows, columns = statistics.median(rows_ms), statistics.median(columns_ms)
    print(
        f"directory of {len(directory)} listings: build {rows:.0f} ms CPU (+ columns {columns:.0f} ms), "
        f"holds {held / 1e6:.1f} MB"
    )
    del directory

    pks = list(ArticlePage.objects.live().public().order_by("path").values_list("pk", flat=True))
    rng = random.Random(7)
    chosen = rng.sample(pks, 2 * ARTICLES + 10)
    # Separate articles for the engine call and the API request: neither warms the other's answers.
    warm, measured, measured_api = chosen[:10], chosen[10 : 10 + ARTICLES], chosen[10 + ARTICLES :]
    pages = {page.pk: page for page in ArticlePage.objects.filter(pk__in=chosen)}
    contexts = [ReaderContext(country=c, language=lang, modality=m) for c, lang, m in CONTEXTS]
    for pk in warm:  # the directory, its columns, the concept graph and the read model
        find_support(pages[pk], context=contexts[0], count=2, generation=token)

    for label in ("first", "again"):
        times = [
            _cpu_ms(
                lambda page=pages[pk], context=context: find_support(page, context=context, generation=token)
            )
            for pk in measured
            for context in contexts
        ]
        print(f"find_support ({label}): median {statistics.median(times):.2f} ms CPU over {len(times)}")

    client = Client()
    for pk in warm:
        client.get(f"/api/v1/articles/{pages[pk].slug}/support/?country=DE&count=3")
    for label, count in (("first", 3), ("again", 3)):
        times = []
        for pk in measured_api:
            for c, lang, m in CONTEXTS:
                # A distinct URL each time (the count), so that the response cache never answers.
                n = count if label == "first" else count + 1
                query = {"country": c, "language": lang, "count": n, **({"modality": m} if m else {})}
                url = f"/api/v1/articles/{pages[pk].slug}/support/?{urlencode(query)}"
                times.append(_cpu_ms(lambda url=url: client.get(url)))
        print(f"GET …/support/ ({label}): median {statistics.median(times):.2f} ms CPU over {len(times)}")


if __name__ == "__main__":
    main()
