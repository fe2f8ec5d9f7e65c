"""Writes the OpenAPI schema to ``docs/openapi.json``, the committed copy of the API contract.

``make schema`` runs it and then regenerates the TypeScript client's types from that file; tests
fail while either copy differs from what the code generates.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from website.api.schema import openapi_document


class Command(BaseCommand):
    help = "Write the API's OpenAPI schema to docs/openapi.json (or --output)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "docs" / "openapi.json"))

    def handle(self, *args, output: str, **options):
        body, _, _ = openapi_document("json")
        Path(output).write_bytes(body)
        self.stdout.write(f"Wrote {output}")
