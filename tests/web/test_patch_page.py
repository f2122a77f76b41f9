"""The patch and cover pages' forms (edit, bundles, addressed comments) for each kind of
user, and mail that tries to inject markup."""

import pytest
from django.test import Client

from bundles.models import Bundle
from events.models import Event
from patches.models import State
from tests.factories import (
    BundleFactory,
    CoverCommentFactory,
    CoverFactory,
    PatchCommentFactory,
    PatchFactory,
    PersonFactory,
    SeriesFactory,
)
from tests.web.conftest import cover_url, flash_messages, patch_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def patch(project, people):
    return PatchFactory(
        project=project, submitter=people.submitter_person, delegate=people.other_maintainer
    )


def edit(client, patch, **fields):
    data = {
        "action": "update",
        "state": str(patch.state_id),
        "delegate": str(patch.delegate_id or ""),
        "commit_ref": patch.commit_ref or "",
    }
    if patch.archived:
        data["archived"] = "on"
    data.update(fields)
    return client.post(patch_url(patch), data, follow=True)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (None, False),
        ("outsider", False),
        ("submitter", True),
        ("other_maintainer", True),  # the delegate
        ("maintainer", True),
        ("staff", True),  # holds patches.change_patch
        ("superuser", True),
    ],
)
def test_edit_form_is_for_those_the_service_allows(client_as, patch, role, allowed):
    client = client_as(role)
    page = client.get(patch_url(patch)).content.decode()
    assert ('id="patch-form"' in page) is allowed
    accepted = State.objects.get(slug="accepted")
    response = edit(client, patch, state=str(accepted.pk), commit_ref="abc123", archived="on")
    patch.refresh_from_db()
    if allowed:
        assert response.status_code == 200
        assert "Patch updated." in flash_messages(response)
        assert (patch.state, patch.commit_ref, patch.archived) == (accepted, "abc123", True)
        assert Event.objects.filter(patch=patch, category="patch-state-changed").count() == 1
    else:
        assert response.status_code == 403
        assert patch.state.slug == "new"
        assert not Event.objects.filter(patch=patch).exists()


def test_edit_records_delegation_events_with_the_actor(client_as, patch, people):
    response = edit(client_as("maintainer"), patch, delegate=str(people.maintainer.pk))
    assert response.status_code == 200
    event = Event.objects.get(patch=patch, category="patch-delegated")
    assert (event.actor, event.previous_delegate, event.current_delegate) == (
        people.maintainer,
        people.other_maintainer,
        people.maintainer,
    )


def test_edit_form_offers_maintainers_only_as_delegates(client_as, patch, people):
    response = edit(client_as("maintainer"), patch, delegate=str(people.outsider.pk))
    assert "Select a valid choice" in response.content.decode()
    patch.refresh_from_db()
    assert patch.delegate == people.other_maintainer


def test_unchanged_form_records_nothing(client_as, patch):
    response = edit(client_as("maintainer"), patch)
    assert "Nothing changed." in flash_messages(response)
    assert not Event.objects.exists()


def test_clearing_the_commit_and_the_delegate(client_as, project, people):
    patch = PatchFactory(project=project, commit_ref="deadbeef", delegate=people.maintainer)
    edit(client_as("maintainer"), patch, commit_ref="", delegate="")
    patch.refresh_from_db()
    assert (patch.commit_ref, patch.delegate) == (None, None)


def test_anonymous_post_is_refused(client, patch):
    assert client.post(patch_url(patch), {"action": "update"}).status_code == 403


def test_edit_needs_csrf(people, patch):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.maintainer)
    assert client.post(patch_url(patch), {"action": "update"}).status_code == 403


def test_every_form_of_the_page_carries_a_csrf_token(client_as, patch):
    PatchCommentFactory(patch=patch)
    BundleFactory(owner=patch.delegate, project=patch.project)
    html = client_as("other_maintainer").get(patch_url(patch)).content.decode()
    forms = html.split("<form")[1:]
    assert len(forms) >= 4  # logout, edit, bundle, comment
    for form in forms:
        if 'method="post"' in form.split(">")[0]:
            assert "csrfmiddlewaretoken" in form.split("</form>")[0]


# Bundles from the patch page.


def test_create_a_bundle_and_add_to_one(client_as, patch, people):
    client = client_as("outsider")
    response = client.post(patch_url(patch), {"action": "create", "name": "later"}, follow=True)
    assert "Bundle later created." in flash_messages(response)
    bundle = Bundle.objects.get(owner=people.outsider, name="later")
    other = PatchFactory(project=patch.project)
    response = client.post(
        patch_url(other), {"action": "add", "bundle_id": str(bundle.pk)}, follow=True
    )
    assert "Patch added to bundle later." in flash_messages(response)
    assert list(bundle.patches.order_by("bundlepatch__order")) == [patch, other]
    response = client.post(
        patch_url(other), {"action": "add", "bundle_id": str(bundle.pk)}, follow=True
    )
    assert "The patch is already in bundle later." in flash_messages(response)


def test_a_bundle_name_taken_is_refused(client_as, patch, people):
    BundleFactory(owner=people.outsider, name="dup", project=patch.project)
    response = client_as("outsider").post(
        patch_url(patch), {"action": "create", "name": "dup"}, follow=True
    )
    assert any("already have a bundle called" in text for text in flash_messages(response))


