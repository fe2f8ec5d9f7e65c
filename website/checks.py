"""System checks of the plugin's settings (``manage.py check`` runs them, as does every server start).

``WELLNESS`` is one namespaced dict read through each app's defaults (``website.conf``,
``recommendations.conf``, ``search.conf``, ``webhooks.conf``). A key none of them knows is never
read: a misspelt or renamed setting would otherwise be ignored without a word.
"""

from __future__ import annotations

import difflib

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

# Settings that were renamed: the old name, and the one to set instead.
RENAMED = {"BUNDLE_MAX_BYTES": "CONTENT_PACKAGE_MAX_BYTES"}


def known_settings() -> set[str]:
    """Every key of ``WELLNESS`` some app reads."""
    from recommendations.conf import DEFAULTS as recommendations
    from search.conf import DEFAULTS as search
    from webhooks.conf import DEFAULTS as webhooks

    from .conf import DEFAULTS as website

    return {*website, *recommendations, *search, *webhooks}


@register(Tags.compatibility)
def check_wellness_settings(app_configs=None, **kwargs):
    configured = getattr(settings, "WELLNESS", None)
    if configured is None:
        return []
    if not isinstance(configured, dict):
        return [
            Error(
                f"WELLNESS must be a dict of settings, not {type(configured).__name__}.",
                id="wellness.E001",
            )
        ]
    known = known_settings()
    problems = []
    for key in sorted(set(configured) - known, key=str):
        if key in RENAMED:
            hint = f"It was renamed: set WELLNESS[{RENAMED[key]!r}] instead."
        else:
            close = difflib.get_close_matches(str(key), sorted(known), n=1)
            hint = (
                f"Did you mean {close[0]!r}?"
                if close
                else "See the settings in docs/api.md and docs/recommendations.md."
            )
        problems.append(
            Warning(
                f"WELLNESS[{key!r}] is not a setting of this project: it is ignored.",
                hint=hint,
                id="wellness.W001",
            )
        )
    return problems
