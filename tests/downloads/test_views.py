"""Tests of the download views: mbox and diff files, redirects, private bundles, 404s."""

import base64

import pytest
from django.urls import reverse

from downloads import links, queries
from downloads.mbox import patch_to_mbox, patches_to_mbox
from tests.factories import (
    BundleFactory,
    CoverFactory,
    PatchCommentFactory,
    PatchFactory,
    ProjectFactory,
    SeriesFactory,
    TokenFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def mbox_url(patch) -> str:
    return links.patch_mbox_url(None, patch.project.linkname, patch.msgid)


def raw_url(patch) -> str:
    return reverse(
        "patch-raw",
        kwargs={"linkname": patch.project.linkname, "msgid": links.strip_brackets(patch.msgid)},
    )


def patchwork_ids(response) -> list[int]:
    """The X-Patchwork-Id of each message of an mbox response, in order."""
    return [
        int(line.split(": ", 1)[1])
        for line in response.content.decode().splitlines()
        if line.startswith("X-Patchwork-Id: ")
    ]


def assert_html_404(response) -> None:
    """Django's HTML 404 page, as Patchwork answers a download it cannot find."""
    assert response.status_code == 404
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>Not Found</h1>" in response.content.decode()


def make_series(count: int, *, comments_per_patch: int = 0, **series_kwargs):
    series = SeriesFactory(total=count, received_total=count, **series_kwargs)
    patches = []
    for number in range(1, count + 1):
        patch = PatchFactory(
            project=series.project,
            series=series,
            number=number,
            name=f"[PATCH {number}/{count}] part {number}",
        )
        PatchCommentFactory.create_batch(comments_per_patch, patch=patch)
        patches.append(patch)
    return series, patches


# Patch mbox.


def test_patch_mbox(client):
    patch = PatchFactory(name="[PATCH v2 3/7] net: fix the thing")
    response = client.get(mbox_url(patch))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == (
        "attachment; filename=PATCH-v2-3-7-net-fix-the-thing.patch"
    )
    text = response.content.decode()
    assert text.startswith("From patchwork ")
    assert f"X-Patchwork-Id: {patch.id}\n" in text
    assert "Reviewed-by" not in text


def test_patch_mbox_appends_reply_trailers(client):
    patch = PatchFactory()
    PatchCommentFactory(patch=patch, content="LGTM\n\nReviewed-by: R <r@example.org>\n")
    text = client.get(mbox_url(patch)).content.decode()
    assert "Signed-off-by: Someone <someone@example.org>\nReviewed-by: R <r@example.org>\n" in text


def test_head_request(client):
    assert client.head(mbox_url(PatchFactory())).status_code == 200


def test_non_ascii_patch_downloads(client):
    """Patchwork has answered 500 here: non-ASCII names, subjects and bodies."""
    patch = PatchFactory(
        name="[PATCH] café: «fix»",
        headers="From: Zoë Ångström <zoe@example.org>\nSubject: [PATCH] café: «fix»\n",
        content="Réparer.\n\nSigned-off-by: Zoë Ångström <zoe@example.org>\n",
    )
    response = client.get(mbox_url(patch))
    assert response.status_code == 200
    assert response["Content-Disposition"] == "attachment; filename=PATCH-caf-fix.patch"
    assert "Réparer." in response.content.decode("utf-8")


@pytest.mark.parametrize(
    "url_msgid",
    ["a/b@example.org", "a%2Fb@example.org", "a%252Fb@example.org"],
    ids=["slash", "encoded-slash", "double-encoded-slash"],
)
def test_patch_mbox_with_a_slash_in_the_msgid(client, url_msgid):
    patch = PatchFactory(msgid="<a/b@example.org>")
    response = client.get(f"/project/{patch.project.linkname}/patch/{url_msgid}/mbox/")
    assert response.status_code == 200
    assert patchwork_ids(response) == [patch.id]


@pytest.mark.parametrize(
    "path",
    [
        "/project/nosuchproject/patch/{msgid}/mbox/",
        "/project/{linkname}/patch/nosuch@example.org/mbox/",
        "/project/{linkname}/patch/nosuch@example.org/raw/",
        "/project/{linkname}/cover/nosuch@example.org/mbox/",
        "/project/{linkname}/patch/{msgid}x/mbox/",
        "/series/999999/mbox/",
        "/patch/999999/mbox/",
        "/patch/999999/raw/",
        "/patch/999999/",
        "/cover/999999/mbox/",
        "/cover/999999/",
        "/bundle/nobody/nothing/mbox/",
    ],
)
def test_unknown_objects_give_the_html_404_page(client, path):
    patch = PatchFactory()
    url = path.format(linkname=patch.project.linkname, msgid=links.strip_brackets(patch.msgid))
    assert_html_404(client.get(url))


def test_a_patch_of_another_project_is_not_found(client):
    patch = PatchFactory()
    other = ProjectFactory()
    url = f"/project/{other.linkname}/patch/{links.strip_brackets(patch.msgid)}/mbox/"
    assert_html_404(client.get(url))


def test_downloads_refuse_post(client):
    assert client.post(mbox_url(PatchFactory())).status_code == 405


# ?series= on the patch mbox.


@pytest.mark.parametrize("selection", ["*", "SERIES_ID"])
def test_patch_mbox_with_series_prepends_earlier_patches(client, selection):
    series, patches = make_series(3)
    value = str(series.id) if selection == "SERIES_ID" else selection
    response = client.get(mbox_url(patches[1]), {"series": value})
    assert response.status_code == 200
    assert response["Content-Disposition"] == "attachment; filename=PATCH-2-3-part-2.patch"
    assert patchwork_ids(response) == [patches[0].id, patches[1].id]


def test_patch_mbox_with_empty_series_parameter_is_the_patch_alone(client):
    _, patches = make_series(2)
    assert patchwork_ids(client.get(mbox_url(patches[1]), {"series": ""})) == [patches[1].id]


@pytest.mark.parametrize("value", ["abc", "1.5", "OTHER"])
def test_patch_mbox_with_a_wrong_series_is_the_html_404_page(client, value):
    series, patches = make_series(2)
    other = SeriesFactory(project=series.project)
    value = str(other.id) if value == "OTHER" else value
    assert_html_404(client.get(mbox_url(patches[1]), {"series": value}))


@pytest.mark.parametrize("value", ["*", "1"])
def test_patch_mbox_with_series_for_a_patch_without_series(client, value):
    """Patchwork answers 404 for ``*`` and fails with a 500 for an id: ours is a 404."""
    patch = PatchFactory(series=None)
    assert_html_404(client.get(mbox_url(patch), {"series": value}))


def test_patch_mbox_with_series_leaves_out_the_series_it_depends_on(client):
    """As Patchwork 644cef7c: ``?series=`` adds the series' earlier patches only."""
    project = ProjectFactory(show_dependencies=True)
    base, _ = make_series(2, project=project)
    series, patches = make_series(2, project=project)
    series.dependencies.add(base)
    response = client.get(mbox_url(patches[1]), {"series": "*"})
    assert patchwork_ids(response) == [patch.id for patch in patches]


def test_patch_mbox_with_series_runs_constant_queries(client, django_assert_max_num_queries):
    _, patches = make_series(10, comments_per_patch=2)
    with django_assert_max_num_queries(7):
        response = client.get(mbox_url(patches[-1]), {"series": "*"})
    assert len(patchwork_ids(response)) == 10


# Raw diff and cover mbox.


def test_patch_raw(client):
    patch = PatchFactory(name="[PATCH] fix: things")
    response = client.get(raw_url(patch))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/x-patch"
    assert response["Content-Disposition"] == "attachment; filename=PATCH-fix-things.diff"
    assert response.content.decode() == patch.diff


def test_patch_raw_of_a_pull_request_is_empty(client):
    """Patchwork writes the text "None" here; ours is an empty file (README)."""
    patch = PatchFactory(diff=None, pull_url="git://example.org/repo.git main")
    response = client.get(raw_url(patch))
    assert response.status_code == 200
    assert response.content == b""


def test_mbox_url_with_raw_in_place_of_mbox_gives_the_diff(client):
    """git-pw derives the raw diff URL by replacing 'mbox' with 'raw' in the mbox URL."""
    patch = PatchFactory()
    response = client.get(mbox_url(patch).replace("mbox", "raw"))
    assert response.content.decode() == patch.diff


def test_cover_mbox(client):
    cover = CoverFactory(name="[PATCH 0/2] the series")
    response = client.get(links.cover_mbox_url(None, cover.project.linkname, cover.msgid))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"] == "attachment; filename=PATCH-0-2-the-series.mbox"
    assert patchwork_ids(response) == [cover.id]
    assert "This series does things." in response.content.decode()


# Series mbox.


def test_series_mbox_has_the_patches_in_order_without_cover(client):
    cover = CoverFactory()
    series, patches = make_series(3, name="My series v2", cover_letter=cover)
    # Stored out of order: the mbox follows the numbers, not the ids.
    patches[0].number, patches[2].number = 3, 1
    patches[0].save()
    patches[2].save()
    response = client.get(links.series_mbox_url(None, series.id))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"] == "attachment; filename=My-series-v2.patch"
    assert patchwork_ids(response) == [patches[2].id, patches[1].id, patches[0].id]
    assert cover.content not in response.content.decode()


def test_series_mbox_of_an_untitled_series(client):
    series, _ = make_series(1, name=None)
    response = client.get(links.series_mbox_url(None, series.id))
    assert response["Content-Disposition"] == (
        f"attachment; filename=Untitled-series-{series.id}.patch"
    )


def test_series_mbox_runs_constant_queries(client, django_assert_max_num_queries):
    """The 10-patch series with 2 replies each loads in 3 queries: series, patches, comments."""
    series, patches = make_series(10, comments_per_patch=2)
    with django_assert_max_num_queries(3):
        response = client.get(links.series_mbox_url(None, series.id))
    assert patchwork_ids(response) == [patch.id for patch in patches]
    # Each reply's trailer is added, repeats included, as Patchwork does.
    assert response.content.decode().count("Reviewed-by: Reviewer <reviewer@example.org>") == 20


# Bundle mbox.


def bundle_mbox_url(bundle) -> str:
    return links.bundle_mbox_url(None, bundle.owner.username, bundle.name)


def basic_auth(username: str, password: str = "password") -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def test_public_bundle_mbox(client):
    patches = [PatchFactory(), PatchFactory(), PatchFactory()]
    bundle = BundleFactory(public=True, name="fixes", patches=[patches[2], patches[0]])
    response = client.get(bundle_mbox_url(bundle))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"] == f"attachment; filename=bundle-{bundle.id}-fixes.mbox"
    assert patchwork_ids(response) == [patches[2].id, patches[0].id]


def test_bundle_file_name_holds_the_name_as_it_is(client):
    """Patchwork does not sanitise a bundle's name in its file name."""
    bundle = BundleFactory(public=True, name="my fixes; v2", patches=[PatchFactory()])
    response = client.get(bundle_mbox_url(bundle))
    assert response["Content-Disposition"] == (
        f"attachment; filename=bundle-{bundle.id}-my fixes; v2.mbox"
    )


@pytest.mark.parametrize(
    "credentials",
    ["anonymous", "other-user-token", "bad-token", "wrong-password"],
)
def test_private_bundle_mbox_is_hidden_from_others(client, credentials):
    bundle = BundleFactory(public=False, patches=[PatchFactory()])
    headers = {
        "anonymous": {},
        "other-user-token": {"HTTP_AUTHORIZATION": f"Token {TokenFactory().key}"},
        "bad-token": {"HTTP_AUTHORIZATION": "Token 0123456789abcdef"},
        "wrong-password": {"HTTP_AUTHORIZATION": basic_auth(bundle.owner.username, "nope")},
    }[credentials]
    response = client.get(bundle_mbox_url(bundle), **headers)
    assert response.status_code == 404
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response.content == b""


@pytest.mark.parametrize("credentials", ["token", "basic", "session"])
def test_private_bundle_mbox_for_its_owner(client, credentials):
    owner = UserFactory()
    patch = PatchFactory()
    bundle = BundleFactory(public=False, owner=owner, patches=[patch])
    headers = {}
    if credentials == "token":
        headers["HTTP_AUTHORIZATION"] = f"Token {TokenFactory(user=owner).key}"
    elif credentials == "basic":
        headers["HTTP_AUTHORIZATION"] = basic_auth(owner.username)
    else:
        client.force_login(owner)
    response = client.get(bundle_mbox_url(bundle), **headers)
    assert response.status_code == 200
    assert patchwork_ids(response) == [patch.id]


def test_bundle_mbox_runs_constant_queries(client, django_assert_max_num_queries):
    patches = []
    for _ in range(5):
        patch = PatchFactory()
        PatchCommentFactory.create_batch(2, patch=patch)
        patches.append(patch)
    bundle = BundleFactory(public=True, patches=patches)
    with django_assert_max_num_queries(3):
        response = client.get(bundle_mbox_url(bundle))
    assert patchwork_ids(response) == [patch.id for patch in patches]


# Redirects by id.


@pytest.mark.parametrize(
    ("url_name", "target_name"),
    [
        ("patch-id-detail", "patch-detail"),
        ("patch-id-mbox", "patch-mbox"),
        ("patch-id-raw", "patch-raw"),
    ],
)
def test_patch_id_redirects_to_the_msgid_form(client, url_name, target_name):
    patch = PatchFactory(msgid="<id/with-slash@example.org>")
    response = client.get(reverse(url_name, kwargs={"patch_id": patch.id}))
    assert response.status_code == 302
    assert response["Location"] == reverse(
        target_name,
        kwargs={"linkname": patch.project.linkname, "msgid": "id/with-slash@example.org"},
    )
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("url_name", "target_name"),
    [("cover-id-detail", "cover-detail"), ("cover-id-mbox", "cover-mbox")],
)
def test_cover_id_redirects_to_the_msgid_form(client, url_name, target_name):
    cover = CoverFactory()
    response = client.get(reverse(url_name, kwargs={"cover_id": cover.id}))
    assert response.status_code == 302
    assert response["Location"] == reverse(
        target_name,
        kwargs={"linkname": cover.project.linkname, "msgid": links.strip_brackets(cover.msgid)},
    )
    assert client.get(response["Location"]).status_code == 200


