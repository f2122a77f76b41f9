"""record_event: the project taken from what the event concerns, actors, bad targets."""

import pytest
from django.contrib.auth.models import AnonymousUser

from events.models import Event
from events.services import record_event
from patches.models import State
from tests.factories import PatchFactory, ProjectFactory, SeriesFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_project_comes_from_the_patch():
    patch = PatchFactory()
    event = record_event(Event.Category.PATCH_CREATED, patch=patch)
    assert (event.project, event.patch, event.actor) == (patch.project, patch, None)


def test_project_comes_from_the_series():
    series = SeriesFactory()
    event = record_event("series-created", series=series)
    assert event.project == series.project
    assert event.category == Event.Category.SERIES_CREATED


def test_targets_by_id_and_actor():
    patch = PatchFactory()
    actor = UserFactory()
    accepted = State.objects.get(slug="accepted")
    event = record_event(
        Event.Category.PATCH_STATE_CHANGED,
        patch=patch,
        actor=actor,
        previous_state_id=patch.state_id,
        current_state_id=accepted.pk,
    )
    event.refresh_from_db()
    assert (event.previous_state.slug, event.current_state, event.actor) == (
        "new",
        accepted,
        actor,
    )


def test_anonymous_actor_is_recorded_as_none():
    event = record_event(Event.Category.PATCH_CREATED, patch=PatchFactory(), actor=AnonymousUser())
    assert event.actor is None


def test_explicit_project():
    project = ProjectFactory()
    assert record_event(Event.Category.COVER_CREATED, project=project).project == project


@pytest.mark.parametrize(
    ("category", "targets"),
    [
        ("patch-created", {"colour": "blue"}),
        ("patch-created", {}),
        ("no-such-category", {"patch": None}),
    ],
)
def test_bad_calls_are_refused(category, targets):
    with pytest.raises((TypeError, ValueError)):
        record_event(category, **targets)
    assert not Event.objects.exists()
