"""Rebuild the engine's reader-search index (a new versioned index, then an atomic alias swap).

The database implementation has no index of its own: Wagtail's database search index, which it
reads, is rebuilt by Wagtail's ``update_index``. Readers never see an empty or half-built index.
"""

from django.core.management.base import BaseCommand, CommandError

from search.backends import get_backend
from search.conf import search_setting
from website.freshness import content_changed


class Command(BaseCommand):
    help = "Rebuild the search engine's index of articles (reader search) behind its alias."

    def handle(self, *args, **options):
        if search_setting("SEARCH_BACKEND") == "database":
            self.stdout.write(
                "Reader search runs on the database (Wagtail's search index): nothing to rebuild here; "
                "`manage.py update_index` rebuilds Wagtail's index."
            )
            return
        try:
            report = get_backend("engine").rebuild(log=self.stdout.write)
        except Exception as e:
            raise CommandError(f"The search index could not be rebuilt: {e}") from e
        finally:
            content_changed()  # cached search responses show the old index
        for doc_id, reason in report["failed"]:
            self.stderr.write(f"could not index {doc_id}: {reason}")
        if report["failed"]:
            raise CommandError("Some articles could not be indexed (listed above); the rest are live.")
        self.stdout.write(self.style.SUCCESS("Search index rebuilt."))
