"""``manage.py generate_corpus``: a big, varied, reproducible magazine for benchmarks and demos.

A command of the ``bench`` app, which the bench and reliability settings install
(``DJANGO_SETTINGS_MODULE=website.settings.bench``); production settings do not have it.
"""

from __future__ import annotations

import datetime
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from bench.corpus import CorpusError, CorpusSpec, generate_corpus


class _ProgressBar:
    """One line on stderr per stage, redrawn in place when stderr is a terminal."""

    def __init__(self, stream, width: int = 30):
        self.stream, self.width = stream, width
        self.started = time.monotonic()
        self.tty = hasattr(stream, "isatty") and stream.isatty()

    def __call__(self, stage: str, done: int, total: int) -> None:
        share = done / total if total else 1.0
        filled = int(share * self.width)
        line = (
            f"{stage:<9} [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} "
            f"{time.monotonic() - self.started:6.1f}s"
        )
        if self.tty:
            self.stream.write("\r" + line + ("\n" if done >= total else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "Generates sections, topics, people, listings, articles and reviews, deterministic for a seed."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=100, help="How many articles (default 100).")
        parser.add_argument("--listings", type=int, default=50, help="How many listings (default 50).")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same content (default 1).")
        parser.add_argument("--batch-size", type=int, default=250, help="Rows per bulk insert (default 250).")
        parser.add_argument(
            "--anchor-date", default=None, help="YYYY-MM-DD that dates are relative to (default: today, UTC)."
        )

    def handle(self, *args, **options):
        anchor = None
        if options["anchor_date"]:
            try:
                anchor = datetime.date.fromisoformat(options["anchor_date"])
            except ValueError as e:
                raise CommandError(
                    f"--anchor-date must be YYYY-MM-DD, got {options['anchor_date']!r}."
                ) from e
        spec = CorpusSpec(
            articles=options["articles"],
            listings=options["listings"],
            seed=options["seed"],
            batch_size=options["batch_size"],
            anchor=anchor,
        )
        started = time.monotonic()
        try:
            report = generate_corpus(
                spec, progress=_ProgressBar(sys.stderr if self.stderr is None else self.stderr._out)
            )
        except CorpusError as e:
            raise CommandError(f"--{str(e).split(' ')[0].replace('_', '-')}: {e}") from e
        self.stdout.write(
            f"Generated {report.articles} articles ({report.blocks} blocks, {report.reviews} reviews), "
            f"{report.listings} listings, {report.people} people, {report.topics} topics and "
            f"{report.sections} sections in {time.monotonic() - started:.1f}s (seed {spec.seed})."
        )
