"""/healthz: database reachable, migrations applied, quarantine size; no authentication,
nothing sensitive, any Host header (a load balancer probes by address)."""

import pytest
from django.db import OperationalError
from django.db.migrations.executor import MigrationExecutor

from ingest import spool
from ingest.models import FailedMail

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarantine_dir(settings, tmp_path):
    settings.QUARANTINE_DIR = tmp_path / "quarantine"
    return settings.QUARANTINE_DIR


def test_a_healthy_server_answers_200_with_the_quarantine_counts(client, quarantine_dir):
    FailedMail.objects.create(error="x", raw=b"", state=FailedMail.State.SET_ASIDE)
    FailedMail.objects.create(error="x", raw=b"", state=FailedMail.State.RESOLVED)
    spool.keep(quarantine_dir, b"mail", msgid="<m@x>", list_id="", error="down")

    response = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "migrations": "ok",
        "quarantine": {"pending": 0, "set_aside": 1, "files": 1},
    }


def test_an_unreachable_database_answers_503_and_tells_no_error_text(
    client, quarantine_dir, monkeypatch
):
    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "db.internal" (10.0.0.9) failed')

    monkeypatch.setattr("patchwork_api.health.connection.cursor", refuse)
    monkeypatch.setattr("patchwork_api.health.connection.close", lambda: None)

    response = client.get("/healthz/")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "unreachable",
        "migrations": "unknown",
        "quarantine": {"pending": None, "set_aside": None, "files": 0},
    }
    assert b"db.internal" not in response.content


def test_migrations_not_applied_answer_503(client, quarantine_dir, monkeypatch):
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: ["one"])

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["migrations"] == "pending"


def test_only_reading_is_allowed(client):
    assert client.post("/healthz").status_code == 405
