"""Measure the engine on the labelled evaluation set: nDCG@5, precision@5, hard-filter violations,
catalogue coverage, exposure spread.

The set is written into the database inside a transaction that is rolled back at the end, so the
command leaves no trace. Run it on a scratch database for numbers that only reflect the set::

    DATABASE_URL=sqlite:////tmp/reco-eval.sqlite3 python manage.py migrate
    DATABASE_URL=sqlite:////tmp/reco-eval.sqlite3 python manage.py evaluate_recommendations
"""

import json

from django.core.management.base import BaseCommand
from django.db import transaction

from recommendations.backends import get_backend
from recommendations.evaluation import DEFAULT_SET, evaluate, load_evaluation_set


class Command(BaseCommand):
    help = "Print nDCG@5, precision@5, hard-filter violations, coverage and exposure spread on the eval set."

    def add_arguments(self, parser):
        parser.add_argument("--set", default=str(DEFAULT_SET), help="Path of the evaluation set (JSON).")
        parser.add_argument("--backend", choices=["database", "elasticsearch"], default="database")
        parser.add_argument("--json", action="store_true", help="Print one JSON object instead of lines.")
        parser.add_argument(
            "--quick", action="store_true", help="A smaller context grid and one week of rotation."
        )
        parser.add_argument("--verbose-rankings", action="store_true", help="Also print every ranking.")

    def handle(self, *args, **options):
        from articles.models import ArticlePage
        from experts.models import Listing

        others = ArticlePage.objects.live().count(), Listing.objects.count()
        if any(others):
            self.stderr.write(
                f"Note: this database already holds {others[0]} live articles and {others[1]} "
                "listings; they take part in the rankings. Use a scratch database for clean numbers."
            )
        with transaction.atomic():
            data = load_evaluation_set(options["set"])
            backend = get_backend(options["backend"])
            backend.rebuild(log=lambda *a: None)
            if options["backend"] != "database":
                get_backend("database").rebuild(log=lambda *a: None)
            report = evaluate(data, backend, quick=options["quick"])
            transaction.set_rollback(True)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict()))
        else:
            for line in report.lines():
                self.stdout.write(line)
        if options["verbose_rankings"]:
            for key, ranked in report.per_article.items():
                self.stdout.write(f"{key}: {', '.join(ranked)}")
