"""Sending webhook deliveries: one signed POST per attempt, back-off, and disabling endpoints.

A delivery is claimed before it is sent (a conditional update pushes ``next_attempt_at`` past the
attempt's longest possible duration), so the task queue and ``deliver_webhooks`` never send the
same attempt twice. A 2xx answer is success; anything else, a timeout or a refused target is a
failure, retried after the next delay of ``WEBHOOK_RETRY_DELAYS`` and given up after the last.
Each failure counts against the endpoint; after ``WEBHOOK_DISABLE_AFTER_FAILURES`` in a row it is
switched off and the superusers are emailed. The secret is never logged or stored elsewhere.
"""

from __future__ import annotations

import datetime
import http.client
import json
import logging
import socket
import ssl
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import F
from django.utils import timezone

from .conf import webhook_setting
from .models import WebhookDelivery, WebhookEndpoint
from .signing import signed_headers
from .targets import Target, TargetRefused, resolve_target

logger = logging.getLogger(__name__)

USER_AGENT = "ClearMindJournal-Webhooks/1"
DUE_STATUSES = (WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING)


@dataclass
class AttemptResult:
    ok: bool
    response_code: int | None = None
    error: str = ""
    duration_ms: int = 0


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever DNS says now; Host stays the name."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As above, with TLS verified against the host name (SNI and certificate)."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def request_body(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def post(url: str, secret: str, msg_id: str, body: bytes) -> AttemptResult:
    """One signed POST of ``body`` to ``url``; never raises, never follows a redirect."""
    started = time.monotonic()
    timeout = float(webhook_setting("WEBHOOK_TIMEOUT"))
    try:
        target = resolve_target(url)
        connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
        connection = connection_class(target, timeout)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            **signed_headers(secret, msg_id, body),
        }
        try:
            connection.request("POST", target.path, body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read(int(webhook_setting("WEBHOOK_MAX_RESPONSE_BYTES")))
        finally:
            connection.close()
    except TargetRefused as e:
        return AttemptResult(False, error=f"Refused target: {e}", duration_ms=_since(started))
    except (OSError, http.client.HTTPException) as e:
        return AttemptResult(False, error=f"{type(e).__name__}: {e}", duration_ms=_since(started))
    ok = 200 <= response.status < 300
    error = "" if ok else f"HTTP {response.status}: {answer[:500].decode('utf-8', 'replace')}"
    return AttemptResult(ok, response_code=response.status, error=error, duration_ms=_since(started))


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def retry_delay(attempts: int) -> datetime.timedelta | None:
    """The wait after the ``attempts``-th failed attempt; None once every retry is spent."""
    delays = list(webhook_setting("WEBHOOK_RETRY_DELAYS"))
    if attempts > len(delays):
        return None
    return datetime.timedelta(seconds=delays[attempts - 1])


def _claim(pk: int, now: datetime.datetime, *, force: bool = False) -> bool:
    lease = now + datetime.timedelta(seconds=2 * float(webhook_setting("WEBHOOK_TIMEOUT")) + 60)
    due = WebhookDelivery.objects.filter(pk=pk, status__in=DUE_STATUSES, endpoint__is_active=True)
    if not force:
        due = due.filter(next_attempt_at__lte=now)
    return due.update(next_attempt_at=lease) == 1


def attempt_delivery(pk: int, *, force: bool = False) -> WebhookDelivery | None:
    """Sends delivery ``pk`` if it is due (or ``force``) and its endpoint active; records the outcome.

    Returns the updated delivery, or None when it was not due, already sent or being sent.
    """
    now = timezone.now()
    if not _claim(pk, now, force=force):
        return None
    delivery = WebhookDelivery.objects.select_related("event", "endpoint").get(pk=pk)
    endpoint = delivery.endpoint
    result = post(endpoint.url, endpoint.secret, delivery.event.id, request_body(delivery.event.payload))
    delivery.attempts += 1
    delivery.last_attempt_at = timezone.now()
    delivery.response_code = result.response_code
    delivery.duration_ms = result.duration_ms
    delivery.error = result.error
    if result.ok:
        delivery.status = WebhookDelivery.Status.SUCCEEDED
        delivery.next_attempt_at = None
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
    else:
        delay = retry_delay(delivery.attempts)
        delivery.status = WebhookDelivery.Status.RETRYING if delay else WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = delivery.last_attempt_at + delay if delay else None
        logger.warning(
            "webhooks: delivery %s of %s to endpoint %s failed (attempt %s): %s",
            delivery.pk,
            delivery.event.type,
            endpoint.pk,
            delivery.attempts,
            result.error[:200],
        )
        _record_endpoint_failure(endpoint)
    delivery.save(
        update_fields=[
            "status",
            "attempts",
            "next_attempt_at",
            "last_attempt_at",
            "response_code",
            "duration_ms",
            "error",
        ]
    )
    return delivery


def _record_endpoint_failure(endpoint: WebhookEndpoint) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    endpoint.refresh_from_db(fields=["consecutive_failures", "is_active"])
    limit = int(webhook_setting("WEBHOOK_DISABLE_AFTER_FAILURES"))
    if limit and endpoint.is_active and endpoint.consecutive_failures >= limit:
        disable_endpoint(endpoint, f"{endpoint.consecutive_failures} failed attempts in a row.")


def disable_endpoint(endpoint: WebhookEndpoint, reason: str) -> None:
    """Switches ``endpoint`` off, records why, and emails every active superuser."""
    updated = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
        is_active=False, disabled_at=timezone.now(), disabled_reason=reason[:300]
    )
    endpoint.refresh_from_db()
    if not updated:
        return
    logger.error("webhooks: endpoint %s (%s) disabled: %s", endpoint.pk, endpoint.name, reason)
    recipients = list(
        get_user_model()
        .objects.filter(is_superuser=True, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return
    try:
        send_mail(
            subject=f"Webhook endpoint “{endpoint.name}” was disabled",
            message=(
                f"The webhook endpoint “{endpoint.name}” ({endpoint.url}) was switched off: {reason}\n\n"
                "Its deliveries wait in the delivery log. Once the receiver works again, switch the "
                "endpoint back on in the admin (Settings → Webhook endpoints) and redeliver what failed."
            ),
            from_email=None,
            recipient_list=recipients,
        )
    except Exception:
        logger.exception("webhooks: could not email administrators about endpoint %s", endpoint.pk)


def deliver_due(limit: int = 500) -> int:
    """Attempts every delivery that is due on an active endpoint; returns how many were attempted."""
    now = timezone.now()
    due = WebhookDelivery.objects.filter(
        status__in=DUE_STATUSES, next_attempt_at__lte=now, endpoint__is_active=True
    ).order_by("next_attempt_at", "pk")
    attempted = 0
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        if attempt_delivery(pk) is not None:
            attempted += 1
    return attempted


def redeliver(delivery: WebhookDelivery) -> None:
    """Queues ``delivery`` again now, as a fresh series of attempts (the admin's "Redeliver")."""
    from .events import enqueue_deliveries

    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    enqueue_deliveries([delivery.pk])
