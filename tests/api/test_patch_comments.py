"""Comments of a patch: the list (API 1.1+), a single comment and its ``addressed`` flag
(API 1.3+), who may set it, ordering, query counts and the browsable API."""

import datetime

import pytest

from patches.models import PatchComment
from tests.api.conftest import (
    api_path,
    count_queries,
    get_valid,
    ids_of,
    schema_fields,
    versions_before,
    versions_from,
)
from tests.api.schema import validate_response
from tests.api.unrouted import assert_unrouted_404
from tests.factories import (
    BASE_DATE,
    PatchCommentFactory,
    PatchFactory,
    PersonFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# the page's keys (a first page holding every row gives the count too: no COUNT) and its
# columns (submitter, patch and project joined) by key; a row on the page shows the
# patch exists
LIST_QUERIES = 2


@pytest.fixture
def project(db):
    return ProjectFactory(
        linkname="netdev", list_archive_url_format="https://lore.example.org/r/{}"
    )


@pytest.fixture
def patch(project):
    return PatchFactory(project=project)


@pytest.fixture
def comment(patch):
    return PatchCommentFactory(
        patch=patch,
        msgid="<reply@example.org>",
        headers="Message-Id: <reply@example.org>\nSubject: Re: [PATCH] fix\n",
    )


def comments_path(patch, version=None) -> str:
    return api_path("api-patch-comment-list", version, patch_id=patch.pk)


def comment_path(comment, version=None) -> str:
    return api_path(
        "api-patch-comment-detail", version, patch_id=comment.patch_id, comment_id=comment.pk
    )


@pytest.mark.parametrize("version", versions_from("1.1"))
def test_list_fields_per_version(api_client, comment, version):
    [item] = get_valid(api_client, comments_path(comment.patch, version)).json()
    assert set(item) == schema_fields("Comment", version)
    assert item["subject"] == "Re: [PATCH] fix"
    assert item["content"] == comment.content
    assert item["headers"] == {"Message-Id": "<reply@example.org>", "Subject": "Re: [PATCH] fix"}
    assert item["submitter"]["id"] == comment.submitter_id


def test_list_values(api_client, comment):
    [item] = get_valid(api_client, comments_path(comment.patch)).json()
    # as Patchwork: /comment/<id>/, which redirects to the patch's page at the comment
    assert item["web_url"] == f"http://testserver/comment/{comment.pk}/"
    redirect = api_client.get(item["web_url"])
    assert redirect.status_code == 302
    assert redirect["Location"] == (
        f"/project/netdev/patch/{comment.patch.msgid[1:-1]}/#{comment.pk}"
    )
    assert item["list_archive_url"] == "https://lore.example.org/r/reply@example.org"
    assert item["url"] == (
        f"http://testserver/api/patches/{comment.patch_id}/comments/{comment.pk}/"
    )
    assert item["addressed"] is None


@pytest.mark.parametrize(
    ("field", "first_version"),
    [("web_url", "1.1"), ("list_archive_url", "1.2"), ("addressed", "1.3"), ("url", "1.3")],
)
def test_fields_added_in_later_versions(api_client, comment, field, first_version):
    for version in versions_from("1.1"):
        item = get_valid(api_client, comments_path(comment.patch, version)).json()[0]
        assert (field in item) is (version in versions_from(first_version))


def test_list_is_not_in_1_0(api_client, comment):
    """Patchwork added comment endpoints in API 1.1: 1.0 answers Django's HTML 404."""
    assert_unrouted_404(api_client.get(comments_path(comment.patch, "1.0")))


def test_list_empty(api_client, patch):
    assert get_valid(api_client, comments_path(patch)).json() == []


def test_list_of_unknown_patch_is_404(api_client):
    response = api_client.get(api_path("api-patch-comment-list", patch_id=999999))
    assert response.status_code == 404
    validate_response(response)


def test_list_has_only_the_patch_comments(api_client, comment):
    PatchCommentFactory()
    assert ids_of(get_valid(api_client, comments_path(comment.patch))) == [comment.pk]


@pytest.mark.parametrize(
    ("order", "expected"), [("id", [0, 1]), ("-id", [1, 0]), ("date", [1, 0])]
)
def test_ordering(api_client, patch, order, expected):
    comments = [
        PatchCommentFactory(patch=patch, date=BASE_DATE),
        PatchCommentFactory(patch=patch, date=BASE_DATE - datetime.timedelta(days=1)),
    ]
    response = get_valid(api_client, comments_path(patch), {"order": order})
    assert ids_of(response) == [comments[index].pk for index in expected]


@pytest.mark.parametrize("version", versions_from("1.3"))
def test_detail(api_client, comment, version):
    response = get_valid(api_client, comment_path(comment, version))
    assert response.json()["id"] == comment.pk
    assert set(response.json()) == schema_fields("Comment", version)


@pytest.mark.parametrize("version", versions_before("1.3"))
def test_detail_is_not_before_1_3(api_client, comment, version):
    response = api_client.get(comment_path(comment, version))
    assert response.status_code == 404


def test_detail_of_unknown_patch_is_404(api_client, comment):
    response = api_client.get(
        api_path("api-patch-comment-detail", patch_id=999999, comment_id=comment.pk)
    )
    assert response.status_code == 404
    validate_response(response)


def test_detail_under_another_patch_is_404(api_client, comment):
    other_patch = PatchFactory()
    response = api_client.get(
        api_path("api-patch-comment-detail", patch_id=other_patch.pk, comment_id=comment.pk)
    )
    assert response.status_code == 404


# --- addressed ------------------------------------------------------------------------


@pytest.mark.parametrize("version", versions_from("1.3"))
@pytest.mark.parametrize("who", ["maintainer", "patch submitter", "comment author", "superuser"])
def test_update_addressed(client_as, patch, version, who):
    """Maintainers, the patch's submitter, the comment's author and superusers."""
    account = UserFactory(is_superuser=who == "superuser")
    if who == "maintainer":
        patch.project.maintainers.add(account)
    if who == "patch submitter":
        patch.submitter.user = account
        patch.submitter.save()
    author = PersonFactory(user=account if who == "comment author" else None)
    comment = PatchCommentFactory(patch=patch, submitter=author)
    response = client_as(account).patch(comment_path(comment, version), {"addressed": True})
    assert response.status_code == 200, response.content
    validate_response(response)
    assert response.json()["addressed"] is True
    comment.refresh_from_db()
    assert comment.addressed is True


@pytest.mark.parametrize(("value", "expected"), [("false", False), ("True", True), (None, None)])
def test_update_addressed_values(client_as, maintainer, patch, value, expected):
    comment = PatchCommentFactory(patch=patch, addressed=not expected)
    response = client_as(maintainer).patch(
        comment_path(comment), {"addressed": value}, format="json"
    )
    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.addressed is expected


def test_update_bumps_the_patch(client_as, maintainer, comment):
    before = comment.patch.updated
    client_as(maintainer).patch(comment_path(comment), {"addressed": True})
    comment.patch.refresh_from_db()
    assert comment.patch.updated > before


def test_update_invalid_addressed(client_as, maintainer, comment):
    response = client_as(maintainer).patch(comment_path(comment), {"addressed": "not-valid"})
    assert response.status_code == 400
    validate_response(response)
    comment.refresh_from_db()
    assert comment.addressed is None


def test_update_other_fields_are_read_only(client_as, maintainer, comment):
    response = client_as(maintainer).patch(
        comment_path(comment), {"content": "rewritten", "msgid": "<x@y>"}, format="json"
    )
    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.content != "rewritten"


@pytest.mark.parametrize("who", ["anonymous", "user"])
def test_update_refused(client_as, comment, who):
    client = client_as(None if who == "anonymous" else UserFactory())
    response = client.patch(comment_path(comment), {"addressed": True})
    assert response.status_code == 403
    validate_response(response)
    comment.refresh_from_db()
    assert comment.addressed is None


def test_update_before_1_3_is_404(client_as, maintainer, comment):
    response = client_as(maintainer).patch(comment_path(comment, "1.2"), {"addressed": True})
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["post", "delete"])
def test_create_and_delete_not_allowed(client_as, superuser, comment, method):
    response = getattr(client_as(superuser), method)(comment_path(comment))
    assert response.status_code == 405
    assert PatchComment.objects.count() == 1


# --- query counts and the browsable API -----------------------------------------------


def test_list_query_count_is_constant(api_client, patch):
    PatchCommentFactory(patch=patch)
    path = comments_path(patch) + "?per_page=100"
    assert count_queries(api_client, path) == LIST_QUERIES
    PatchCommentFactory.create_batch(99, patch=patch)
    assert count_queries(api_client, path) == LIST_QUERIES


@pytest.mark.parametrize("version", versions_from("1.1"))
def test_browsable_api(client_as, maintainer, comment, version):
    client = client_as(maintainer)
    response = client.get(comments_path(comment.patch, version), {"format": "api"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    if version in versions_from("1.3"):
        response = client.get(comment_path(comment, version), {"format": "api"})
        assert response.status_code == 200
        assert b'name="addressed"' in response.content
