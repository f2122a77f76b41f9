"""Series-level and bulk triage on the unversioned /api/ (extensions beyond Patchwork):
``PATCH /api/series/<id>/`` and ``PATCH /api/patches/`` apply state, delegate and
archived to many patches in one transaction, all or nothing, with one event per changed
patch; versioned URLs answer 405 as Patchwork does."""

import pytest

from events.models import Event
from patches.models import Patch
from tests.api.conftest import api_path
from tests.factories import PatchFactory, ProjectFactory, SeriesFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def series(project):
    series = SeriesFactory(project=project, total=3, received_total=3)
    for number in (1, 2, 3):
        PatchFactory(project=project, series=series, number=number)
    return series


def states(series) -> list[str]:
    return list(series.patches.order_by("number").values_list("state__slug", flat=True))


def test_series_patch_changes_every_patch(client_as, series, maintainer):
    response = client_as(maintainer).patch(
        api_path("api-series-detail", pk=series.pk),
        {"state": "under-review", "delegate": maintainer.username, "archived": True},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["id"] == series.pk
    assert states(series) == ["under-review"] * 3
    assert set(series.patches.values_list("delegate", "archived")) == {(maintainer.pk, True)}
    state_events = Event.objects.filter(category="patch-state-changed")
    assert sorted(state_events.values_list("patch", flat=True)) == sorted(
        series.patches.values_list("pk", flat=True)
    )
    assert {event.actor for event in state_events} == {maintainer}
    assert Event.objects.filter(category="patch-delegated").count() == 3


def test_series_patch_records_events_only_for_changed_patches(client_as, series, maintainer):
    first = series.patches.get(number=1)
    first.state_id = 3  # accepted
    first.save()
    client_as(maintainer).patch(
        api_path("api-series-detail", pk=series.pk), {"state": "accepted"}, format="json"
    )
    assert Event.objects.filter(category="patch-state-changed").count() == 2


@pytest.mark.parametrize("who", ["anonymous", "stranger"])
def test_series_patch_refused_without_permission(client_as, series, who):
    client = client_as(None if who == "anonymous" else UserFactory())
    response = client.patch(
        api_path("api-series-detail", pk=series.pk), {"state": "accepted"}, format="json"
    )
    assert response.status_code == 403
    assert states(series) == ["new"] * 3
    assert not Event.objects.exists()


def test_series_patch_bad_values(client_as, series, maintainer):
    client = client_as(maintainer)
    path = api_path("api-series-detail", pk=series.pk)
    assert client.patch(path, {}, format="json").status_code == 400
    assert client.patch(path, {"state": "nonsense"}, format="json").status_code == 400
    outsider = UserFactory()
    response = client.patch(path, {"delegate": outsider.pk}, format="json")
    assert response.status_code == 400
    assert "delegate" in response.json()
    assert not Event.objects.exists()


@pytest.mark.parametrize("version", ["1.0", "1.3", "1.4"])
def test_versioned_series_and_patch_list_refuse_patch(client_as, series, maintainer, version):
    client = client_as(maintainer)
    response = client.patch(
        api_path("api-series-detail", version, pk=series.pk), {"state": "accepted"}
    )
    assert response.status_code == 405
    assert "PATCH" not in response["Allow"]
    response = client.patch(
        api_path("api-patch-list", version), {"ids": [1], "state": "accepted"}, format="json"
    )
    assert response.status_code == 405
    assert "PATCH" not in response["Allow"]
    assert states(series) == ["new"] * 3


def test_unversioned_allow_header_names_patch(client_as, series):
    response = client_as(None).get(api_path("api-series-detail", pk=series.pk))
    assert "PATCH" in response["Allow"]


def test_bulk_patch_changes_the_listed_patches(client_as, series, maintainer):
    first, _second, third = series.patches.order_by("number")
    response = client_as(maintainer).patch(
        api_path("api-patch-list"),
        {"ids": [third.pk, first.pk], "state": "changes-requested"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert [item["id"] for item in response.json()] == [first.pk, third.pk]
    assert [item["state"] for item in response.json()] == ["changes-requested"] * 2
    assert states(series) == ["changes-requested", "new", "changes-requested"]
    assert Event.objects.filter(category="patch-state-changed").count() == 2


def test_bulk_patch_form_encoded(client_as, series, maintainer):
    ids = ",".join(str(pk) for pk in series.patches.values_list("pk", flat=True))
    response = client_as(maintainer).patch(
        api_path("api-patch-list"), {"ids": ids, "state": "rfc"}, format="multipart"
    )
    assert response.status_code == 200, response.content
    assert states(series) == ["rfc"] * 3


def test_bulk_patch_is_all_or_nothing(client_as, series, maintainer):
    elsewhere = PatchFactory(project=ProjectFactory())
    ids = [*series.patches.values_list("pk", flat=True), elsewhere.pk]
    response = client_as(maintainer).patch(
        api_path("api-patch-list"), {"ids": ids, "archived": True}, format="json"
    )
    assert response.status_code == 403
    assert elsewhere.name in response.json()["detail"]
    assert not Patch.objects.filter(archived=True).exists()
    assert not Event.objects.exists()


def test_bulk_patch_unknown_id_changes_nothing(client_as, series, maintainer):
    ids = [*series.patches.values_list("pk", flat=True), 999_999]
    response = client_as(maintainer).patch(
        api_path("api-patch-list"), {"ids": ids, "state": "accepted"}, format="json"
    )
    assert response.status_code == 400
    assert "999999" in str(response.json()["ids"])
    assert states(series) == ["new"] * 3


@pytest.mark.parametrize(
    "body",
    [
        {"state": "accepted"},
        {"ids": [], "state": "accepted"},
        {"ids": "1", "state": "accepted"},
        {"ids": [True], "state": "accepted"},
        {"ids": [-1], "state": "accepted"},
        {"ids": [1]},
        {"ids": list(range(1, 1_002)), "state": "accepted"},
    ],
)
def test_bulk_patch_bad_bodies_are_400(client_as, series, maintainer, body):
    response = client_as(maintainer).patch(api_path("api-patch-list"), body, format="json")
    assert response.status_code == 400, response.content
    assert states(series) == ["new"] * 3


def test_bulk_patch_by_superuser_across_projects(client_as, superuser):
    patches = [PatchFactory(), PatchFactory()]
    response = client_as(superuser).patch(
        api_path("api-patch-list"),
        {"ids": [patch.pk for patch in patches], "state": "rejected"},
        format="json",
    )
    assert response.status_code == 200
    assert set(Patch.objects.values_list("state__slug", flat=True)) == {"rejected"}


def test_auto_supersede_field_on_the_unversioned_api_only(client_as, project, maintainer):
    client = client_as(maintainer)
    path = api_path("api-project-detail", pk=project.pk)
    assert client.get(path).json()["auto_supersede"] is False
    response = client.patch(path, {"auto_supersede": True}, format="json")
    assert response.status_code == 200, response.content
    project.refresh_from_db()
    assert project.auto_supersede is True
    versioned = api_path("api-project-detail", "1.4", pk=project.pk)
    assert "auto_supersede" not in client.get(versioned).json()
    client.patch(versioned, {"auto_supersede": False}, format="json")
    project.refresh_from_db()
    assert project.auto_supersede is True
