"""Rebuild all recommendation data: the database tables, and the Elasticsearch indexes when configured.

On Elasticsearch, readers never see an empty or half-built index: a new versioned index is
bulk-loaded, the alias moves to it in one atomic ``_aliases`` request, then the old index goes.
"""

from django.core.management.base import BaseCommand, CommandError

from recommendations.backends import get_backend
from recommendations.backends.elasticsearch import BackendUnavailable
from recommendations.conf import reco_setting
from recommendations.tasks import suggestions_changed


class Command(BaseCommand):
    help = (
        "Rebuild the recommendation tables (and the Elasticsearch indexes when that backend is configured)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--backend",
            choices=["database", "elasticsearch"],
            action="append",
            help="Only this backend (repeatable). Default: database, plus the configured one.",
        )

    def handle(self, *args, **options):
        names = options["backend"] or ["database"]
        if not options["backend"] and reco_setting("RECOMMENDATIONS_BACKEND") != "database":
            names.append(reco_setting("RECOMMENDATIONS_BACKEND"))
        failed = False
        for name in names:
            try:
                report = get_backend(name).rebuild(log=self.stdout.write)
            except BackendUnavailable as e:
                raise CommandError(f"{name}: {e}") from e
            suggestions_changed()  # cached API responses embed the old suggestions
            if report.get("failed"):
                failed = True
                for doc_id, reason in report["failed"]:
                    self.stderr.write(f"{name}: could not index {doc_id}: {reason}")
        if failed:
            raise CommandError("Some documents could not be indexed (listed above); the rest are live.")
        self.stdout.write(self.style.SUCCESS("Recommendations rebuilt."))
