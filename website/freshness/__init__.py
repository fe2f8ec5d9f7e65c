"""Freshness: when may something derived from content be served again? One token says.

A leaf under every app (import-linter keeps it one: it imports no project app). It owns the
*content generation* (``models``), the one call that renews it (``content_changed``), the models
each app declares as shown to readers (``shown``), the registry of per-process values keyed by the
token (``register_process_memo``: the read model, the body store) and, on PostgreSQL, the listener
that learns new tokens (``watch``).
See docs/architecture.md, "Freshness".
"""

from .generation import (
    clear_process_memos,
    content_changed,
    content_generation,
    generation_queryset,
    next_expiry,
    register_process_memo,
)
from .shown import declare_shown, is_shown, shown_models

__all__ = [
    "clear_process_memos",
    "content_changed",
    "content_generation",
    "declare_shown",
    "generation_queryset",
    "is_shown",
    "next_expiry",
    "register_process_memo",
    "shown_models",
]
