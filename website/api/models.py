"""The content generation: one database row whose token changes whenever published content changes.

API validators (ETags) and the response cache are keyed by this token. It lives in the database,
not in the cache, so every process (each gunicorn worker with its own local-memory cache) reads the
same value, and a token renewed inside a transaction becomes visible together with the change.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone


def new_token() -> str:
    return uuid.uuid4().hex


class ContentGeneration(models.Model):
    """Single row (``pk=1``): renewed by the API's signal receivers on every content change."""

    token = models.CharField(max_length=32, default=new_token)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "content generation"

    def __str__(self) -> str:
        return f"{self.token} ({self.changed_at:%Y-%m-%d %H:%M:%S})"
