"""Settings of webhooks, read from the namespaced ``WELLNESS`` dict through defaults.

A site sets only what it changes::

    WELLNESS = {"WEBHOOK_RETRY_DELAYS": [30, 600], "WEBHOOK_DISABLE_AFTER_FAILURES": 5}
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Seconds to wait before each retry of a failed delivery; one attempt plus one per entry, then
    # the delivery is given up (1 min, 5 min, 30 min, 2 h, 12 h).
    "WEBHOOK_RETRY_DELAYS": [60, 300, 1800, 7200, 43200],
    # Seconds for connecting to a receiver and for each read: a slow receiver must never hold up a
    # publish (with the immediate task backend the first attempt runs in the editor's request).
    "WEBHOOK_TIMEOUT": 5.0,
    # An endpoint is disabled after this many failed attempts in a row (any delivery), and the
    # superusers are told by email. 0 never disables.
    "WEBHOOK_DISABLE_AFTER_FAILURES": 15,
    # Targets on private, loopback, link-local or reserved addresses are refused unless this is on
    # (development and test settings only: it is what makes a webhook a way into the private net).
    "WEBHOOK_ALLOW_PRIVATE_TARGETS": False,
    # Bytes of a receiver's answer read (and the first 500 characters of it kept in the log).
    "WEBHOOK_MAX_RESPONSE_BYTES": 64 * 1024,
}


def webhook_setting(name: str) -> Any:
    """``WELLNESS[name]`` or its default; read on every call so ``override_settings`` applies."""
    if name not in DEFAULTS:
        raise AttributeError(f"Unknown webhook setting {name!r}")
    configured = getattr(settings, "WELLNESS", None) or {}
    return configured.get(name, DEFAULTS[name])