def test_a_patch_of_another_project_cannot_join_a_bundle(client_as, patch, people):
    bundle = BundleFactory(owner=people.outsider)
    response = client_as("outsider").post(
        patch_url(patch), {"action": "add", "bundle_id": str(bundle.pk)}, follow=True
    )
    assert "Bundle patches must belong to the same project" in flash_messages(response)


# Addressed comments.


def mark(client, url, comment, value):
    data = {"action": "addressed", "comment_id": str(comment.pk), "addressed": value}
    return client.post(url, data, follow=True)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("outsider", False),
        ("commenter", True),
        ("submitter", True),
        ("maintainer", True),
    ],
)
def test_marking_a_patch_comment_addressed(client_as, people, patch, role, allowed):
    commenter = PersonFactory(user=people.outsider if role == "commenter" else None)
    comment = PatchCommentFactory(patch=patch, submitter=commenter)
    client = client_as("outsider" if role == "commenter" else role)
    page = client.get(patch_url(patch)).content.decode()
    assert ("Mark addressed" in page) is allowed
    response = mark(client, patch_url(patch), comment, "true")
    comment.refresh_from_db()
    if allowed:
        assert comment.addressed is True
        assert "Comment updated." in flash_messages(response)
        mark(client, patch_url(patch), comment, "")
        comment.refresh_from_db()
        assert comment.addressed is None
    else:
        assert comment.addressed is None
        assert any("permission" in text for text in flash_messages(response))


def test_marking_a_comment_of_another_patch_is_a_404(client_as, patch):
    other_comment = PatchCommentFactory()
    response = mark(client_as("maintainer"), patch_url(patch), other_comment, "true")
    assert response.status_code == 404


@pytest.mark.parametrize(("role", "allowed"), [("outsider", False), ("maintainer", True)])
def test_marking_a_cover_comment_addressed(client_as, project, role, allowed):
    cover = CoverFactory(project=project)
    comment = CoverCommentFactory(cover=cover)
    response = mark(client_as(role), cover_url(cover), comment, "false")
    comment.refresh_from_db()
    assert (comment.addressed is False) is allowed
    assert response.status_code == (200 if allowed else 403)


# What the page shows.


def test_page_shows_commands_downloads_series_and_versions(client, project):
    series = SeriesFactory(project=project, name="rework", version=1)
    newer = SeriesFactory(project=project, name="rework", version=2, submitter=series.submitter)
    patch = PatchFactory(project=project, series=series, number=1, submitter=series.submitter)
    sibling = PatchFactory(project=project, series=series, number=2)
    html = client.get(patch_url(patch)).content.decode()
    bare = patch.msgid.strip("<>")
    for expected in [
        f"git pw patch apply {patch.id}",
        f"git pw series apply {series.id}",
        f"b4 am {bare}",
        f"/project/{project.linkname}/patch/{bare}/mbox/",
        f"/project/{project.linkname}/patch/{bare}/raw/",
        f"/series/{series.id}/mbox/",
        f'href="/series/{newer.id}/">v2</a>',
        sibling.name,
    ]:
        assert expected in html, expected


def test_related_patches_are_listed(client, project):
    from patches.models import PatchRelation

    relation = PatchRelation.objects.create()
    patch = PatchFactory(project=project, related=relation)
    other = PatchFactory(related=relation)
    html = client.get(patch_url(patch)).content.decode()
    assert other.name in html
    assert f"(in {other.project.name})" in html


def test_diff_is_coloured(client, patch):
    html = client.get(patch_url(patch)).content.decode()
    assert '<span class="diff-add">+world</span>' in html
    assert '<span class="diff-hunk">@@ -1 +1,2 @@</span>' in html


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_mail_with_markup_renders_inert(client, project):
    """Subject, author, body, diff and reply of a mail full of markup come out escaped, on
    the patch page, the cover page and the list."""
    author = PersonFactory(name=f"Eve {HOSTILE}", email="eve@example.org")
    patch = PatchFactory(
        project=project,
        name=f"[PATCH] {HOSTILE}",
        submitter=author,
        content=f"Body {HOSTILE}\n> quoted {HOSTILE}\nSee https://x.org/{HOSTILE}",
        diff=f"--- a/f\n+++ b/f\n@@ -1 +1 @@\n-{HOSTILE}\n+{HOSTILE}\n",
        headers=f"Subject: {HOSTILE}\n",
    )
    PatchCommentFactory(patch=patch, submitter=author, content=f"Reply {HOSTILE}")
    cover = CoverFactory(project=project, name=HOSTILE, submitter=author, content=HOSTILE)
    pages = [
        client.get(patch_url(patch)).content.decode(),
        client.get(cover_url(cover)).content.decode(),
        client.get(f"/project/{project.linkname}/list/").content.decode(),
    ]
    for html in pages:
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert(" in html
    assert 'href="https://x.org/&lt;script&gt;' not in pages[0]
    assert "onerror=alert(1)&gt;" in pages[0]


def test_pages_have_no_inline_scripts_or_styles(client, patch):
    """So that a strict Content-Security-Policy (script-src/style-src 'self') holds."""
    html = client.get(patch_url(patch)).content.decode()
    assert "<script>" not in html
    assert "<style" not in html
    assert " style=" not in html
    assert " onclick=" not in html
    assert '<script src="/static/web/pages.js" defer></script>' in html
