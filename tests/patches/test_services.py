"""Patch, check and comment services called directly (as XML-RPC and commands do)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from events.models import Event
from patches.models import Check, PatchRelation, State
from patches.services import (
    UNCHANGED,
    RelationConflict,
    can_edit_patch,
    create_check,
    update_comment,
    update_patch,
)
from tests.factories import (
    PatchCommentFactory,
    PatchFactory,
    PersonFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def maintainer():
    user = UserFactory()
    ProjectFactory().maintainers.add(user)
    return user


@pytest.fixture
def patch(maintainer):
    return PatchFactory(project=maintainer.maintained_projects.get())


def test_unchanged_arguments_are_left_alone(patch, maintainer):
    patch.commit_ref = "abc"
    patch.save()
    update_patch(patch, actor=maintainer, archived=True)
    patch.refresh_from_db()
    assert (patch.archived, patch.commit_ref, patch.state.slug) == (True, "abc", "new")
    assert repr(UNCHANGED) == "UNCHANGED"


def test_state_change_records_one_event(patch, maintainer):
    accepted = State.objects.get(slug="accepted")
    update_patch(patch, actor=maintainer, state=accepted)
    update_patch(patch, actor=maintainer, state=accepted)
    assert Event.objects.filter(category="patch-state-changed").count() == 1


def test_refused_without_permission(patch):
    with pytest.raises(PermissionDenied):
        update_patch(patch, actor=UserFactory(), archived=True)
    patch.refresh_from_db()
    assert patch.archived is False


def test_delegate_must_maintain(patch, maintainer):
    with pytest.raises(ValidationError) as raised:
        update_patch(patch, actor=maintainer, delegate=UserFactory(username="x"))
    assert "delegate" in raised.value.message_dict


def test_commit_ref_length(patch, maintainer):
    with pytest.raises(ValidationError) as raised:
        update_patch(patch, actor=maintainer, commit_ref="x" * 256)
    assert "commit_ref" in raised.value.message_dict


def test_validation_error_saves_nothing(patch, maintainer):
    with pytest.raises(ValidationError):
        update_patch(
            patch,
            actor=maintainer,
            state=State.objects.get(slug="rfc"),
            delegate=UserFactory(),
        )
    patch.refresh_from_db()
    assert patch.state.slug == "new"


def test_relation_conflict(patch, maintainer):
    project = patch.project
    first, second, third = PatchFactory.create_batch(3, project=project)
    update_patch(patch, actor=maintainer, related=[first])
    update_patch(second, actor=maintainer, related=[third])
    with pytest.raises(RelationConflict):
        update_patch(patch, actor=maintainer, related=[second])
    assert PatchRelation.objects.count() == 2


def test_can_edit_patch_rules(patch, maintainer):
    submitter_user = UserFactory()
    own = PatchFactory(submitter=PersonFactory(user=submitter_user))
    assert can_edit_patch(maintainer, patch)
    assert can_edit_patch(submitter_user, own)
    assert not can_edit_patch(submitter_user, patch)
    assert not can_edit_patch(maintainer, own)


def test_create_check_defaults(patch, maintainer):
    check = create_check(patch, user=maintainer, state=Check.State.PENDING, context="")
    assert (check.context, check.target_url) == ("default", None)


def test_create_check_refuses_unknown_state(patch, maintainer):
    with pytest.raises(ValidationError):
        create_check(patch, user=maintainer, state=7)
    assert not Check.objects.exists()


def test_update_comment_by_author():
    author = UserFactory()
    comment = PatchCommentFactory(submitter=PersonFactory(user=author))
    update_comment(comment, actor=author, addressed=True)
    comment.refresh_from_db()
    assert comment.addressed is True
    with pytest.raises(PermissionDenied):
        update_comment(comment, actor=UserFactory(), addressed=False)


def test_superuser_is_no_delegate_unless_maintainer(patch, maintainer):
    """As in Patchwork, the delegate must maintain the project, superuser or not."""
    with pytest.raises(ValidationError):
        update_patch(patch, actor=maintainer, delegate=UserFactory(is_superuser=True))


# update_patches: the web list's bulk change (and any other caller's).


def test_update_patches_changes_each_patch_with_its_events(patch, maintainer):
    from patches.services import update_patches

    other = PatchFactory(project=patch.project)
    accepted = State.objects.get(slug="accepted")
    updated = update_patches([patch, other], actor=maintainer, state=accepted, archived=True)
    assert updated == [patch, other]
    for each in (patch, other):
        each.refresh_from_db()
        assert (each.state, each.archived) == (accepted, True)
    assert Event.objects.filter(category="patch-state-changed", actor=maintainer).count() == 2


def test_update_patches_is_all_or_nothing(patch, maintainer):
    """One patch the actor may not change rolls back the others and names it."""
    from patches.services import BulkUpdateRefused, update_patches

    foreign = PatchFactory(name="[PATCH] elsewhere")
    accepted = State.objects.get(slug="accepted")
    with pytest.raises(BulkUpdateRefused, match="elsewhere"):
        update_patches([patch, foreign], actor=maintainer, state=accepted)
    patch.refresh_from_db()
    assert patch.state.slug == "new"
    assert not Event.objects.exists()


def test_update_patches_validates_like_update_patch(patch, maintainer):
    from patches.services import update_patches

    with pytest.raises(ValidationError):
        update_patches([patch], actor=maintainer, delegate=UserFactory())


def test_change_patch_permission_lets_staff_edit(patch):
    """Holders of Django's ``patches.change_patch`` (admin staff) may change any patch,
    through the same service."""
    from django.contrib.auth.models import Permission

    staff = UserFactory(is_staff=True)
    assert not can_edit_patch(staff, patch)
    staff.user_permissions.add(Permission.objects.get(codename="change_patch"))
    staff = type(staff).objects.get(pk=staff.pk)  # permissions are cached per instance
    assert can_edit_patch(staff, patch)
