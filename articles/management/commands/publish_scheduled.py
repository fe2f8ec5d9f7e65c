"""``manage.py publish_scheduled``: Wagtail's command, with the publishing gate first.

An article revision due to go live that no expert review or override covers (scheduled before its
section required review, say) would be refused by ``ArticlePage.publish`` half-way through
Wagtail's loop, leaving every later revision unpublished. So the due revisions are checked first:
a refused one has its schedule cancelled (it stays a draft) and is reported on stderr; then
Wagtail's own command expires and publishes the rest, in its usual order.
"""

from __future__ import annotations

from django.utils import timezone
from wagtail.management.commands.publish_scheduled import Command as WagtailPublishScheduled
from wagtail.models import Revision

from articles.models import ArticlePage
from articles.publishing import publish_refusal


class Command(WagtailPublishScheduled):
    help = "Publish and expire scheduled content; article revisions without expert review are refused."

    def handle(self, *args, **options):
        if not options.get("dryrun"):
            self.cancel_refused_schedules()
        return super().handle(*args, **options)

    def cancel_refused_schedules(self) -> None:
        due = Revision.objects.filter(approved_go_live_at__lt=timezone.now()).order_by("approved_go_live_at")
        for revision in due:
            article = revision.content_object
            if not isinstance(article, ArticlePage):
                continue
            refusal = publish_refusal(article, revision)
            if refusal:
                Revision.objects.filter(pk=revision.pk).update(approved_go_live_at=None)
                self.stderr.write(f"Scheduled publishing cancelled (revision {revision.pk}): {refusal}")
