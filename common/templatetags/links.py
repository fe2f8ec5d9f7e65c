from django import template

from common.links import safe_link

register = template.Library()


@register.filter
def http_link(value) -> str:
    """``{{ url|http_link }}``: the URL when it is http(s), else an empty string."""
    return safe_link(value)
