"""The Django admin changes patches and comments through the services: same permission and
validation as the API, and the same events (bots polling /api/events/ see admin changes)."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.forms.models import model_to_dict
from django.urls import reverse

from events.models import Event
from patches.models import State
from tests.factories import (
    CheckFactory,
    CoverCommentFactory,
    PatchCommentFactory,
    PatchFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return get_user_model().objects.create_superuser("admin", "a@example.org", "x")


def change_form_data(instance, **changes) -> dict:
    """The admin change form's POST for ``instance`` with ``changes`` (no inlines sent)."""
    data = {}
    for name, value in {**model_to_dict(instance), **changes}.items():
        if isinstance(value, datetime.datetime):  # the admin splits date and time
            data[f"{name}_0"], data[f"{name}_1"] = value.date().isoformat(), value.strftime("%T")
        elif not isinstance(value, list):
            data[name] = "" if value is None else value
    data = {name: value for name, value in data.items() if value is not False}
    for prefix in ("patchtag_set",):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def post_change(client, instance, **changes):
    options = instance._meta
    url = reverse(f"admin:{options.app_label}_{options.model_name}_change", args=[instance.pk])
    return client.post(url, change_form_data(instance, **changes))


def test_admin_state_change_records_the_event(client, admin_user):
    patch = PatchFactory()
    client.force_login(admin_user)
    accepted = State.objects.get(slug="accepted")
    response = post_change(client, patch, state=accepted.pk)
    assert response.status_code == 302, response.content.decode()[:2000]
    patch.refresh_from_db()
    assert patch.state == accepted
    event = Event.objects.get(patch=patch)
    assert (event.category, event.actor, event.current_state) == (
        "patch-state-changed",
        admin_user,
        accepted,
    )


def test_admin_delegate_must_maintain_the_project(client, admin_user):
    patch = PatchFactory()
    client.force_login(admin_user)
    response = post_change(client, patch, delegate=UserFactory().pk)
    assert response.status_code == 200
    assert "is not a maintainer for project" in response.content.decode()
    patch.refresh_from_db()
    assert patch.delegate is None
    assert not Event.objects.exists()


def test_staff_needs_the_change_permission_for_the_admin_and_the_service(client):
    staff = UserFactory(is_staff=True)
    patch = PatchFactory()
    client.force_login(staff)
    url = reverse("admin:patches_patch_change", args=[patch.pk])
    assert client.get(url).status_code == 403
    staff.user_permissions.add(
        Permission.objects.get(codename="change_patch"),
        Permission.objects.get(codename="view_patch"),
    )
    accepted = State.objects.get(slug="accepted")
    response = post_change(client, patch, state=accepted.pk)
    assert response.status_code == 302
    assert Event.objects.get(patch=patch).actor == staff


def test_patches_comments_and_checks_are_not_added_by_hand(client, admin_user):
    client.force_login(admin_user)
    for name in ("patch", "patchcomment", "check"):
        assert client.get(reverse(f"admin:patches_{name}_add")).status_code == 403
    check = CheckFactory()
    response = client.post(
        reverse("admin:patches_check_change", args=[check.pk]), {"context": "changed"}
    )
    assert response.status_code == 403
    check.refresh_from_db()
    assert check.context == "build"


def test_admin_marks_comments_addressed_through_the_services(client, admin_user):
    client.force_login(admin_user)
    comment = PatchCommentFactory()
    before = comment.patch.updated
    response = post_change(client, comment, addressed="true")
    assert response.status_code == 302
    comment.refresh_from_db()
    comment.patch.refresh_from_db()
    assert comment.addressed is True
    assert comment.patch.updated > before  # the service bumps it
    cover_comment = CoverCommentFactory()
    response = post_change(client, cover_comment, addressed="false")
    assert response.status_code == 302
    cover_comment.refresh_from_db()
    assert cover_comment.addressed is False


def test_the_admin_stays_staff_only(client):
    maintainer = UserFactory()
    PatchFactory().project.maintainers.add(maintainer)
    client.force_login(maintainer)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def project_form_data(client, project, **changes) -> dict:
    """The project change form's POST: its fields with ``changes``, the maintainers kept,
    no delegation rule sent (the inline's management form read from the page)."""
    url = reverse("admin:projects_project_change", args=[project.pk])
    page = client.get(url).content.decode()
    prefix = re.search(r'name="([\w-]+)-TOTAL_FORMS"', page).group(1)
    data = change_form_data(project, **changes)
    data["maintainers"] = [user.pk for user in project.maintainers.all()]
    data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return {name: value for name, value in data.items() if not name.startswith("patchtag_set")}


def test_admin_project_change_is_checked_by_the_project_service(client, admin_user):
    """A URL format the API refuses (``{}`` twice) is refused by the admin form too, and
    nothing changes; a valid one is saved."""
    project = ProjectFactory()
    client.force_login(admin_user)
    url = reverse("admin:projects_project_change", args=[project.pk])
    refused = client.post(
        url, project_form_data(client, project, commit_url_format="https://git/{}{}")
    )
    assert refused.status_code == 200
    assert "exactly once" in refused.content.decode()
    project.refresh_from_db()
    assert project.commit_url_format != "https://git/{}{}"

    saved = client.post(
        url, project_form_data(client, project, commit_url_format="https://git/c/{}")
    )
    assert saved.status_code == 302, saved.content.decode()[:2000]
    project.refresh_from_db()
    assert project.commit_url_format == "https://git/c/{}"
