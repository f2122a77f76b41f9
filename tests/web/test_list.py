"""The project patch list: Patchwork's filters and orders, counts, pagination, queries, and
the bulk actions of each kind of user."""

import pytest

from bundles.models import Bundle, BundlePatch
from events.models import Event
from patches.models import Check, Patch, PatchTag, State, Tag
from tests.factories import (
    BundleFactory,
    CheckFactory,
    PatchFactory,
    PersonFactory,
    SeriesFactory,
    UserFactory,
)
from tests.web.conftest import flash_messages, list_url, listed_ids

pytestmark = pytest.mark.django_db


def state(slug: str) -> State:
    return State.objects.get(slug=slug)


@pytest.fixture
def mix(project, people):
    """Patches in several states, archived or not, by several people."""
    alice = PersonFactory(name="Alice Example", email="alice@example.org")
    return {
        "new": PatchFactory(project=project, submitter=alice, name="[PATCH] net: fix"),
        "review": PatchFactory(
            project=project,
            state=state("under-review"),
            delegate=people.maintainer,
            name="[PATCH] mm: tidy",
        ),
        "accepted": PatchFactory(project=project, state=state("accepted"), name="[PATCH] a"),
        "archived": PatchFactory(project=project, archived=True, name="[PATCH] old"),
        "mine": PatchFactory(project=project, submitter=people.submitter_person, name="mine"),
    }


def ids(mix, *names):
    return [mix[name].id for name in names]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["mine", "review", "new"]),
        ("state=*", ["mine", "accepted", "review", "new"]),
        ("state=3", ["accepted"]),
        ("state=accepted", ["accepted"]),
        ("state=*&archive=both", ["mine", "archived", "accepted", "review", "new"]),
        ("state=*&archive=true", ["archived"]),
        ("state=*&archived=both", ["mine", "archived", "accepted", "review", "new"]),
        ("submitter=Alice", ["new"]),
        ("submitter=alice@example", ["new"]),
        ("delegate=Nobody", ["mine", "new"]),
        ("delegate=mai", ["review"]),
        ("q=NET:", ["new"]),
        ("state=nosuchstate", ["mine", "review", "new"]),
    ],
)
def test_filters(client, mix, project, query, expected):
    """Patchwork's parameters (``state`` id or ``*``, ``archive``, ``submitter`` name part,
    ``delegate`` username part or Nobody, ``q``); a state slug and ``archived`` too."""
    response = client.get(list_url(project, query))
    assert response.status_code == 200
    assert listed_ids(response) == ids(mix, *expected)


def test_full_text_search_finds_words_in_the_name_message_or_diff(client, project):
    """``search=`` (the API's full-text search, an extension) narrows the list to patches
    holding every word in their name, commit message or diff; the list keeps its order
    and its other filters."""
    in_name = PatchFactory(project=project, name="[PATCH] frobnicator: add it")
    in_message = PatchFactory(project=project, content="This frobnicator leaks.\n")
    in_diff = PatchFactory(
        project=project, diff="--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+frobnicator\n"
    )
    accepted = PatchFactory(
        project=project, name="[PATCH] frobnicator: b", state=state("accepted")
    )
    PatchFactory(project=project, name="[PATCH] unrelated")
    response = client.get(list_url(project, "search=Frobnicator"))
    assert listed_ids(response) == [in_diff.id, in_message.id, in_name.id]
    assert "name, message or diff has &#x27;Frobnicator&#x27;" in response.content.decode()
    response = client.get(list_url(project, "search=frobnicator+add&state=*"))
    assert listed_ids(response) == [in_name.id]
    response = client.get(list_url(project, "search=frobnicator&state=accepted"))
    assert listed_ids(response) == [accepted.id]


def test_a_full_text_search_over_the_word_limit_is_not_applied(client, project):
    """More words than ``MAX_SEARCH_WORDS`` (a 400 on the API): the page says the search
    was not applied and lists as without it (it was a 500)."""
    patch = PatchFactory(project=project)
    response = client.get(list_url(project, "search=" + "+".join(["word"] * 11)))
    assert response.status_code == 200
    assert listed_ids(response) == [patch.id]
    assert "Not applied: a full-text search of more than 10 words." in response.content.decode()


