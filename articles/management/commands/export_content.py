"""``manage.py export_content FILE``: write the site's content as a package (``-`` for standard output)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.content_package import dump_package, export_package


class Command(BaseCommand):
    help = "Export sections, topics, people (private fields included), listings and live articles as JSON."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to write, or - for standard output.")

    def handle(self, *args, file, **options):
        text = dump_package(export_package())
        if file == "-":
            self.stdout.write(text, ending="")
            return
        try:
            Path(file).write_text(text, encoding="utf-8")
        except OSError as e:
            raise CommandError(f"Cannot write {file}: {e.strerror}") from e
        if options.get("verbosity", 1):
            self.stderr.write(self.style.SUCCESS(f"Exported the site's content to {file}."))
