"""Measure the engine on a judged set: related-article nDCG@5 (and a plain TF-IDF baseline's),
find-support nDCG@5 and off-topic rate, hard-filter violations, coverage, exposure spread.

A command of the site, not of recommendations: its demo set needs the whole demo content, which
touches apps above recommendations (``website.demo``).

``--set demo`` (the default) is judged over the demo content, ``--set fictional`` carries its own
articles and listings; any other value is a path to a set in either format. The set is written into
the database inside a transaction that is rolled back at the end, so the command leaves no trace.
Run it on a scratch database for numbers that only reflect the set::

    DATABASE_URL=sqlite:////tmp/reco-eval.sqlite3 python manage.py migrate
    DATABASE_URL=sqlite:////tmp/reco-eval.sqlite3 python manage.py evaluate_recommendations

With ``--backend all`` (the default) it reports the database backend and, when a search engine is
configured (``RECOMMENDATIONS_ES_URL``), the engine backend too.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from recommendations.backends import get_backend
from recommendations.conf import reco_setting
from recommendations.evaluation import SETS, evaluate, load_judged_set, set_path
from website.demo import import_demo_content


class Command(BaseCommand):
    help = (
        "Print related and find-support nDCG@5, a TF-IDF baseline, the off-topic rate, hard-filter "
        "violations, coverage and exposure spread on a judged set."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--set",
            default="demo",
            help=f"Judged set: {' or '.join(SETS)} (default demo), or the path of a set (JSON).",
        )
        parser.add_argument("--backend", choices=["all", "database", "elasticsearch"], default="all")
        parser.add_argument("--json", action="store_true", help="Print one JSON object per backend.")
        parser.add_argument(
            "--quick", action="store_true", help="A smaller context grid and one week of rotation."
        )
        parser.add_argument("--verbose-rankings", action="store_true", help="Also print every ranking.")

    def handle(self, *args, **options):
        from articles.models import ArticlePage
        from experts.models import Listing

        path = set_path(options["set"])
        if not Path(path).is_file():
            raise CommandError(f"--set: no judged set named {options['set']!r} (names: {', '.join(SETS)}).")
        backends = [options["backend"]]
        if options["backend"] == "all":
            backends = ["database"] + (["elasticsearch"] if reco_setting("RECOMMENDATIONS_ES_URL") else [])
        others = ArticlePage.objects.live().count(), Listing.objects.count()
        if any(others):
            self.stderr.write(
                f"Note: this database already holds {others[0]} live articles and {others[1]} "
                "listings; they take part in the rankings. Use a scratch database for clean numbers."
            )
        reports = []
        with transaction.atomic():
            data = load_judged_set(path, demo_loader=import_demo_content)
            get_backend("database").rebuild(log=lambda *a: None)
            for name in backends:
                backend = get_backend(name)
                if name != "database":
                    backend.rebuild(log=lambda *a: None)
                reports.append(evaluate(data, backend, quick=options["quick"]))
            transaction.set_rollback(True)
        for report in reports:
            if options["json"]:
                self.stdout.write(json.dumps(report.as_dict()))
            else:
                for line in report.lines():
                    self.stdout.write(line)
            if options["verbose_rankings"]:
                for key, ranked in report.per_article.items():
                    self.stdout.write(f"{key}: {', '.join(ranked)}")
                for item in report.off_topic:
                    self.stdout.write(f"off topic: {item}")
