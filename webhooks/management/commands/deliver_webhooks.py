"""Sends webhook deliveries that are due (retries, and first attempts the queue missed).

Run it from cron every minute or so. It also emits review due/overdue events (webhooks.reminders).
"""

from django.core.management.base import BaseCommand, CommandError

from webhooks.delivery import deliver_due
from webhooks.reminders import emit_review_reminders


class Command(BaseCommand):
    help = "Emit review due/overdue webhook events and send every webhook delivery that is due."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="Most deliveries attempted in one run.")

    def handle(self, *args, limit: int, **options):
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        reminders = emit_review_reminders()
        attempted = deliver_due(limit=limit)
        self.stdout.write(
            f"{reminders} review reminder event(s) emitted, {attempted} delivery attempt(s) made."
        )
