"""Checks for CI on the unversioned /api/ (extensions beyond Patchwork): a check posted
on a series lands on every patch of it (all or nothing, one event per patch), summaries
give the latest state per context of a patch or a series, and the CI role
(``manage.py user ci``) lets an account post checks on every project."""

import io

import pytest
from django.core.management import call_command

from events.models import Event
from patches.models import Check
from tests.api.conftest import api_path, count_queries
from tests.factories import (
    BASE_DATE,
    CheckFactory,
    PatchFactory,
    ProjectFactory,
    SeriesFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHECK = {"state": "success", "context": "build", "target_url": "https://ci.example.org/1"}


@pytest.fixture
def series(project):
    series = SeriesFactory(project=project, total=2, received_total=2)
    for number in (1, 2):
        PatchFactory(project=project, series=series, number=number)
    return series


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def test_series_check_lands_on_every_patch(client_as, series, maintainer):
    response = client_as(maintainer).post(
        api_path("api-series-check-list", pk=series.pk), CHECK, format="json"
    )
    assert response.status_code == 201, response.content
    assert [item["context"] for item in response.json()] == ["build", "build"]
    assert set(Check.objects.values_list("patch__series", "state", "user")) == {
        (series.pk, Check.State.SUCCESS, maintainer.pk)
    }
    assert Event.objects.filter(category="check-created").count() == 2


@pytest.mark.parametrize("who", ["anonymous", "stranger"])
def test_series_check_refused(client_as, series, who):
    client = client_as(None if who == "anonymous" else UserFactory())
    response = client.post(api_path("api-series-check-list", pk=series.pk), CHECK, format="json")
    assert response.status_code == 403
    assert not Check.objects.exists()


def test_series_check_bad_body_is_400(client_as, series, maintainer):
    response = client_as(maintainer).post(
        api_path("api-series-check-list", pk=series.pk), {"state": "great"}, format="json"
    )
    assert response.status_code == 400
    assert not Check.objects.exists()


def test_ci_role_posts_checks_everywhere(client_as, series):
    ci = UserFactory(username="ci-bot")
    run("user", "ci", "ci-bot")
    response = client_as(ci).post(
        api_path("api-series-check-list", pk=series.pk), CHECK, format="json"
    )
    assert response.status_code == 201
    other = PatchFactory(project=ProjectFactory())
    response = client_as(ci).post(
        api_path("api-check-list", patch_id=other.pk), CHECK, format="json"
    )
    assert response.status_code == 201
    assert "ci-bot" in run("user", "list").split("\tci\t")[0]
    run("user", "ci", "ci-bot", "--remove")
    ci.refresh_from_db()
    del ci._perm_cache, ci._user_perm_cache  # a request loads the user afresh
    response = client_as(ci).post(
        api_path("api-check-list", patch_id=other.pk), CHECK, format="json"
    )
    assert response.status_code == 403


def test_user_add_with_ci_role(client_as):
    run("user", "add", "robot", "--email", "robot@example.org", "--ci")
    assert "\trobot\trobot@example.org\tci\t" in "\t" + run("user", "list")


def test_patch_summary_latest_per_context(client_as, series):
    patch = series.patches.get(number=1)
    bot, other_bot = UserFactory(), UserFactory()
    hour = BASE_DATE.replace(hour=1)
    CheckFactory(patch=patch, user=bot, context="build", state=Check.State.FAIL, date=hour)
    later = hour.replace(hour=2)
    success = Check.State.SUCCESS
    CheckFactory(patch=patch, user=other_bot, context="build", state=success, date=later)
    CheckFactory(patch=patch, user=bot, context="lint", state=Check.State.WARNING, date=hour)
    response = client_as(None).get(api_path("api-patch-checks-summary", patch_id=patch.pk))
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "warning"
    assert body["total"] == 2
    assert [(c["context"], c["state"]) for c in body["contexts"]] == [
        ("build", "success"),
        ("lint", "warning"),
    ]
    assert body["contexts"][0]["user"]["username"] == other_bot.username


def test_patch_summary_without_checks(client_as, series):
    patch = series.patches.get(number=1)
    response = client_as(None).get(api_path("api-patch-checks-summary", patch_id=patch.pk))
    assert response.json() == {"id": patch.pk, "state": "pending", "total": 0, "contexts": []}


def test_series_summary(client_as, series):
    first, second = series.patches.order_by("number")
    bot = UserFactory()
    CheckFactory(patch=first, user=bot, context="build", state=Check.State.SUCCESS)
    CheckFactory(patch=second, user=bot, context="build", state=Check.State.FAIL)
    CheckFactory(patch=first, user=bot, context="lint", state=Check.State.SUCCESS)
    response = client_as(None).get(api_path("api-series-checks-summary", pk=series.pk))
    body = response.json()
    assert body["state"] == "fail"
    assert body["total"] == 2
    build, lint = body["contexts"]
    assert (build["context"], build["state"], build["missing"]) == ("build", "fail", 0)
    assert build["counts"] == {"pending": 0, "success": 1, "warning": 0, "fail": 1}
    assert (lint["context"], lint["state"], lint["missing"]) == ("lint", "success", 1)
    assert body["patches"] == [
        {"id": first.pk, "state": "success", "contexts": {"build": "success", "lint": "success"}},
        {"id": second.pk, "state": "fail", "contexts": {"build": "fail"}},
    ]


def test_summary_queries_are_constant(client_as, series, api_client):
    path = api_path("api-series-checks-summary", pk=series.pk)
    before = count_queries(api_client, path)
    for patch in series.patches.all():
        for context in ("a", "b", "c"):
            CheckFactory(patch=patch, context=context)
    assert count_queries(api_client, path) == before


@pytest.mark.parametrize("version", ["1.0", "1.3"])
def test_versioned_api_has_no_such_routes(client_as, series, maintainer, version):
    client = client_as(maintainer)
    patch = series.patches.first()
    prefix = f"/api/{version}"
    assert client.get(f"{prefix}/patches/{patch.pk}/checks/summary/").status_code == 404
    assert client.get(f"{prefix}/series/{series.pk}/checks/summary/").status_code == 404
    response = client.post(f"{prefix}/series/{series.pk}/checks/", CHECK, format="json")
    assert response.status_code == 404
    assert not Check.objects.exists()


def test_unknown_series_or_patch_is_404(client_as, maintainer):
    client = client_as(maintainer)
    assert client.get("/api/patches/999999/checks/summary/").status_code == 404
    assert client.get("/api/series/999999/checks/summary/").status_code == 404
    assert client.post("/api/series/999999/checks/", CHECK, format="json").status_code == 404
