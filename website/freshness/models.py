"""The content generation: one database row whose token changes whenever published content changes.

Validators (ETags), the response cache and every per-process memo of derived content are keyed by
this token. It lives in the database, not in the cache, so every process (each gunicorn worker with
its own local-memory cache) reads the same value, and a token renewed inside a transaction becomes
visible together with the change.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone


def new_token() -> str:
    return uuid.uuid4().hex


class ContentGeneration(models.Model):
    """Single row (``pk=1``), renewed by ``website.freshness.content_changed``."""

    token = models.CharField(max_length=32, default=new_token)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "content generation"
        # The table was created by the API app (wellness_api 0001) before this app owned the model.
        db_table = "wellness_api_contentgeneration"

    def __str__(self) -> str:
        return f"{self.token} ({self.changed_at:%Y-%m-%d %H:%M:%S})"