def test_id_redirect_keeps_the_query_string(client):
    patch = PatchFactory()
    response = client.get(reverse("patch-id-mbox", kwargs={"patch_id": patch.id}), {"series": "*"})
    assert response["Location"] == mbox_url(patch) + "?series=%2A"


@pytest.mark.parametrize(
    "path",
    [
        "/patch/99999999999999999999999/mbox/",
        "/cover/99999999999999999999999/",
        "/series/99999999999999999999999/mbox/",
    ],
)
def test_ids_out_of_the_database_range_are_not_found(client, path):
    assert_html_404(client.get(path))


def test_series_value_out_of_the_database_range(client):
    _, patches = make_series(2)
    response = client.get(mbox_url(patches[1]), {"series": "99999999999999999999999"})
    assert_html_404(response)


@pytest.mark.parametrize("msgid", ["2>", ">", "bare@example.org", "<a<b>"])
def test_patches_with_broken_msgids_are_reachable(client, msgid):
    """A broken Message-Id header is stored as it was; its links must still work."""
    patch = PatchFactory(msgid=msgid)
    for url in (mbox_url(patch), links.patch_web_url(None, patch.project.linkname, msgid)):
        response = client.get(url)
        assert response.status_code == 200, url
    assert patchwork_ids(client.get(mbox_url(patch))) == [patch.id]


