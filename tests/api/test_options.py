"""OPTIONS answers as Patchwork's: its view names and descriptions, and embedded objects
described as plain fields (``"type": "field"``, no children)."""

import pytest

from tests.factories import PatchFactory, SeriesFactory


@pytest.mark.parametrize(
    ("path", "name", "description"),
    [
        ("/api/", "Index", ""),
        ("/api/patches/", "Patch List", "List patches."),
        (
            "/api/1.2/patches/{patch}/",
            "Patch Detail",
            "get:\nShow a patch.\n\npatch:\nUpdate a patch.\n\nput:\nUpdate a patch.",
        ),
        (
            "/api/1.2/patches/{patch}/checks/",
            "Check List Create",
            "get:\nList checks.\n\npost:\nCreate a check.",
        ),
        ("/api/1.3/patches/{patch}/comments/", "Patch Comment List", "List patch comments"),
        ("/api/events/", "Event List", "List events."),
        ("/api/series/{series}/", "Series Detail", "Show a series."),
        ("/api/people/", "Person List", "List users."),
        ("/api/1.2/bundles/", "Bundle List", "List or create bundles."),
        (
            "/api/1.2/projects/{project}/",
            "Project Detail",
            "get:\nShow a project.\n\npatch:\nUpdate a project.\n\nput:\nUpdate a project.",
        ),
    ],
)
def test_names_and_descriptions_are_patchworks(
    client_as, project, maintainer, path, name, description
):
    patch = PatchFactory(project=project, series=SeriesFactory(project=project))
    response = client_as(maintainer).options(
        path.format(patch=patch.pk, project=project.pk, series=patch.series_id)
    )
    assert response.status_code == 200, response.content
    assert response.json()["name"] == name
    assert response.json()["description"] == description


def test_embedded_objects_are_plain_fields(client_as, project, maintainer):
    """Patchwork's embedded objects are related fields: ``"type": "field"``, no
    ``children``/``child``."""
    patch = PatchFactory(project=project)
    actions = client_as(maintainer).options(f"/api/1.2/patches/{patch.pk}/").json()["actions"]
    for field_name in ("project", "submitter", "delegate", "series", "related"):
        field = actions["PUT"][field_name]
        assert field["type"] == "field", field_name
        assert "children" not in field
        assert "child" not in field
    maintainers = client_as(maintainer).options(f"/api/1.2/projects/{project.pk}/").json()
    assert "child" not in maintainers["actions"]["PUT"]["maintainers"]
