"""Model constraints and the default rows the migrations load."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction

from bundles.models import Bundle
from covers.models import Cover
from patches.models import Patch, State, Tag
from people.models import Person
from projects.models import Project
from series.models import SeriesReference
from tests.factories import (
    BundleFactory,
    CoverFactory,
    PatchFactory,
    PersonFactory,
    ProjectFactory,
    SeriesFactory,
    SeriesReferenceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Patchwork's default states: bots hard-code these ids.
EXPECTED_STATES = [
    (1, "new", True),
    (2, "under-review", True),
    (3, "accepted", False),
    (4, "rejected", False),
    (5, "rfc", False),
    (6, "not-applicable", False),
    (7, "changes-requested", False),
    (8, "awaiting-upstream", False),
    (9, "superseded", False),
    (10, "deferred", False),
]


@pytest.mark.parametrize("factory", [PatchFactory, CoverFactory])
def test_same_msgid_in_two_projects_is_allowed(factory):
    """A mail cross-posted to two lists becomes one row in each project."""
    first = factory(msgid="<shared@example.org>")
    second = factory(msgid="<shared@example.org>")

    assert first.project != second.project
    assert first.__class__.objects.filter(msgid="<shared@example.org>").count() == 2


@pytest.mark.parametrize("factory", [PatchFactory, CoverFactory])
def test_same_msgid_twice_in_one_project_is_refused(factory):
    existing = factory(msgid="<once@example.org>")

    with pytest.raises(IntegrityError), transaction.atomic():
        factory(msgid="<once@example.org>", project=existing.project)


@pytest.mark.parametrize("model", [Patch, Cover])
def test_msgid_uniqueness_is_enforced_by_a_database_constraint(model):
    constraint_fields = [tuple(constraint.fields) for constraint in model._meta.constraints]

    assert ("msgid", "project") in constraint_fields


def test_default_states_keep_patchwork_ids_slugs_and_action_required():
    states = [(state.id, state.slug, state.action_required) for state in State.objects.all()]

    assert states == EXPECTED_STATES


def test_states_are_listed_by_their_ordering_not_by_id():
    State.objects.filter(slug="new").update(ordering=100)

    slugs = list(State.objects.values_list("slug", flat=True))

    assert slugs[-1] == "new"
    assert slugs[0] == "under-review"


def test_new_state_gets_an_id_after_the_defaults():
    """The migration resets the id sequence, so the next state does not collide with 1..10."""
    state = State.objects.create(name="Queued", slug="queued", ordering=50)

    assert state.id > 10


def test_default_review_tags_are_loaded():
    assert {tag.name: tag.abbrev for tag in Tag.objects.all()} == {
        "Acked-by": "A",
        "Reviewed-by": "R",
        "Tested-by": "T",
    }


def test_person_email_is_unique():
    PersonFactory(email="someone@example.org")

    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(email="someone@example.org", name="Someone Else")


def test_series_reference_is_unique_per_project():
    reference = SeriesReferenceFactory(msgid="<ref@example.org>")

    with pytest.raises(IntegrityError), transaction.atomic():
        SeriesReference.objects.create(
            project=reference.project,
            series=SeriesFactory(project=reference.project),
            msgid="<ref@example.org>",
        )


def test_series_reference_may_repeat_in_another_project():
    SeriesReferenceFactory(msgid="<ref@example.org>")
    SeriesReferenceFactory(msgid="<ref@example.org>")

    assert SeriesReference.objects.filter(msgid="<ref@example.org>").count() == 2


def test_bundle_name_is_unique_per_owner():
    bundle = BundleFactory(name="for-next")

    with pytest.raises(IntegrityError), transaction.atomic():
        Bundle.objects.create(owner=bundle.owner, project=ProjectFactory(), name="for-next")


def test_two_owners_may_use_the_same_bundle_name():
    BundleFactory(name="for-next", owner=UserFactory())
    BundleFactory(name="for-next", owner=UserFactory())

    assert Bundle.objects.filter(name="for-next").count() == 2


def test_project_list_id_and_subject_match_are_unique_together():
    project = ProjectFactory(listid="dev.example.org", subject_match="")

    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectFactory(listid=project.listid, subject_match="")


def test_projects_may_share_a_list_with_different_subject_matches():
    ProjectFactory(listid="dev.example.org", subject_match=r"\[foo\]")
    ProjectFactory(listid="dev.example.org", subject_match=r"\[bar\]")

    assert Project.objects.filter(listid="dev.example.org").count() == 2


def test_series_has_received_all_once_received_total_reaches_total():
    series = SeriesFactory(total=3, received_total=2)
    assert not series.received_all

    series.received_total = 3
    assert series.received_all


def test_is_maintainer_checks_the_project_maintainers():
    maintainer = UserFactory()
    project = ProjectFactory(maintainers=[maintainer])

    assert project.is_maintainer(maintainer)
    assert not project.is_maintainer(UserFactory())
    assert not project.is_maintainer(AnonymousUser())
