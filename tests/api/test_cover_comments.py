"""Cover letter comments: the list (API 1.1+), the single comment (1.3+) and marking it
addressed, with the permissions Patchwork applies."""

import datetime

import pytest
from django.urls import reverse

from covers.models import CoverComment
from events.models import Event
from series.models import Series
from tests.api.schema import validate_response
from tests.api.unrouted import assert_unrouted_404
from tests.factories import (
    BASE_DATE,
    CoverCommentFactory,
    CoverFactory,
    PersonFactory,
    ProjectFactory,
    SeriesFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

COMMENT_LIST_VERSIONS = ["1.1", "1.2", "1.3", "1.4", None]
COMMENT_DETAIL_VERSIONS = ["1.3", "1.4", None]


def list_url(cover, version: str | None = None) -> str:
    kwargs = {"cover_id": cover.pk}
    if version:
        kwargs["version"] = version
    return reverse("api-cover-comment-list", kwargs=kwargs)


def detail_url(comment, version: str | None = None) -> str:
    kwargs = {"cover_id": comment.cover_id, "comment_id": comment.pk}
    if version:
        kwargs["version"] = version
    return reverse("api-cover-comment-detail", kwargs=kwargs)


@pytest.fixture
def project():
    return ProjectFactory(list_archive_url_format="https://lore/r/{}")


@pytest.fixture
def cover(project):
    return CoverFactory(project=project, msgid="<cover@example.org>")


@pytest.fixture
def comment(cover):
    return CoverCommentFactory(
        cover=cover,
        msgid="<reply@example.org>",
        headers="Message-Id: <reply@example.org>\nSubject: Re: [PATCH 0/2] cover\n",
        content="Nice.\n",
    )


@pytest.mark.parametrize(
    ("version", "present", "absent"),
    [
        ("1.1", {"web_url"}, {"list_archive_url", "url", "addressed"}),
        ("1.2", {"web_url", "list_archive_url"}, {"url", "addressed"}),
        ("1.3", {"web_url", "list_archive_url", "url", "addressed"}, set()),
        ("1.4", {"web_url", "list_archive_url", "url", "addressed"}, set()),
        (None, {"web_url", "list_archive_url", "url", "addressed"}, set()),
    ],
)
def test_list_fields_per_version(api_client, comment, version, present, absent):
    response = api_client.get(list_url(comment.cover, version))
    assert response.status_code == 200
    validate_response(response)
    (shown,) = response.json()
    assert shown["id"] == comment.pk
    assert shown["msgid"] == "<reply@example.org>"
    assert shown["subject"] == "Re: [PATCH 0/2] cover"
    assert shown["content"] == "Nice.\n"
    assert shown["headers"]["Message-Id"] == "<reply@example.org>"
    assert shown["submitter"]["id"] == comment.submitter_id
    assert present <= shown.keys()
    assert not absent & shown.keys()


def test_list_links(api_client, comment):
    (shown,) = api_client.get(list_url(comment.cover)).json()
    linkname = comment.cover.project.linkname
    assert shown["url"] == (
        f"http://testserver/api/covers/{comment.cover_id}/comments/{comment.pk}/"
    )
    # as Patchwork: /comment/<id>/, which redirects to the cover's page at the comment
    assert shown["web_url"] == f"http://testserver/comment/{comment.pk}/"
    redirect = api_client.get(shown["web_url"])
    assert redirect.status_code == 302
    assert redirect["Location"] == f"/project/{linkname}/cover/cover@example.org/#{comment.pk}"
    assert shown["list_archive_url"] == "https://lore/r/reply@example.org"
    assert shown["addressed"] is None


def test_list_is_absent_from_1_0(api_client, comment):
    """API 1.0 had no comment endpoints: Django's HTML 404, as Patchwork (no route)."""
    assert_unrouted_404(api_client.get(list_url(comment.cover, "1.0")))


@pytest.mark.parametrize("version", COMMENT_LIST_VERSIONS)
def test_list_empty(api_client, cover, version):
    response = api_client.get(list_url(cover, version))
    assert response.status_code == 200
    validate_response(response)
    assert response.json() == []


def test_list_only_this_covers_comments(api_client, cover):
    mine = CoverCommentFactory(cover=cover)
    CoverCommentFactory()
    assert [shown["id"] for shown in api_client.get(list_url(cover)).json()] == [mine.pk]


def test_list_unknown_cover(api_client):
    response = api_client.get("/api/covers/999999/comments/")
    assert response.status_code == 404
    validate_response(response)


def test_list_ordering_and_pagination(api_client, cover):
    comments = [
        CoverCommentFactory(cover=cover, date=BASE_DATE + datetime.timedelta(days=days))
        for days in (3, 1, 2)
    ]
    ids = [shown["id"] for shown in api_client.get(list_url(cover), {"order": "date"}).json()]
    assert ids == [comments[1].pk, comments[2].pk, comments[0].pk]
    response = api_client.get(list_url(cover), {"per_page": 2})
    assert [shown["id"] for shown in response.json()] == [comments[0].pk, comments[1].pk]
    assert response["X-Total-Count"] == "3"
    assert 'rel="next"' in response["Link"]


@pytest.mark.parametrize("count", [3, 100])
def test_list_query_count_is_constant(api_client, django_assert_num_queries, cover, count):
    """The page's keys (every row on one page: they are the count too) and its columns
    by key (a row on the page shows the cover exists)."""
    CoverCommentFactory.create_batch(count, cover=cover)
    with django_assert_num_queries(2):
        response = api_client.get(list_url(cover), {"per_page": 250})
    assert len(response.json()) == count


@pytest.mark.parametrize("version", COMMENT_DETAIL_VERSIONS)
def test_detail(api_client, comment, version):
    response = api_client.get(detail_url(comment, version))
    assert response.status_code == 200
    validate_response(response)
    assert response.json()["id"] == comment.pk
    assert response.json()["addressed"] is None


def test_detail_without_slash(api_client, comment):
    response = api_client.get(detail_url(comment).rstrip("/"))
    assert response.status_code == 200


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_detail_is_absent_before_1_3(api_client, comment, version):
    """Comment details came in 1.3: before, Django's HTML 404, as Patchwork (no route)."""
    assert_unrouted_404(api_client.get(detail_url(comment, version)))


def test_detail_of_another_covers_comment(api_client, comment):
    other_cover = CoverFactory()
    response = api_client.get(f"/api/covers/{other_cover.pk}/comments/{comment.pk}/")
    assert response.status_code == 404
    validate_response(response)


def test_detail_unknown(api_client, cover):
    response = api_client.get(f"/api/covers/{cover.pk}/comments/999999/")
    assert response.status_code == 404
    validate_response(response)


def maintainer_of(project):
    user = UserFactory()
    project.maintainers.add(user)
    return user


@pytest.mark.parametrize(
    "who", ["maintainer", "cover submitter", "comment submitter", "superuser"]
)
def test_update_addressed_allowed(api_client, comment, who):
    if who == "maintainer":
        user = maintainer_of(comment.cover.project)
    elif who == "superuser":
        user = UserFactory(is_superuser=True)
    else:
        user = UserFactory()
        person = comment.cover.submitter if who == "cover submitter" else comment.submitter
        person.user = user
        person.save()
    api_client.force_authenticate(user=user)
    response = api_client.patch(detail_url(comment), {"addressed": True}, format="json")
    assert response.status_code == 200, response.content
    validate_response(response)
    assert response.json()["addressed"] is True
    comment.refresh_from_db()
    assert comment.addressed is True


@pytest.mark.parametrize(
    ("sent", "stored"), [("true", True), ("True", True), ("false", False), ("False", False)]
)
def test_update_addressed_form_encoded(api_client, comment, sent, stored):
    api_client.force_authenticate(user=maintainer_of(comment.cover.project))
    response = api_client.patch(
        detail_url(comment), f"addressed={sent}", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.addressed is stored


def test_update_addressed_back_to_null(api_client, comment):
    comment.addressed = True
    comment.save()
    api_client.force_authenticate(user=maintainer_of(comment.cover.project))
    response = api_client.patch(detail_url(comment), {"addressed": None}, format="json")
    assert response.status_code == 200
    assert response.json()["addressed"] is None


def test_update_without_slash(api_client, comment):
    api_client.force_authenticate(user=maintainer_of(comment.cover.project))
    response = api_client.patch(
        detail_url(comment).rstrip("/"), {"addressed": True}, format="json"
    )
    assert response.status_code == 200


def test_update_marks_the_series_updated_and_records_no_event(api_client, comment):
    """Patchwork records no event for ``addressed``; the series counts as updated for
    the ``updated_since`` filter."""
    series = SeriesFactory(project=comment.cover.project, cover_letter=comment.cover)
    Series.objects.filter(pk=series.pk).update(updated=BASE_DATE)
    api_client.force_authenticate(user=maintainer_of(comment.cover.project))
    api_client.patch(detail_url(comment), {"addressed": True}, format="json")
    series.refresh_from_db()
    assert series.updated > BASE_DATE
    assert not Event.objects.exists()


def test_update_anonymous_is_forbidden(api_client, comment):
    response = api_client.patch(detail_url(comment), {"addressed": True}, format="json")
    assert response.status_code == 403
    validate_response(response)
    comment.refresh_from_db()
    assert comment.addressed is None


def test_update_by_someone_else_is_forbidden(api_client, comment):
    outsider = UserFactory()
    PersonFactory(user=outsider)
    api_client.force_authenticate(user=outsider)
    response = api_client.patch(detail_url(comment), {"addressed": True}, format="json")
    assert response.status_code == 403
    validate_response(response)


@pytest.mark.parametrize("value", ["not-valid", 3, [True]])
def test_update_invalid_value(api_client, comment, value):
    api_client.force_authenticate(user=maintainer_of(comment.cover.project))
    response = api_client.patch(detail_url(comment), {"addressed": value}, format="json")
    assert response.status_code == 400
    validate_response(response)
    assert "addressed" in response.json()
    assert CoverComment.objects.get(pk=comment.pk).addressed is None


def test_update_malformed_json(api_client, comment):
    api_client.force_authenticate(user=maintainer_of(comment.cover.project))
    response = api_client.patch(detail_url(comment), "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_update_before_1_3_is_not_found(api_client, comment):
    api_client.force_authenticate(user=maintainer_of(comment.cover.project))
    response = api_client.patch(detail_url(comment, "1.2"), {"addressed": True}, format="json")
    assert response.status_code == 404


def test_read_only_fields_are_ignored(api_client, comment):
    api_client.force_authenticate(user=maintainer_of(comment.cover.project))
    response = api_client.patch(
        detail_url(comment), {"content": "changed", "msgid": "<x@y>"}, format="json"
    )
    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.content == "Nice.\n"


@pytest.mark.parametrize("method", ["post", "delete"])
def test_create_and_delete_not_allowed(api_client, comment, method):
    api_client.force_authenticate(user=UserFactory(is_superuser=True))
    response = getattr(api_client, method)(detail_url(comment))
    assert response.status_code == 405
    assert CoverComment.objects.filter(pk=comment.pk).exists()


@pytest.mark.parametrize("version", COMMENT_DETAIL_VERSIONS)
def test_browsable_api(api_client, comment, version):
    api_client.force_authenticate(user=maintainer_of(comment.cover.project))
    for url in (list_url(comment.cover, version), detail_url(comment, version)):
        response = api_client.get(url, {"format": "api"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
