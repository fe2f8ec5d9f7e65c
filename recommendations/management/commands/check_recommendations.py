"""Report drift between the content and the recommendation data; ``--fix`` repairs it.

Database backend: articles missing a profile, stale profiles (content, topics or vocabulary
changed since indexing) and profiles of articles no longer live. Elasticsearch: documents missing
from, stale in, or extra in the index behind the alias, and listings likewise.
"""

from django.core.management.base import BaseCommand, CommandError

from recommendations.backends import get_backend
from recommendations.conf import reco_setting
from recommendations.tasks import suggestions_changed


class Command(BaseCommand):
    help = "Report drift between the database and the recommendation index; --fix repairs it."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Repair what is found.")

    def handle(self, *args, **options):
        names = ["database"]
        if reco_setting("RECOMMENDATIONS_BACKEND") != "database":
            names.append(reco_setting("RECOMMENDATIONS_BACKEND"))
        drifted = False
        for name in names:
            drift = get_backend(name).check(fix=options["fix"], log=self.stdout.write)
            count = sum(len(v) for v in drift.values())
            if options["fix"] and count:
                suggestions_changed()  # repaired: cached API responses embed the old suggestions
            self.stdout.write(f"{name}: {count} drifted item{'s' if count != 1 else ''}")
            drifted = drifted or count > 0
        if drifted and not options["fix"]:
            raise CommandError("Drift found; run check_recommendations --fix to repair it.")
        self.stdout.write(self.style.SUCCESS("Recommendations repaired." if drifted else "No drift."))
