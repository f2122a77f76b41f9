"""The project list and detail: fields per version, lookups, search, ordering, pagination,
updates by maintainers and their refusals, query counts and the browsable API."""

import pytest

from projects.models import Project
from tests.api.conftest import (
    API_VERSIONS,
    api_path,
    count_queries,
    get_valid,
    ids_of,
    schema_fields,
    versions_before,
    versions_from,
)
from tests.api.schema import validate_response
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST_QUERIES = 3  # count, page, maintainers


def project_fields(version: str | None) -> set[str]:
    """The Project schema's fields, and the extensions' on the unversioned /api/."""
    extensions = {"auto_supersede"} if version is None else set()
    return schema_fields("Project", version) | extensions


def test_list_empty(api_client, version):
    response = get_valid(api_client, api_path("api-project-list", version))
    assert response.json() == []


def test_list_fields_per_version(api_client, project, maintainer, version):
    """Exactly the fields of the version's Project schema (and, on the unversioned /api/
    only, the extensions' ``auto_supersede``); maintainers embedded."""
    response = get_valid(api_client, api_path("api-project-list", version))
    [item] = response.json()
    assert set(item) == project_fields(version)
    assert item["link_name"] == project.linkname
    assert item["list_id"] == project.listid
    assert item["list_email"] == project.listemail
    assert [user["id"] for user in item["maintainers"]] == [maintainer.pk]
    assert set(item["maintainers"][0]) == schema_fields("UserEmbedded", version)


@pytest.mark.parametrize(
    ("field", "first_version"),
    [
        ("subject_match", "1.1"),
        ("list_archive_url", "1.2"),
        ("commit_url_format", "1.2"),
        ("show_dependencies", "1.4"),
    ],
)
def test_fields_added_in_later_versions(api_client, project, field, first_version):
    for version in versions_from(first_version):
        assert field in get_valid(api_client, api_path("api-project-list", version)).json()[0]
    for version in versions_before(first_version):
        assert field not in get_valid(api_client, api_path("api-project-list", version)).json()[0]


def test_urls_are_absolute_and_keep_the_version(api_client, project):
    response = get_valid(api_client, api_path("api-project-list", "1.1"))
    assert response.json()[0]["url"] == f"http://testserver/api/1.1/projects/{project.pk}/"
    response = get_valid(api_client, api_path("api-project-list"))
    assert response.json()[0]["url"] == f"http://testserver/api/projects/{project.pk}/"


def test_urls_keep_format_api(api_client, project):
    """Links in the browsable API stay in the browsable API."""
    response = api_client.get(api_path("api-project-list"), {"format": "api"})
    assert response.status_code == 200
    assert f"http://testserver/api/projects/{project.pk}/?format=api".encode() in (
        response.content
    )


def test_detail_by_id_and_by_link_name(api_client, version):
    project = ProjectFactory(linkname="netdev")
    for lookup in (project.pk, "netdev"):
        response = get_valid(api_client, api_path("api-project-detail", version, pk=lookup))
        assert response.json()["id"] == project.pk
        assert set(response.json()) == project_fields(version)


def test_detail_numeric_link_name(api_client):
    """A numeric link name that is not also an id finds its project (Patchwork)."""
    project = ProjectFactory(linkname="12345")
    response = get_valid(api_client, api_path("api-project-detail", pk="12345"))
    assert response.json()["id"] == project.pk


@pytest.mark.parametrize("lookup", ["999999", "no-such-project"])
def test_detail_unknown_is_json_404(api_client, version, lookup):
    response = api_client.get(api_path("api-project-detail", version, pk=lookup))
    assert response.status_code == 404
    validate_response(response)
    assert "detail" in response.json()


def test_detail_without_trailing_slash(api_client, project):
    response = api_client.get(f"/api/1.2/projects/{project.pk}")
    assert response.status_code == 200
    assert response.json()["id"] == project.pk


def test_search(api_client):
    kernel = ProjectFactory(linkname="linux-kernel", name="Linux")
    ProjectFactory(linkname="qemu", name="QEMU")
    response = get_valid(api_client, api_path("api-project-list"), {"q": "kernel"})
    assert ids_of(response) == [kernel.pk]
    response = get_valid(api_client, api_path("api-project-list"), {"q": "nothing-like-it"})
    assert ids_of(response) == []