def test_filter_by_ids_of_submitter_and_delegate(client, mix, project, people):
    response = client.get(list_url(project, f"delegate={people.maintainer.pk}"))
    assert listed_ids(response) == ids(mix, "review")
    alice = mix["new"].submitter
    assert listed_ids(client.get(list_url(project, f"submitter={alice.pk}"))) == ids(mix, "new")


def test_submitter_id_covers_every_address_of_the_account(client, project, people):
    """As Patchwork: a person linked to an account stands for all of the account's
    addresses."""
    other_address = PersonFactory(email="sub@elsewhere.org", user=people.submitter)
    first = PatchFactory(project=project, submitter=people.submitter_person)
    second = PatchFactory(project=project, submitter=other_address)
    response = client.get(list_url(project, f"submitter={people.submitter_person.pk}"))
    assert listed_ids(response) == [second.id, first.id]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("", ["c", "b", "a"]),
        ("date", ["a", "b", "c"]),
        ("name", ["a", "c", "b"]),
        ("-name", ["b", "c", "a"]),
        ("submitter", ["b", "c", "a"]),
        ("-submitter", ["a", "c", "b"]),
        ("delegate", ["a", "c", "b"]),
        ("-delegate", ["b", "c", "a"]),
        ("state", ["c", "a", "b"]),
        ("bogus", ["c", "b", "a"]),
    ],
)
def test_sort_orders(client, project, people, order, expected):
    """Newest first by default; a column sorts with the date as second key (newest first
    too, as Patchwork)."""
    zed = PersonFactory(name="Zed")
    amy = PersonFactory(name="Amy")
    patches = {
        "a": PatchFactory(
            project=project, name="alpha", submitter=zed, delegate=people.maintainer
        ),
        "b": PatchFactory(
            project=project, name="gamma", submitter=amy, state=state("under-review")
        ),
        "c": PatchFactory(project=project, name="beta", submitter=zed),
    }
    response = client.get(list_url(project, f"order={order}&state=*"))
    assert listed_ids(response) == [patches[name].id for name in expected]


def test_column_headers_link_to_the_reversed_order(client, project, mix):
    html = client.get(list_url(project, "order=name&state=*")).content.decode()
    assert "order=-name" in html
    assert 'class="sort active ascending"' in html


def test_tag_and_check_counts(client, project, people):
    """A/R/T counts from the patch's tags; S/W/F from its latest check per context."""
    patch = PatchFactory(project=project)
    PatchTag.objects.create(patch=patch, tag=Tag.objects.get(abbrev="A"), count=2)
    bot = UserFactory()
    CheckFactory(patch=patch, user=bot, context="build", state=Check.State.FAIL)
    CheckFactory(patch=patch, user=bot, context="build", state=Check.State.SUCCESS)
    CheckFactory(patch=patch, user=bot, context="lint", state=Check.State.WARNING)
    html = client.get(list_url(project)).content.decode()
    assert 'title="2 Acked-by / 0 Reviewed-by / 0 Tested-by"' in html
    assert '<span class="count some">2</span>' in html
    row = html.split(f'id="patch-row:{patch.id}"')[1].split("</tr>")[0]
    assert '<span class="count success">1</span>' in row
    assert '<span class="count warning">1</span>' in row
    assert '<span class="count">-</span></td>' in row  # no failure: the build passed later


def test_no_tag_columns_when_the_project_does_not_use_tags(client, project):
    project.use_tags = False
    project.save()
    PatchFactory(project=project)
    assert "A/R/T" not in client.get(list_url(project)).content.decode()


def test_series_column_and_series_filter(client, project):
    """A series lists all its patches in order, archived or accepted ones too (Patchwork
    would show only those that need action, so an accepted series' link was empty)."""
    series = SeriesFactory(project=project, name="big rework")
    second = PatchFactory(project=project, series=series, number=2, archived=True)
    first = PatchFactory(project=project, series=series, number=1, state=state("accepted"))
    html_list = client.get(list_url(project, "state=*&archive=both")).content.decode()
    assert "big rework" in html_list
    response = client.get(list_url(project, f"series={series.id}"))
    assert listed_ids(response) == [first.id, second.id]
    explicit = client.get(list_url(project, f"series={series.id}&state=accepted"))
    assert listed_ids(explicit) == [first.id]


