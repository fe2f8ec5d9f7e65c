"""System checks of the plugin's settings (``manage.py check`` runs them, as does every server start).

``WELLNESS`` is one namespaced dict read through each app's defaults (the ``DEFAULTS`` of its
``conf`` module: ``website.conf``, ``recommendations.conf``, …). A key none of them knows is never
read: a misspelt or renamed setting would otherwise be ignored without a word.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

# Settings that were renamed: the old name, and the one to set instead.
RENAMED = {"BUNDLE_MAX_BYTES": "CONTENT_PACKAGE_MAX_BYTES"}


def known_settings() -> set[str]:
    """Every key of ``WELLNESS`` some installed app reads: the ``DEFAULTS`` of each app's ``conf``
    module (looked up, not imported by name, so that this app depends on none of them)."""
    known: set[str] = set()
    for app in apps.get_app_configs():
        name = f"{app.name}.conf"
        try:
            found = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:
            found = False
        if found:
            known.update(getattr(importlib.import_module(name), "DEFAULTS", {}))
    return known


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
