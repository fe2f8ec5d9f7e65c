"""``manage.py import_content FILE``: import a content package (``-`` reads standard input)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.content_package import ContentPackageError, decode_package, import_package, parse_package
from website.conf import wellness_settings


class Command(BaseCommand):
    help = "Import sections, topics, people, listings and articles from a content package (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the package, or - for standard input.")
        parser.add_argument("--progress-every", type=int, default=25, help="Report progress every N items.")
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=None,
            help="Refuse a larger file (default: WELLNESS['CONTENT_PACKAGE_MAX_BYTES']).",
        )

    def handle(self, *args, file, progress_every, max_bytes=None, **options):
        source = "stdin" if file == "-" else file
        limit = max_bytes if max_bytes is not None else wellness_settings.CONTENT_PACKAGE_MAX_BYTES
        try:
            # One byte past the limit is enough to know the file is too large.
            if file == "-":
                stream = getattr(sys.stdin, "buffer", None)
                if stream is None:  # a text stream standing in for stdin (tests, embedding)
                    raw = sys.stdin.read().encode("utf-8")
                else:
                    raw = stream.read(limit + 1 if limit else -1)
            else:
                with Path(file).open("rb") as handle:
                    raw = handle.read(limit + 1 if limit else -1)
        except OSError as e:
            raise CommandError(f"Cannot read {file}: {e.strerror}") from e
        verbosity = options.get("verbosity", 1)

        def progress(label: str, done: int, total: int) -> None:
            if verbosity:
                self.stderr.write(f"{label}: {done}/{total}")

        try:
            text = decode_package(raw, source, max_bytes=limit or None)
            result = import_package(
                parse_package(text, source), progress=progress, progress_every=progress_every
            )
        except ContentPackageError as e:
            lines = "\n".join(f"  {line}" for line in e.errors)
            raise CommandError(f"{source}: {len(e.errors)} problem(s); nothing was imported.\n{lines}") from e
        if verbosity:
            self.stderr.write(self.style.SUCCESS(f"Imported {source}: {result.summary()}"))
