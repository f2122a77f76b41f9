"""The project list and page, ``.pwclientrc``, the series page and the comment redirect."""

import pytest

from tests.factories import (
    CoverCommentFactory,
    CoverFactory,
    PatchCommentFactory,
    PatchFactory,
    ProjectFactory,
    SeriesFactory,
)
from tests.web.conftest import cover_url, patch_url

pytestmark = pytest.mark.django_db


def test_root_with_one_project_goes_to_its_list(client, project):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == f"/project/{project.linkname}/list/"


def test_root_lists_the_projects(client, project):
    other = ProjectFactory(name="Other project")
    html = client.get("/").content.decode()
    assert project.name in html
    assert other.name in html
    assert f"/project/{other.linkname}/list/" in html


def test_root_without_projects(client, db):
    assert "no projects yet" in client.get("/").content.decode()


def test_project_page(client, project, people):
    PatchFactory(project=project)
    PatchFactory(project=project, archived=True)
    html = client.get(f"/project/{project.linkname}/").content.decode()
    assert "1</a> (+ 1 archived)" in html
    assert people.maintainer.email in html
    assert "git config pw.server http://testserver/api/1.3" in html
    assert f"git config pw.project {project.linkname}" in html
    assert "url = http://testserver/api/" in html


def test_pwclientrc(client, project):
    response = client.get(f"/project/{project.linkname}/pwclientrc/")
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"] == "attachment; filename=.pwclientrc"
    text = response.content.decode()
    assert f"[{project.linkname}]\nbackend = rest\nurl = http://testserver/api/\n" in text


def test_unknown_project_page(client, db):
    response = client.get("/project/nosuch/")
    assert response.status_code == 404
    assert b"<h1>Not found</h1>" in response.content


def test_series_page(client, project):
    cover = CoverFactory(project=project)
    base = SeriesFactory(project=project, name="base")
    series = SeriesFactory(project=project, cover_letter=cover, name="the series", total=2)
    series.dependencies.add(base)
    v2 = SeriesFactory(project=project, name="the series", version=2, submitter=series.submitter)
    second = PatchFactory(project=project, series=series, number=2, archived=True)
    first = PatchFactory(project=project, series=series, number=1)
    response = client.get(f"/series/{series.id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(first.name) < html.index(second.name)
    for expected in [
        f"git pw series apply {series.id}",
        f"b4 am {cover.msgid.strip('<>')}",
        f'href="/series/{v2.id}/">v2</a>',
        f'href="/series/{base.id}/">base</a>',
        cover.name,
        "incomplete",
    ]:
        assert expected in html, expected
    assert client.get("/series/999999/").status_code == 404


def test_series_page_runs_constant_queries(client, project, django_assert_num_queries):
    series = SeriesFactory(project=project)
    PatchFactory.create_batch(6, project=project, series=series)
    with django_assert_num_queries(5):
        assert client.get(f"/series/{series.id}/").status_code == 200


def test_comment_redirect(client, project):
    """Patch comments first, then cover comments (the tables number apart, as in
    Patchwork)."""
    patch_comment = PatchCommentFactory(patch=PatchFactory(project=project))
    cover_comment = CoverCommentFactory(
        id=patch_comment.id + 1000, cover=CoverFactory(project=project)
    )
    response = client.get(f"/comment/{patch_comment.id}/")
    assert response["Location"] == f"{patch_url(patch_comment.patch)}#{patch_comment.id}"
    response = client.get(f"/comment/{cover_comment.id}/")
    assert response["Location"] == f"{cover_url(cover_comment.cover)}#{cover_comment.id}"
    assert client.get("/comment/999999/").status_code == 404


def test_download_urls_still_reach_the_downloads(client, project):
    """The page pattern takes Message-IDs with slashes; the download routes come first."""
    patch = PatchFactory(project=project, msgid="<a/b@example.org>")
    response = client.get(f"/project/{project.linkname}/patch/a/b@example.org/mbox/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    page = client.get(f"/project/{project.linkname}/patch/a/b@example.org/")
    assert page.status_code == 200
    assert page.context["patch"] == patch


def test_pages_answer_only_get_head_and_post(client, project):
    assert client.put(f"/project/{project.linkname}/list/").status_code == 405
