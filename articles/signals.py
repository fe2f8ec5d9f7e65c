"""Signal receivers for articles: keep review bookkeeping in step with what is live."""

from django.dispatch import receiver
from wagtail.signals import page_published

from .models import ArticlePage, SectionPage
from .reviews import refresh_review_state, refresh_section_due_dates


@receiver(page_published, sender=ArticlePage)
def update_review_state_on_publish(sender, instance, **kwargs):
    refresh_review_state(instance)


@receiver(page_published, sender=SectionPage)
def move_due_dates_with_section_interval(sender, instance, **kwargs):
    refresh_section_due_dates(instance)
