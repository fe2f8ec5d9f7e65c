"""``manage.py import_content FILE``: import a content bundle (``-`` reads standard input)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.bundle import BundleError, import_bundle, parse_bundle


class Command(BaseCommand):
    help = "Import sections, topics, people, listings and articles from a content bundle (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the bundle, or - for standard input.")
        parser.add_argument("--progress-every", type=int, default=25, help="Report progress every N items.")

    def handle(self, *args, file, progress_every, **options):
        source = "stdin" if file == "-" else file
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        except OSError as e:
            raise CommandError(f"Cannot read {file}: {e.strerror}") from e
        verbosity = options.get("verbosity", 1)

        def progress(label: str, done: int, total: int) -> None:
            if verbosity:
                self.stderr.write(f"{label}: {done}/{total}")

        try:
            result = import_bundle(
                parse_bundle(text, source), progress=progress, progress_every=progress_every
            )
        except BundleError as e:
            lines = "\n".join(f"  {line}" for line in e.errors)
            raise CommandError(f"{source}: {len(e.errors)} problem(s); nothing was imported.\n{lines}") from e
        if verbosity:
            self.stderr.write(self.style.SUCCESS(f"Imported {source}: {result.summary()}"))