@pytest.mark.parametrize("role", [None, "maintainer"])
def test_a_page_of_100_patches_runs_constant_queries(
    client_as, project, people, role, django_assert_num_queries
):
    """100 rows with submitters, delegates, series, tags and checks, on the first page and
    a deeper one: 8 queries for a visitor (project, count, rows with their submitters,
    delegates, states and series, column tags, tag counts, latest checks, states and
    maintainers of the filter controls), 13 for a maintainer (also session, user, profile,
    maintainer check, own bundles)."""
    series = SeriesFactory(project=project)
    submitters = PersonFactory.create_batch(5)
    for index in range(110):
        patch = PatchFactory(
            project=project,
            submitter=submitters[index % 5],
            delegate=people.maintainer if index % 2 else None,
            series=series if index % 3 else None,
        )
        PatchTag.objects.create(patch=patch, tag=Tag.objects.get(abbrev="R"))
        CheckFactory(patch=patch)
    client = client_as(role)
    expected = 8 if role is None else 13
    for page in (1, 2):
        with django_assert_num_queries(expected):
            response = client.get(list_url(project, f"page={page}"))
        assert len(listed_ids(response)) == (100 if page == 1 else 10)


def test_deep_pages_read_keys_first(client, project, django_assert_num_queries):
    """Past the first page the rows are fetched by the keys of the page (one query more),
    the technique of the API's pagination."""
    user = UserFactory()
    user.profile.items_per_page = 5
    user.profile.save()
    client.force_login(user)
    patches = PatchFactory.create_batch(23, project=project)
    response = client.get(list_url(project, "page=4&order=date"))
    assert listed_ids(response) == [patch.id for patch in patches[15:20]]


# Bulk actions.


def bulk(client, project, patches, **data):
    payload = {"patch_id": [patch.id for patch in patches], **data}
    return client.post(list_url(project, "state=*"), payload, follow=True)


def test_bulk_controls_are_for_maintainers(client_as, project, mix):
    assert 'id="bulk-update"' not in client_as(None).get(list_url(project)).content.decode()
    outsider_page = client_as("outsider").get(list_url(project)).content.decode()
    assert 'id="bulk-update"' not in outsider_page
    assert 'name="patch_id"' in outsider_page  # bundles still work for everyone signed in
    for role in ("maintainer", "staff", "superuser"):
        assert 'id="bulk-update"' in client_as(role).get(list_url(project)).content.decode()


def test_maintainer_changes_patches_in_bulk_with_events(client_as, project, people, mix):
    patches = [mix["new"], mix["mine"]]
    response = bulk(
        client_as("maintainer"),
        project,
        patches,
        action="update",
        state=str(state("accepted").pk),
        delegate=str(people.other_maintainer.pk),
        archived="True",
    )
    assert response.status_code == 200
    assert "2 patches updated." in flash_messages(response)
    for patch in patches:
        patch.refresh_from_db()
        assert (patch.state.slug, patch.delegate, patch.archived) == (
            "accepted",
            people.other_maintainer,
            True,
        )
    events = Event.objects.filter(patch__in=patches)
    assert sorted(events.values_list("category", flat=True)) == sorted(
        ["patch-state-changed", "patch-delegated"] * 2
    )
    assert set(events.values_list("actor", flat=True)) == {people.maintainer.pk}


def test_bulk_change_is_all_or_nothing(client_as, project, people, mix):
    """A submitter may change their own patch but not the others: nothing changes."""
    response = bulk(
        client_as("submitter"),
        project,
        [mix["mine"], mix["new"]],
        action="update",
        state=str(state("rfc").pk),
        delegate="*",
        archived="*",
    )
    assert any("permission" in text for text in flash_messages(response))
    assert Patch.objects.filter(state__slug="rfc").count() == 0
    assert not Event.objects.filter(category="patch-state-changed").exists()


def test_submitter_may_change_their_own_patches_in_bulk(client_as, project, mix):
    response = bulk(
        client_as("submitter"), project, [mix["mine"]], action="update", archived="True"
    )
    assert "1 patch updated." in flash_messages(response)
    mix["mine"].refresh_from_db()
    assert mix["mine"].archived


def test_delegate_must_maintain_the_project(client_as, project, people, mix):
    """The service's validation applies: a delegate outside the maintainers is refused
    (the form offers maintainers only, so a forged value is an invalid form)."""
    response = bulk(
        client_as("maintainer"),
        project,
        [mix["new"]],
        action="update",
        delegate=str(people.outsider.pk),
    )
    assert "The submitted form data was invalid." in flash_messages(response)
    mix["new"].refresh_from_db()
    assert mix["new"].delegate is None


def test_anonymous_bulk_post_goes_to_login(client, project, mix):
    response = client.post(list_url(project), {"patch_id": [mix["new"].id], "action": "update"})
    assert response.status_code == 302
    assert response["Location"].startswith("/user/login/")


def test_bulk_ignores_patches_of_other_projects(client_as, project, mix):
    elsewhere = PatchFactory()
    response = bulk(client_as("superuser"), project, [elsewhere], action="update", archived="True")
    assert "No patches selected; nothing changed." in flash_messages(response)
    elsewhere.refresh_from_db()
    assert not elsewhere.archived


def test_bulk_without_a_change(client_as, project, mix):
    response = bulk(client_as("maintainer"), project, [mix["new"]], action="update")
    assert "No change chosen; nothing updated." in flash_messages(response)


def test_bulk_post_needs_csrf(project, people, mix):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(people.maintainer)
    response = client.post(list_url(project), {"patch_id": [mix["new"].id], "action": "update"})
    assert response.status_code == 403


def test_create_a_bundle_and_add_to_it_from_the_list(client_as, project, people, mix):
    client = client_as("outsider")
    response = bulk(client, project, [mix["new"], mix["review"]], action="create", name="fixes")
    assert any("Bundle fixes created" in text for text in flash_messages(response))
    bundle = Bundle.objects.get(owner=people.outsider, name="fixes")
    assert bundle.project == project
    response = bulk(
        client, project, [mix["review"], mix["mine"]], action="add", bundle_id=str(bundle.pk)
    )
    assert any("1 patch(es) added" in text for text in flash_messages(response))
    members = BundlePatch.objects.filter(bundle=bundle).order_by("order")
    assert [member.patch_id for member in members] == ids(mix, "new", "review", "mine")


def test_enter_in_the_bundle_name_creates_the_bundle(client_as, project, people, mix):
    """The first submit button is Update; a bundle name means Create (as Patchwork)."""
    bulk(client_as("maintainer"), project, [mix["new"]], action="update", name="quick")
    assert Bundle.objects.filter(owner=people.maintainer, name="quick").exists()


def test_cannot_add_to_someone_elses_bundle(client_as, project, people, mix):
    bundle = BundleFactory(owner=people.maintainer, project=project, patches=[mix["new"]])
    response = bulk(
        client_as("outsider"), project, [mix["mine"]], action="add", bundle_id=str(bundle.pk)
    )
    assert "No bundle was selected." in flash_messages(response)
    assert bundle.patches.count() == 1


def test_bundle_name_without_slashes(client_as, project, mix):
    response = bulk(client_as("outsider"), project, [mix["new"]], action="create", name="a/b")
    assert "Bundle names can't contain slashes." in flash_messages(response)


# Todo lists.


def test_todo_list_shows_patches_delegated_to_me_needing_action(client_as, project, people):
    mine = PatchFactory(project=project, delegate=people.maintainer)
    PatchFactory(project=project, delegate=people.maintainer, state=state("accepted"))
    PatchFactory(project=project, delegate=people.maintainer, archived=True)
    PatchFactory(project=project, delegate=people.other_maintainer)
    client = client_as("maintainer")
    response = client.get("/user/todo/")
    assert response.status_code == 302  # one project: straight to its list, as Patchwork
    assert response["Location"] == f"/user/todo/{project.linkname}/"
    response = client.get(response["Location"])
    assert listed_ids(response) == [mine.id]
    assert "Patches delegated to you" in response.content.decode()


def test_todo_lists_of_several_projects(client_as, project, people):
    other = SeriesFactory().project
    other.maintainers.add(people.maintainer)
    PatchFactory(project=project, delegate=people.maintainer)
    PatchFactory(project=other, delegate=people.maintainer)
    response = client_as("maintainer").get("/user/todo/")
    assert response.status_code == 200
    assert response.context["todo_lists"] == [(project, 1), (other, 1)] or set(
        response.context["todo_lists"]
    ) == {(project, 1), (other, 1)}


def test_todo_needs_login(client):
    response = client.get("/user/todo/")
    assert response.status_code == 302
    assert response["Location"].startswith("/user/login/")


def test_unknown_project_is_an_html_404(client):
    response = client.get("/project/nosuch/list/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
