"""Signal receivers for articles: keep review bookkeeping in step with what is live."""

from django.dispatch import receiver
from wagtail.signals import page_published

from .models import ArticlePage
from .reviews import refresh_review_state


@receiver(page_published, sender=ArticlePage)
def update_review_state_on_publish(sender, instance, **kwargs):
    refresh_review_state(instance)