def test_bracketed_msgid_wins_over_a_bare_one(client):
    bracketed = PatchFactory(msgid="<same@example.org>")
    PatchFactory(project=bracketed.project, msgid="same@example.org")
    assert patchwork_ids(client.get(mbox_url(bracketed))) == [bracketed.id]


# The plain patch and series mbox read by SQL compiled once (downloads/compiled.py).


def busy_patch(**kwargs):
    """A patch with a delegate, a non-ASCII submitter and replies (one with a trailer)."""
    delegate = UserFactory(email="maintainer@example.org")
    patch = PatchFactory(delegate=delegate, submitter__name="Zoë Łukasz", **kwargs)
    PatchCommentFactory.create_batch(2, patch=patch)
    PatchCommentFactory(patch=patch, content="Looks fine.\n\nAcked-by: Ann <ann@example.org>")
    return patch


def test_patch_mbox_is_what_the_orm_path_renders(client, django_assert_num_queries):
    """The same bytes as ``patch_to_mbox`` of the ORM's patch, in two queries (the patch
    with its project, submitter and delegate; its replies)."""
    patch = busy_patch()
    expected = patch_to_mbox(
        queries.find_patch(
            patch.project.linkname, links.strip_brackets(patch.msgid), queries.mbox_patches()
        )
    )

    with django_assert_num_queries(2):
        response = client.get(mbox_url(patch))

    assert response.status_code == 200
    assert response.content.decode() == expected
    assert "X-Patchwork-Delegate: maintainer@example.org" in expected
    assert "Acked-by: Ann <ann@example.org>" in expected


def test_series_mbox_is_what_the_orm_path_renders(client):
    series = SeriesFactory()
    patches = [busy_patch(project=series.project, series=series, number=n) for n in (2, 1)]
    expected = patches_to_mbox(queries.series_patches(series))

    response = client.get(links.series_mbox_url(None, series.id))

    assert response.content.decode() == expected
    assert patchwork_ids(response) == [patches[1].id, patches[0].id]


def test_patch_mbox_of_another_project_or_unknown_msgid_is_a_404(client):
    patch = PatchFactory()
    other = ProjectFactory()

    assert_html_404(client.get(links.patch_mbox_url(None, other.linkname, patch.msgid)))
    assert_html_404(client.get(links.patch_mbox_url(None, patch.project.linkname, "<no@x>")))
