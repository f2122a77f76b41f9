"""``search=`` on the unversioned /api/patches/ (an extension beyond Patchwork): every
word must occur in the name, commit message or diff (full-text: PostgreSQL tsvector,
SQLite FTS5, kept up to date on ingest), best matches first unless ``order`` is given,
combinable with the other filters; ``q`` keeps Patchwork's name-contains meaning and the
versioned URLs ignore ``search``."""

import pytest
from django.db import connection

from ingest.services import ingest_mail
from patches.models import Patch
from patchwork_api import limits
from tests.api.conftest import api_path, count_queries
from tests.factories import PatchFactory, ProjectFactory

pytestmark = pytest.mark.django_db

DIFF = """diff --git a/src/{name}.c b/src/{name}.c
--- a/src/{name}.c
+++ b/src/{name}.c
@@ -1 +1 @@
-int old_{name};
+int {name}_frobnicate;
"""


def make(project, name, content="", diff_name="plain"):
    return PatchFactory(
        project=project,
        name=name,
        content=f"{content}\n\nSigned-off-by: A <a@example.org>\n",
        diff=DIFF.format(name=diff_name),
    )


@pytest.fixture
def patches(project):
    return {
        "title": make(project, "[PATCH] net: fix the widget timeout", "A change."),
        "message": make(project, "[PATCH] docs: typo", "The widget timeout was wrong."),
        "diff": make(project, "[PATCH] core: rename", "Renames.", diff_name="widget"),
        "other": make(project, "[PATCH] misc: unrelated", "Nothing to see."),
    }


def search(client, text, **params):
    response = client.get(api_path("api-patch-list"), {"search": text, **params})
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()]


def test_search_name_message_and_diff(api_client, patches):
    assert set(search(api_client, "widget")) == {
        patches["title"].pk,
        patches["message"].pk,
        patches["diff"].pk,  # src/widget.c
    }
    assert search(api_client, "widget_frobnicate") == [patches["diff"].pk]
    assert search(api_client, "rename frobnicate") == [patches["diff"].pk]


def test_every_word_is_required(api_client, patches):
    assert set(search(api_client, "widget timeout")) == {
        patches["title"].pk,
        patches["message"].pk,
    }
    assert search(api_client, "widget nothing") == []


def test_ranked_name_first(api_client, patches):
    assert search(api_client, "widget timeout") == [patches["title"].pk, patches["message"].pk]


def test_order_parameter_wins_over_rank(api_client, patches):
    ids = search(api_client, "widget timeout", order="-id")
    assert ids == sorted(ids, reverse=True)


def test_combinable_with_other_filters(api_client, patches, project):
    other_project = ProjectFactory()
    elsewhere = make(other_project, "[PATCH] widget timeout elsewhere")
    assert elsewhere.pk in search(api_client, "widget timeout")
    assert elsewhere.pk not in search(api_client, "widget timeout", project=project.linkname)
    Patch.objects.filter(pk=patches["title"].pk).update(archived=True)
    assert set(search(api_client, "widget", archived="false", project=project.pk)) == {
        patches["message"].pk,
        patches["diff"].pk,
    }
    assert search(api_client, "widget", q="docs") == [patches["message"].pk]
    assert search(api_client, "widget", state="accepted") == []


def test_q_keeps_name_contains(api_client, patches):
    response = api_client.get(api_path("api-patch-list"), {"q": "widget"})
    assert [item["id"] for item in response.json()] == [patches["title"].pk]


@pytest.mark.parametrize("version", ["1.0", "1.3", "1.4"])
def test_versioned_api_ignores_search(api_client, patches, version):
    response = api_client.get(api_path("api-patch-list", version), {"search": "widget"})
    assert len(response.json()) == len(patches)


def test_too_many_words_is_400(api_client, patches):
    words = " ".join(["widget"] * (limits.MAX_SEARCH_WORDS + 1))
    response = api_client.get(api_path("api-patch-list"), {"search": words})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "text", ['"', "widget\"'", "-", "a OR b", "NEAR(a b)", "*", "x" * 2000, "widget\x00", "é"]
)
def test_odd_text_never_fails(api_client, patches, text):
    response = api_client.get(api_path("api-patch-list"), {"search": text})
    assert response.status_code == 200


def test_index_follows_updates_and_deletes(api_client, patches):
    patch = patches["other"]
    Patch.objects.filter(pk=patch.pk).update(content="Now about sprockets.")
    assert search(api_client, "sprockets") == [patch.pk]
    assert search(api_client, "unrelated") == [patch.pk]  # still in its name
    Patch.objects.filter(pk=patch.pk).delete()
    assert search(api_client, "sprockets") == []


def test_ingested_patch_is_found(api_client, db):
    ProjectFactory(listid="dev.example.org")
    raw = (
        "From: Jo <jo@example.org>\nSubject: [PATCH] add zyzzyva support\n"
        "Message-Id: <zyzzyva@example.org>\nList-Id: <dev.example.org>\n\n"
        "Adds the quuxification.\n---\n" + DIFF.format(name="gadget")
    ).encode()
    ingest_mail(raw, list_id="dev.example.org")
    [patch] = Patch.objects.all()
    assert search(api_client, "zyzzyva") == [patch.pk]
    assert search(api_client, "quuxification") == [patch.pk]
    assert search(api_client, "gadget_frobnicate") == [patch.pk]


def test_constant_queries(api_client, project):
    make(project, "[PATCH] widget one")
    path = api_path("api-patch-list") + "?search=widget"
    before = count_queries(api_client, path)
    for number in range(5):
        make(project, f"[PATCH] widget {number}")
    assert count_queries(api_client, path) == before


def test_index_exists_for_vendor():
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if connection.vendor == "sqlite":
            assert "patch_search" in tables
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'patch_search_idx'")
            assert cursor.fetchone()


def test_words_without_letters_are_ignored(api_client, patches):
    assert search(api_client, "- widget timeout") == search(api_client, "widget timeout")
    assert search(api_client, "-") == []


def test_repeated_words_count_once(api_client, patches):
    assert search(api_client, "widget widget widget") == search(api_client, "widget")


@pytest.mark.parametrize("order", [None, "-id"])
def test_deep_pages_hold_the_matches_only(api_client, project, order):
    """Pages past the first are read through their keys in a subquery (the paginator):
    the search must hold there too."""
    for number in range(4):
        make(project, f"[PATCH] gizmo {number}")
        make(project, f"[PATCH] unrelated {number}")
    params = {"per_page": 1, **({"order": order} if order else {})}
    pages = [search(api_client, "gizmo", page=page, **params) for page in (1, 2, 3, 4)]
    matching = set(Patch.objects.filter(name__contains="gizmo").values_list("pk", flat=True))
    assert [len(page) for page in pages] == [1, 1, 1, 1]
    assert {page[0] for page in pages} == matching
