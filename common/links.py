"""Outbound links: only absolute http(s) URLs ever become an ``href``, a ``sameAs`` or an API link.

Forms and the content-package importer already refuse other schemes, but rows can also be written
from a shell, a data migration or ``.update()``. So the rule is held twice: at the model
(:data:`http_url_validator` on every link field, checked on save) and at render time
(:func:`safe_link` wherever a stored URL is written out), so that a ``javascript:`` or ``data:``
value that got into the database is dropped instead of shown.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

HTTP_SCHEMES = ("http", "https")

http_url_validator = URLValidator(
    schemes=list(HTTP_SCHEMES), message="Enter a web address starting with http:// or https://."
)

_SAFE = re.compile(r"^https?://[^\s<>\"'`]+$", re.IGNORECASE)


def safe_link(value) -> str:
    """``value`` when it is an absolute http(s) URL without spaces or quotes, else ``""``.

    >>> safe_link(" https://example.org/a ")
    'https://example.org/a'
    >>> safe_link("javascript:alert(1)")
    ''
    """
    value = str(value or "").strip()
    return value if _SAFE.match(value) else ""


def check_link_fields(instance, field_names) -> None:
    """Raises a ValidationError naming each of ``field_names`` on ``instance`` that holds a value
    other than an http(s) URL; empty values pass. Models call it from ``save()``."""
    errors = {}
    for name in field_names:
        value = getattr(instance, name)
        if not value:
            continue
        try:
            http_url_validator(value)
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