@pytest.mark.parametrize(
    ("order", "expected_names"),
    [
        ("id", ["b", "a", "c"]),
        ("-id", ["c", "a", "b"]),
        ("name", ["a", "b", "c"]),
        ("-name", ["c", "b", "a"]),
        ("link_name", ["c", "b", "a"]),
        ("-list_id", ["c", "b", "a"]),
        ("no-such-field", ["b", "a", "c"]),
    ],
)
def test_ordering(api_client, order, expected_names):
    ProjectFactory(name="b", linkname="y", listid="list1.example.org")
    ProjectFactory(name="a", linkname="z", listid="list0.example.org")
    ProjectFactory(name="c", linkname="x", listid="list2.example.org")
    response = get_valid(api_client, api_path("api-project-list"), {"order": order})
    assert [item["name"] for item in response.json()] == expected_names


def test_pagination_link_header(api_client):
    projects = ProjectFactory.create_batch(3)
    base = "http://testserver/api/1.1/projects/"
    response = get_valid(api_client, api_path("api-project-list", "1.1"), {"per_page": 1})
    assert ids_of(response) == [projects[0].pk]
    assert response["X-Total-Count"] == "3"
    assert response["Link"] == (
        f'<{base}?page=2&per_page=1>; rel="next", '
        f'<{base}?page=1&per_page=1>; rel="first", '
        f'<{base}?page=3&per_page=1>; rel="last"'
    )
    response = get_valid(
        api_client, api_path("api-project-list", "1.1"), {"per_page": 1, "page": 2}
    )
    assert ids_of(response) == [projects[1].pk]
    assert response["Link"] == (
        f'<{base}?page=3&per_page=1>; rel="next", '
        f'<{base}?per_page=1>; rel="prev", '
        f'<{base}?page=1&per_page=1>; rel="first", '
        f'<{base}?page=3&per_page=1>; rel="last"'
    )


def test_page_past_the_end_is_404(api_client, project):
    response = api_client.get(api_path("api-project-list"), {"page": 5})
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize("method", ["post", "delete"])
def test_create_and_delete_not_allowed(client_as, superuser, project, method):
    client = client_as(superuser)
    path = (
        api_path("api-project-list")
        if method == "post"
        else api_path("api-project-detail", pk=project.pk)
    )
    response = getattr(client, method)(path, {"linkname": "new", "name": "New"})
    assert response.status_code == 405
    assert Project.objects.count() == 1


@pytest.mark.parametrize("body_format", ["json", "multipart"])
@pytest.mark.parametrize("method", ["patch", "put"])
def test_update_by_maintainer(client_as, project, maintainer, version, method, body_format):
    """Maintainers change the URLs; the response is the updated project."""
    client = client_as(maintainer)
    path = api_path("api-project-detail", version, pk=project.pk)
    body = {"web_url": "https://example.com/test", "scm_url": "https://git.example.com/r.git"}
    response = getattr(client, method)(path, body, format=body_format)
    assert response.status_code == 200, response.content
    validate_response(response)
    assert response.json()["web_url"] == "https://example.com/test"
    project.refresh_from_db()
    assert project.web_url == "https://example.com/test"
    assert project.scm_url == "https://git.example.com/r.git"


def test_update_by_superuser(client_as, project, superuser):
    response = client_as(superuser).patch(
        api_path("api-project-detail", pk=project.linkname),
        {"webscm_url": "https://cgit.example.com/"},
    )
    assert response.status_code == 200, response.content
    project.refresh_from_db()
    assert project.webscm_url == "https://cgit.example.com/"


