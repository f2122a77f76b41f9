"""Fixtures of the web page tests: a project and one account for each kind of visitor."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from downloads import links
from tests.factories import PersonFactory, ProjectFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class People:
    """The accounts of the tests, by role towards ``project``."""

    maintainer: object
    other_maintainer: object
    submitter: object
    submitter_person: object
    outsider: object
    staff: object
    superuser: object


@pytest.fixture
def project(db):
    return ProjectFactory(linkname="web", name="Web project", list_archive_url_format="")


@pytest.fixture
def people(project) -> People:
    maintainer = UserFactory(username="maint")
    other_maintainer = UserFactory(username="comaint")
    project.maintainers.add(maintainer, other_maintainer)
    submitter = UserFactory(username="sub", email="sub@example.org")
    submitter_person = PersonFactory(email="sub@example.org", name="Sub Mitter", user=submitter)
    staff = UserFactory(username="staffer", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="change_patch"))
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    return People(
        maintainer=maintainer,
        other_maintainer=other_maintainer,
        submitter=submitter,
        submitter_person=submitter_person,
        outsider=UserFactory(username="outsider"),
        staff=staff,
        superuser=superuser,
    )


@pytest.fixture
def client_as(people) -> Callable[[str | None], Client]:
    """A test client logged in as the named role of ``people`` (None: anonymous)."""

    def make(role: str | None) -> Client:
        client = Client()
        if role is not None:
            client.force_login(getattr(people, role))
        return client

    return make


def patch_url(patch) -> str:
    return links.patch_web_url(None, patch.project.linkname, patch.msgid)


def cover_url(cover) -> str:
    return links.cover_web_url(None, cover.project.linkname, cover.msgid)


def list_url(project, query: str = "") -> str:
    url = f"/project/{project.linkname}/list/"
    return f"{url}?{query}" if query else url


def listed_ids(response) -> list[int]:
    """The ids of the patch rows of a list page, in order."""
    html = response.content.decode()
    return [int(part.split('"', 1)[0]) for part in html.split('<tr id="patch-row:')[1:]]


def flash_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []
