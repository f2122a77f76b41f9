"""The read-only side of the pages: patch, cover, list and bundle pages show what they hold,
in a fixed number of queries."""

import pytest
from django.urls import reverse

from downloads import links
from patches.models import State
from tests.factories import (
    BundleFactory,
    CheckFactory,
    CoverCommentFactory,
    CoverFactory,
    PatchCommentFactory,
    PatchFactory,
    PersonFactory,
    ProjectFactory,
    SeriesFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def patch_page_url(patch) -> str:
    return links.patch_web_url(None, patch.project.linkname, patch.msgid)


def cover_page_url(cover) -> str:
    return links.cover_web_url(None, cover.project.linkname, cover.msgid)


def list_url(project, **query) -> str:
    url = reverse("project-patch-list", kwargs={"linkname": project.linkname})
    return url + (
        "?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else ""
    )


def listed_ids(response) -> list[int]:
    """The ids of the patch rows of a list page, in order."""
    html = response.content.decode()
    return [int(part.split('"', 1)[0]) for part in html.split('<tr id="patch-row:')[1:]]


# Patch page.


def test_patch_page_shows_the_patch(client):
    delegate = UserFactory(username="maint")
    submitter = PersonFactory(name="Zoë Ångström", email="zoe@example.org")
    series = SeriesFactory(name="the series")
    patch = PatchFactory(
        project=series.project,
        series=series,
        number=1,
        name="[PATCH] fix <things> & stuff",
        submitter=submitter,
        delegate=delegate,
        state=State.objects.get(slug="under-review"),
        content="Commit message here.\n",
    )
    comment = PatchCommentFactory(patch=patch, content="A reply with Reviewed-by: x\n")
    CheckFactory(patch=patch, context="build-ci", description="all good")
    response = client.get(patch_page_url(patch))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    for expected in [
        "[PATCH] fix &lt;things&gt; &amp; stuff",
        "Zoë Ångström &lt;zoe@example.org&gt;",
        "2024-01-01",
        "Under Review",
        "maint",
        "Commit message here.",
        f'id="{comment.id}"',
        "A reply with Reviewed-by: x",
        "build-ci",
        "+world",
        "the series",
        links.patch_mbox_url(None, patch.project.linkname, patch.msgid),
        links.series_mbox_url(None, series.id),
    ]:
        assert expected in html


@pytest.mark.parametrize("comments", [1, 8])
def test_patch_page_runs_constant_queries(client, django_assert_num_queries, comments):
    """Patch, comments, checks, series members and other versions: 5 queries for an
    anonymous visitor, whatever the number of comments and checks."""
    series = SeriesFactory()
    patch = PatchFactory(project=series.project, series=series, number=1, delegate=UserFactory())
    PatchFactory(project=series.project, series=series, number=2)
    PatchCommentFactory.create_batch(comments, patch=patch)
    CheckFactory.create_batch(comments, patch=patch)
    with django_assert_num_queries(5):
        assert client.get(patch_page_url(patch)).status_code == 200


def test_patch_page_of_a_cover_msgid_redirects_to_the_cover_page(client):
    cover = CoverFactory()
    url = patch_page_url(cover)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == cover_page_url(cover)


def test_unknown_patch_page(client):
    project = ProjectFactory()
    response = client.get(f"/project/{project.linkname}/patch/nosuch@example.org/")
    assert response.status_code == 404
    assert b"Patch not found" in response.content


# Cover page.


def test_cover_page_shows_the_cover_and_replies(client):
    cover = CoverFactory(name="[PATCH 0/3] big change")
    SeriesFactory(project=cover.project, cover_letter=cover, name="big change")
    comment = CoverCommentFactory(cover=cover, content="Thanks, applied.\n")
    response = client.get(cover_page_url(cover))
    assert response.status_code == 200
    html = response.content.decode()
    for expected in [
        "[PATCH 0/3] big change",
        "This series does things.",
        f'id="{comment.id}"',
        "Thanks, applied.",
        links.cover_mbox_url(None, cover.project.linkname, cover.msgid),
        "big change",
    ]:
        assert expected in html


def test_cover_page_without_series(client):
    assert client.get(cover_page_url(CoverFactory())).status_code == 200


def test_cover_page_of_a_patch_msgid_redirects_to_the_patch_page(client):
    patch = PatchFactory()
    response = client.get(cover_page_url(patch))
    assert response.status_code == 302
    assert response["Location"] == patch_page_url(patch)


# Project patch list.


def test_list_shows_patches_needing_action_newest_first(client):
    project = ProjectFactory()
    old = PatchFactory(project=project)
    new = PatchFactory(project=project)
    PatchFactory(project=project, archived=True)
    PatchFactory(project=project, state=State.objects.get(slug="accepted"))
    PatchFactory()  # another project
    response = client.get(list_url(project))
    assert response.status_code == 200
    assert listed_ids(response) == [new.id, old.id]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "*"}, ["new", "accepted"]),
        ({"state": "accepted"}, ["accepted"]),
        ({"archived": "both", "state": "*"}, ["new", "accepted", "archived"]),
        ({"archived": "true", "state": "*"}, ["archived"]),
    ],
)
def test_list_state_and_archived_filters(client, query, expected):
    project = ProjectFactory()
    archived = PatchFactory(project=project, archived=True)
    accepted = PatchFactory(project=project, state=State.objects.get(slug="accepted"))
    new = PatchFactory(project=project)
    by_name = {"new": new.id, "accepted": accepted.id, "archived": archived.id}
    assert listed_ids(client.get(list_url(project, **query))) == [by_name[n] for n in expected]


def test_series_web_url_lists_the_whole_series_in_order(client):
    """The series' web_url points at the list page filtered on it."""
    series = SeriesFactory(name="my series")
    second = PatchFactory(project=series.project, series=series, number=2, archived=True)
    first = PatchFactory(
        project=series.project,
        series=series,
        number=1,
        state=State.objects.get(slug="accepted"),
    )
    PatchFactory(project=series.project)
    response = client.get(links.series_web_url(None, series.project.linkname, series.id))
    assert response.status_code == 200
    assert listed_ids(response) == [first.id, second.id]
    html = response.content.decode()
    assert "my series" in html
    assert links.series_mbox_url(None, series.id) in html


@pytest.mark.parametrize("value", ["abc", "-1", "999999", "99999999999999999999999"])
def test_list_ignores_a_series_that_names_nothing(client, value):
    """As Patchwork: a filter value that names nothing is ignored (and the page says so)."""
    project = ProjectFactory()
    patch = PatchFactory(project=project)
    response = client.get(list_url(project, series=value))
    assert response.status_code == 200
    assert listed_ids(response) == [patch.id]
    assert "Ignored" in response.content.decode()


def test_list_is_paginated_by_the_users_page_size(client):
    """The page size is the user's ``items_per_page``; a malformed page number gives the
    first page and one past the end the last, as Patchwork."""
    user = UserFactory()
    user.profile.items_per_page = 2
    user.profile.save()
    client.force_login(user)
    series = SeriesFactory()
    patches = [
        PatchFactory(project=series.project, series=series, number=number)
        for number in range(1, 6)
    ]
    pages = [
        listed_ids(client.get(list_url(series.project, series=series.id, page=page)))
        for page in (1, 2, 3, "x", 99)
    ]
    ids = [patch.id for patch in patches]
    assert pages == [ids[0:2], ids[2:4], ids[4:5], ids[0:2], ids[4:5]]
    html = client.get(list_url(series.project, series=series.id, page=2)).content.decode()
    assert f"?series={series.id}&amp;page=3" in html


def test_list_of_an_unknown_project(client):
    assert client.get("/project/nosuch/list/").status_code == 404


# Bundle page.


def bundle_page_url(bundle) -> str:
    return links.bundle_web_url(None, bundle.owner.username, bundle.name)


def test_public_bundle_page(client):
    project = ProjectFactory()
    patches = [PatchFactory(project=project), PatchFactory(project=project)]
    bundle = BundleFactory(public=True, project=project, patches=[patches[1], patches[0]])
    response = client.get(bundle_page_url(bundle))
    assert response.status_code == 200
    assert listed_ids(response) == [patches[1].id, patches[0].id]
    assert links.bundle_mbox_url(None, bundle.owner.username, bundle.name) in (
        response.content.decode()
    )


def test_private_bundle_page_is_for_its_owner_only(client):
    bundle = BundleFactory(public=False, patches=[PatchFactory()])
    assert client.get(bundle_page_url(bundle)).status_code == 404
    client.force_login(UserFactory())
    assert client.get(bundle_page_url(bundle)).status_code == 404
    client.force_login(bundle.owner)
    assert client.get(bundle_page_url(bundle)).status_code == 200


def test_bundle_page_runs_constant_queries(client, django_assert_max_num_queries):
    project = ProjectFactory()
    bundle = BundleFactory(
        public=True, project=project, patches=PatchFactory.create_batch(6, project=project)
    )
    with django_assert_max_num_queries(6):
        response = client.get(bundle_page_url(bundle))
    assert len(listed_ids(response)) == 6


def test_check_links_are_only_web_urls(client):
    patch = PatchFactory()
    CheckFactory(patch=patch, target_url="javascript:alert(1)", description="sneaky")
    CheckFactory(patch=patch, target_url="https://ci.example.org/7", description="real")
    html = client.get(patch_page_url(patch)).content.decode()
    assert 'href="javascript:' not in html
    assert '<a href="https://ci.example.org/7" rel="nofollow noopener">real</a>' in html
    assert "sneaky" in html