def test_update_1_2_fields(client_as, project, maintainer):
    response = client_as(maintainer).patch(
        api_path("api-project-detail", "1.2", pk=project.pk),
        {
            "list_archive_url": "https://lore.example.org/dev/",
            "list_archive_url_format": "https://lore.example.org/r/{}",
            "commit_url_format": "https://git.example.org/commit/{}",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    validate_response(response)
    project.refresh_from_db()
    assert project.list_archive_url_format == "https://lore.example.org/r/{}"
    assert project.commit_url_format == "https://git.example.org/commit/{}"


def test_update_null_archive_format_clears_it(client_as, maintainer):
    project = ProjectFactory(list_archive_url_format="https://lore.example.org/r/{}")
    project.maintainers.add(maintainer)
    response = client_as(maintainer).patch(
        api_path("api-project-detail", pk=project.pk),
        {"list_archive_url_format": None},
        format="json",
    )
    assert response.status_code == 200, response.content
    project.refresh_from_db()
    assert project.list_archive_url_format == ""


def test_later_fields_written_through_older_versions(client_as, project, maintainer):
    """As Patchwork: a write through an older version still applies the fields of later
    versions (1.2 URL formats, 1.4 ``show_dependencies``); the answer shows only the
    version's fields."""
    client = client_as(maintainer)
    response = client.patch(
        api_path("api-project-detail", "1.1", pk=project.pk),
        {
            "show_dependencies": True,
            "list_archive_url_format": "https://lore.example.org/r/{}",
            "commit_url_format": "https://git.example.org/c/{}",
        },
    )
    assert response.status_code == 200, response.content
    assert "show_dependencies" not in response.json()
    assert "commit_url_format" not in response.json()
    project.refresh_from_db()
    assert project.show_dependencies is True
    assert project.list_archive_url_format == "https://lore.example.org/r/{}"
    assert project.commit_url_format == "https://git.example.org/c/{}"
    response = client.patch(
        api_path("api-project-detail", "1.4", pk=project.pk), {"show_dependencies": "False"}
    )
    assert response.status_code == 200
    assert response.json()["show_dependencies"] is False
    project.refresh_from_db()
    assert project.show_dependencies is False


def test_update_read_only_fields_are_ignored(client_as, project, maintainer):
    """link_name, list_id, list_email, name, subject_match and maintainers stay as they
    are (Patchwork answers 200 and ignores them)."""
    original = (project.linkname, project.listid, project.listemail, project.name)
    response = client_as(maintainer).patch(
        api_path("api-project-detail", pk=project.pk),
        {
            "link_name": "renamed",
            "list_id": "other.example.org",
            "list_email": "other@example.org",
            "name": "Renamed",
            "subject_match": "foo",
            "maintainers": [],
        },
        format="json",
    )
    assert response.status_code == 200
    project.refresh_from_db()
    assert (project.linkname, project.listid, project.listemail, project.name) == original
    assert project.subject_match == ""
    assert list(project.maintainers.all()) == [maintainer]


def test_update_invalid_url_is_400(client_as, project, maintainer):
    response = client_as(maintainer).patch(
        api_path("api-project-detail", pk=project.pk), {"web_url": "not a url"}
    )
    assert response.status_code == 400
    # (the spec documents these messages as strings; DRF and Patchwork send lists)
    assert "web_url" in response.json()
    project.refresh_from_db()
    assert project.web_url == "https://example.org/web"


@pytest.mark.parametrize("who", ["anonymous", "user", "maintainer of another project"])
def test_update_refused(client_as, project, who):
    """Anonymous users and non-maintainers get 403, as in Patchwork."""
    if who == "anonymous":
        client = client_as(None)
    elif who == "user":
        client = client_as(UserFactory())
    else:
        other_maintainer = UserFactory()
        ProjectFactory().maintainers.add(other_maintainer)
        client = client_as(other_maintainer)
    response = client.patch(
        api_path("api-project-detail", pk=project.pk), {"web_url": "https://evil.example/"}
    )
    assert response.status_code == 403
    validate_response(response)
    project.refresh_from_db()
    assert project.web_url == "https://example.org/web"


def test_update_unknown_project_is_404(client_as, superuser):
    response = client_as(superuser).patch(
        api_path("api-project-detail", pk="nope"), {"web_url": "https://example.org/"}
    )
    assert response.status_code == 404


def test_list_query_count_is_constant(api_client):
    """Maintainers are prefetched: the same number of queries for 1 and 100 projects."""
    maintainers = UserFactory.create_batch(3)
    ProjectFactory(maintainers=maintainers)
    assert count_queries(api_client, api_path("api-project-list")) == LIST_QUERIES
    for project in ProjectFactory.create_batch(99):
        project.maintainers.add(*maintainers)
    assert count_queries(api_client, api_path("api-project-list") + "?per_page=100") == (
        LIST_QUERIES
    )


@pytest.mark.parametrize("version", API_VERSIONS)
def test_browsable_api(client_as, project, maintainer, version):
    """The list and the detail (with its update form) render as HTML."""
    client = client_as(maintainer)
    for path in (
        api_path("api-project-list", version),
        api_path("api-project-detail", version, pk=project.pk),
    ):
        response = client.get(path, {"format": "api"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
    assert b"<form" in response.content
