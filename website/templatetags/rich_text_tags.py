"""``{{ html|sanitise_rich_text }}``: rendered rich text through the allowlist (see website.rich_text)."""

from django import template

from website.rich_text import sanitise_rich_text as _sanitise

register = template.Library()


@register.filter
def sanitise_rich_text(html):
    return _sanitise(html)
