"""Fixtures of the webhook tests: a project, its maintainer, and a receiver on loopback."""

from collections.abc import Iterator

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import maintainer, project, superuser  # noqa: F401 - the API tests' fixtures
from tests.webhooks.receiver import Receiver

SECRET = "s3cret-of-the-test-hook-0123456789"


@pytest.fixture
def client_for():
    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def loopback_allowed(settings):
    """Hooks may post to 127.0.0.1 (an administrator's WEBHOOK_ALLOWED_NETWORKS)."""
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0
    return settings


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver(SECRET).start()
    yield receiver
    receiver.stop()
