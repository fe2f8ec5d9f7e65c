"""Fixtures of the webhook tests: a live receiver and an endpoint subscribed to every event."""

from __future__ import annotations

import pytest

from webhooks.models import EventType, WebhookEndpoint

from .receiver import Receiver


@pytest.fixture
def receiver():
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def endpoint(db, receiver):
    endpoint = WebhookEndpoint.objects.create(
        name="Front end", url=receiver.url, events=[choice.value for choice in EventType]
    )
    receiver.secret = endpoint.secret
    return endpoint


@pytest.fixture
def webhook_settings(settings):
    """Sets WELLNESS webhook keys for one test: ``webhook_settings(WEBHOOK_RETRY_DELAYS=[60])``."""

    def apply(**values):
        settings.WELLNESS = {**settings.WELLNESS, **values}

    return apply
