"""Fixtures shared by the REST API tests: versions, URLs, users and authenticated clients."""

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from patchwork_api.api.versions import LATEST_VERSION, SUPPORTED_VERSIONS, format_version
from tests.api.schema import load_spec, spec_available, validate_response
from tests.factories import ProjectFactory, UserFactory

# Every API version as it appears in URLs; None is the unversioned /api/ (the latest).
API_VERSIONS: list[str | None] = [None, *(format_version(v) for v in SUPPORTED_VERSIONS)]


def versions_from(first: str) -> list[str | None]:
    """The URL versions that serve something added in ``first`` (unversioned included)."""
    minimum = tuple(int(part) for part in first.split("."))
    return [
        version
        for version in API_VERSIONS
        if version is None or tuple(int(part) for part in version.split(".")) >= minimum
    ]


def versions_before(first: str) -> list[str]:
    """The URL versions that do not know something added in ``first``."""
    newer = set(versions_from(first))
    return [version for version in API_VERSIONS if version not in newer]


def api_path(name: str, version: str | None = None, **kwargs) -> str:
    """The path of a named API route in a version (``None``: the unversioned /api/)."""
    from django.urls import reverse

    if version is not None:
        kwargs["version"] = version
    return reverse(name, kwargs=kwargs)


def schema_fields(schema_name: str, version: str | None) -> set[str]:
    """The property names of a schema of the spec of ``version`` (allOf merged)."""
    spec = load_spec(version or format_version(LATEST_VERSION))
    schemas = spec["components"]["schemas"]

    def properties(schema: dict) -> set[str]:
        if "$ref" in schema:
            return properties(schemas[schema["$ref"].rsplit("/", 1)[-1]])
        names = set(schema.get("properties", {}))
        for part in schema.get("allOf", []):
            names |= properties(part)
        return names

    return properties(schemas[schema_name])


def get_valid(client: APIClient, path: str, params: dict | list | None = None, **extra):
    """GET a path, assert a 200 and validate the body against the spec."""
    response = client.get(path, params or {}, **extra)
    assert response.status_code == 200, response.content
    validate_response(response)
    return response


def ids_of(response) -> list[int]:
    return [item["id"] for item in response.json()]


def count_queries(client: APIClient, path: str) -> int:
    """The number of database queries one GET of ``path`` makes (asserting a 200)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.fixture(autouse=True)
def _require_spec() -> None:
    """API tests validate every response against ../shared/spec."""
    if not spec_available():
        pytest.skip("the OpenAPI specs in ../shared/spec are not available")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Factories set a password on every user; the real hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(params=API_VERSIONS, ids=lambda version: version or "latest")
def version(request) -> str | None:
    """Each API version in turn, and the unversioned /api/."""
    return request.param


@pytest.fixture
def project(db):
    return ProjectFactory()


@pytest.fixture
def maintainer(project):
    """A user who maintains ``project``."""
    user = UserFactory()
    project.maintainers.add(user)
    return user


@pytest.fixture
def user(db):
    """A registered user with no rights on any project."""
    return UserFactory()


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def client_as() -> Callable[..., APIClient]:
    """``client_as(user)``: an API client authenticated as ``user`` (None: anonymous)."""

    def make_client(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make_client
