"""The administration commands (``project``, ``user``) and the Django admin pages."""

import io
import mailbox
import os
import stat
import subprocess
import sys

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse
from rest_framework.authtoken.models import Token

from ingest.message import Author
from ingest.store import store_mail
from people.models import Person, UserProfile
from people.services import get_or_create_profile
from projects.models import Project
from tests.conftest import REPO_ROOT
from tests.factories import (
    BundleFactory,
    CheckFactory,
    CoverCommentFactory,
    EventFactory,
    ParsedMailFactory,
    PatchCommentFactory,
    PatchFactory,
    PersonFactory,
    ProjectFactory,
    SeriesReferenceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DEMO_MBOX = REPO_ROOT / "fixtures" / "demo.mbox"
TOKEN_KEY = "0123456789abcdef0123456789abcdef01234567"
REQUIRED_PROJECT_OPTIONS = [
    "--name",
    "Demo",
    "--listid",
    "demo.example.org",
    "--listemail",
    "demo@example.org",
]


def run(*args: str, stdin: io.StringIO | None = None) -> tuple[str, str]:
    """Run a management command; return what it wrote on stdout and stderr."""
    stdout, stderr = io.StringIO(), io.StringIO()
    extra = {"stdin": stdin} if stdin is not None else {}
    call_command(*args, stdout=stdout, stderr=stderr, **extra)
    return stdout.getvalue(), stderr.getvalue()


def add_project(linkname: str = "demo", *options: str) -> tuple[str, str]:
    return run("project", "add", linkname, *REQUIRED_PROJECT_OPTIONS, *options)


# project add


def test_project_add_stores_every_option():
    output, _ = add_project(
        "demo",
        "--subject-match",
        r"\[demo\]",
        "--web-url",
        "https://demo.example.org/",
        "--scm-url",
        "https://git.example.org/demo.git",
        "--webscm-url",
        "https://git.example.org/demo",
        "--list-archive-url",
        "https://lists.example.org/demo/",
        "--list-archive-url-format",
        "https://lists.example.org/r/{}",
        "--commit-url-format",
        "https://git.example.org/demo/commit/?id={}",
        "--show-dependencies",
        "--no-use-tags",
    )

    project = Project.objects.get(linkname="demo")
    assert "created project demo" in output
    assert (project.name, project.listid, project.listemail) == (
        "Demo",
        "demo.example.org",
        "demo@example.org",
    )
    assert project.subject_match == r"\[demo\]"
    assert project.web_url == "https://demo.example.org/"
    assert project.scm_url == "https://git.example.org/demo.git"
    assert project.webscm_url == "https://git.example.org/demo"
    assert project.list_archive_url == "https://lists.example.org/demo/"
    assert project.list_archive_url_format == "https://lists.example.org/r/{}"
    assert project.commit_url_format == "https://git.example.org/demo/commit/?id={}"
    assert project.show_dependencies is True
    assert project.use_tags is False


def test_project_add_uses_model_defaults_for_absent_options():
    add_project()

    project = Project.objects.get(linkname="demo")
    assert (project.subject_match, project.web_url, project.scm_url) == ("", "", "")
    assert project.use_tags is True
    assert project.show_dependencies is False


@pytest.mark.parametrize(
    "scm_url",
    ["git://git.example.org/demo.git", "ssh://git@example.org/demo", "git@github.com:a/b.git"],
)
def test_project_add_accepts_usual_repository_addresses(scm_url):
    add_project("demo", "--scm-url", scm_url)

    assert Project.objects.get(linkname="demo").scm_url == scm_url


@pytest.mark.parametrize("missing", ["--name", "--listid", "--listemail"])
def test_project_add_requires_name_listid_and_listemail(missing):
    position = REQUIRED_PROJECT_OPTIONS.index(missing)
    options = REQUIRED_PROJECT_OPTIONS[:position] + REQUIRED_PROJECT_OPTIONS[position + 2 :]

    with pytest.raises(CommandError, match=missing.lstrip("-")):
        run("project", "add", "demo", *options)

    assert not Project.objects.exists()


def test_project_add_refuses_an_existing_linkname():
    ProjectFactory(linkname="demo", name="Original")

    with pytest.raises(CommandError, match="project 'demo' already exists"):
        add_project("demo")

    assert Project.objects.get(linkname="demo").name == "Original"


def test_project_add_refuses_an_existing_name():
    ProjectFactory(name="Demo")

    with pytest.raises(CommandError, match="name: Project with this Name already exists"):
        add_project("other")

    assert not Project.objects.filter(linkname="other").exists()


def test_project_add_refuses_a_list_already_taken_with_the_same_subject_match():
    ProjectFactory(listid="demo.example.org", subject_match="")

    with pytest.raises(CommandError, match="Listid and Subject match already exists"):
        add_project("demo")

    assert not Project.objects.filter(linkname="demo").exists()


def test_project_add_allows_a_shared_list_with_another_subject_match():
    ProjectFactory(listid="demo.example.org", subject_match="")

    add_project("demo", "--subject-match", r"\[demo\]")

    assert Project.objects.filter(listid="demo.example.org").count() == 2


@pytest.mark.parametrize(
    ("linkname", "options", "message"),
    [
        ("not a slug", [], "linkname: Enter a valid"),
        ("demo", ["--subject-match", "[unclosed"], "subject_match: not a valid regular"),
        ("demo", ["--web-url", "not a url"], "web_url: not a valid http"),
        ("demo", ["--webscm-url", "ftp://example.org/x"], "webscm_url: not a valid http"),
        ("demo", ["--list-archive-url", "example.org"], "list_archive_url: not a valid"),
        ("demo", ["--list-archive-url-format", "https://x.org/"], "must contain {} exactly"),
        ("demo", ["--commit-url-format", "https://x.org/{}/{}"], "must contain {} exactly"),
        ("demo", ["--commit-url-format", "nonsense {}"], "once {} is filled in"),
        ("demo", ["--scm-url", "not a repository"], "scm_url: not a repository URL"),
        ("demo", ["--listid", "<demo.example.org>"], "listid: give the List-Id without"),
        ("demo", ["--listemail", "not-an-address"], "listemail: not an e-mail address"),
    ],
)
def test_project_add_refuses_invalid_values(linkname, options, message):
    with pytest.raises(CommandError, match=message.replace("{", r"\{").replace("}", r"\}")):
        add_project(linkname, *options)

    assert not Project.objects.exists()


def test_project_add_reports_every_invalid_value_at_once():
    with pytest.raises(CommandError) as raised:
        add_project("demo", "--subject-match", "(", "--web-url", "nope")

    assert "subject_match" in str(raised.value)
    assert "web_url" in str(raised.value)


# project update


def test_project_update_changes_only_the_given_options():
    project = ProjectFactory(linkname="demo", web_url="https://old.example.org/")

    output, _ = run("project", "update", "demo", "--name", "Renamed", "--show-dependencies")

    project.refresh_from_db()
    assert "updated project demo: name, show_dependencies" in output
    assert project.name == "Renamed"
    assert project.show_dependencies is True
    assert project.web_url == "https://old.example.org/"


@pytest.mark.parametrize(
    ("option", "field_name", "expected"),
    [
        ("--no-show-dependencies", "show_dependencies", False),
        ("--show-dependencies", "show_dependencies", True),
        ("--no-use-tags", "use_tags", False),
        ("--use-tags", "use_tags", True),
        ("--send-notifications", "send_notifications", True),
    ],
)
def test_project_update_switches(option, field_name, expected):
    project = ProjectFactory(
        linkname="demo", show_dependencies=not expected, use_tags=not expected
    )

    run("project", "update", "demo", option)

    project.refresh_from_db()
    assert getattr(project, field_name) is expected


def test_project_update_clears_a_field_given_as_empty():
    project = ProjectFactory(linkname="demo", subject_match=r"\[x\]")

    run("project", "update", "demo", "--subject-match", "", "--web-url", "")

    project.refresh_from_db()
    assert (project.subject_match, project.web_url) == ("", "")


def test_project_update_of_an_unknown_project_fails():
    with pytest.raises(CommandError, match="no project with link name 'ghost'"):
        run("project", "update", "ghost", "--name", "Ghost")


def test_project_update_without_options_fails():
    ProjectFactory(linkname="demo")

    with pytest.raises(CommandError, match="nothing to change"):
        run("project", "update", "demo")


def test_project_update_refuses_invalid_values_and_keeps_the_old_ones():
    project = ProjectFactory(linkname="demo", subject_match="")

    with pytest.raises(CommandError, match="subject_match"):
        run("project", "update", "demo", "--subject-match", "(", "--name", "New name")

    project.refresh_from_db()
    assert project.subject_match == ""
    assert project.name != "New name"


def test_project_update_refuses_taking_another_projects_list():
    ProjectFactory(listid="taken.example.org", subject_match="")
    project = ProjectFactory(linkname="demo")

    with pytest.raises(CommandError, match="Listid and Subject match already exists"):
        run("project", "update", "demo", "--listid", "taken.example.org")

    project.refresh_from_db()
    assert project.listid != "taken.example.org"


# project list, show, maintainer


def test_project_list_prints_one_line_per_project():
    ProjectFactory(linkname="alpha", listid="alpha.example.org")
    ProjectFactory(linkname="beta", subject_match=r"\[beta\]")

    output, _ = run("project", "list")

    lines = output.splitlines()
    assert len(lines) == 2
    assert lines[0].split("\t")[1:3] == ["alpha", "alpha.example.org"]
    assert r"subject~'\\[beta\\]'" in lines[1]


def test_project_show_prints_settings_and_maintainers():
    ProjectFactory(linkname="demo", maintainers=[UserFactory(username="carol")])

    output, _ = run("project", "show", "demo")

    assert "linkname: demo\n" in output
    assert "show_dependencies: False\n" in output
    assert "maintainers: carol\n" in output


def test_project_maintainer_grants_and_creates_the_profile():
    project = ProjectFactory(linkname="demo")
    user = get_user_model().objects.create_user("carol")

    output, _ = run("project", "maintainer", "demo", "carol")

    assert "carol maintains demo" in output
    assert project.is_maintainer(user)
    assert UserProfile.objects.filter(user=user).exists()


def test_project_maintainer_twice_is_harmless():
    project = ProjectFactory(linkname="demo")
    UserFactory(username="carol")

    run("project", "maintainer", "demo", "carol")
    run("project", "maintainer", "demo", "carol")

    assert project.maintainers.count() == 1


def test_project_maintainer_remove_revokes():
    carol = UserFactory(username="carol")
    project = ProjectFactory(linkname="demo", maintainers=[carol])

    output, _ = run("project", "maintainer", "demo", "carol", "--remove")

    assert "carol no longer maintains demo" in output
    assert not project.is_maintainer(carol)


def test_project_maintainer_remove_of_a_non_maintainer_fails():
    ProjectFactory(linkname="demo")
    UserFactory(username="carol")

    with pytest.raises(CommandError, match="'carol' does not maintain 'demo'"):
        run("project", "maintainer", "demo", "carol", "--remove")


@pytest.mark.parametrize(
    ("linkname", "username", "message"),
    [("ghost", "carol", "no project with link name 'ghost'"), ("demo", "nobody", "no user")],
)
def test_project_maintainer_with_unknown_names_fails(linkname, username, message):
    ProjectFactory(linkname="demo")
    UserFactory(username="carol")

    with pytest.raises(CommandError, match=message):
        run("project", "maintainer", linkname, username)


# user add


def test_user_add_creates_user_profile_and_token_but_no_person():
    output, errors = run(
        "user", "add", "alice", "--email", "alice@example.org", "--first-name", "Alice"
    )

    user = get_user_model().objects.get(username="alice")
    token = Token.objects.get(user=user)
    assert output == f"{token.key}\n"
    assert "created user alice" in errors
    assert user.email == "alice@example.org"
    assert user.first_name == "Alice"
    assert not user.has_usable_password()
    assert not user.is_superuser
    assert UserProfile.objects.filter(user=user).exists()
    # As Patchwork: the account has no person until mail comes from its address.
    assert not Person.objects.exists()


def test_a_person_created_later_by_mail_from_the_address_is_linked_to_the_user():
    run("user", "add", "alice", "--email", "alice@example.org")
    project = ProjectFactory(listid="dev.example.org")
    mail = ParsedMailFactory(
        list_id="dev.example.org", author=Author(name="Alice", email="Alice@Example.org")
    )

    store_mail(mail, project=project)

    person = Person.objects.get()
    assert (person.email, person.name) == ("Alice@Example.org", "Alice")
    assert person.user.username == "alice"


def test_user_add_links_the_person_who_already_sent_mail():
    person = PersonFactory(email="Alice@Example.org", name="Alice A.")

    run("user", "add", "alice", "--email", "alice@example.org")

    person.refresh_from_db()
    assert person.user.username == "alice"
    assert Person.objects.count() == 1


def test_user_add_with_password_and_superuser():
    run(
        "user", "add", "root", "--email", "root@example.org", "--password", "s3cret", "--superuser"
    )

    user = get_user_model().objects.get(username="root")
    assert user.check_password("s3cret")
    assert user.is_superuser
    assert user.is_staff


def test_user_add_reads_the_password_from_stdin():
    run(
        "user",
        "add",
        "alice",
        "--email",
        "alice@example.org",
        "--password-stdin",
        stdin=io.StringIO("from stdin\n"),
    )

    assert get_user_model().objects.get(username="alice").check_password("from stdin")


def test_user_add_with_empty_stdin_password_fails():
    with pytest.raises(CommandError, match="held no password"):
        run(
            "user", "add", "a", "--email", "a@example.org", "--password-stdin", stdin=io.StringIO()
        )

    assert not get_user_model().objects.exists()


def test_user_add_keeps_a_carried_over_token():
    output, _ = run("user", "add", "bot", "--email", "bot@example.org", "--token", TOKEN_KEY)

    assert output == f"{TOKEN_KEY}\n"
    assert Token.objects.get(key=TOKEN_KEY).user.username == "bot"


@pytest.mark.parametrize(
    "key",
    [TOKEN_KEY[:-1], TOKEN_KEY + "8", TOKEN_KEY.upper(), "g" * 40, TOKEN_KEY[:-1] + "\n"],
)
def test_user_add_refuses_malformed_tokens(key):
    with pytest.raises(CommandError, match="not 40 hexadecimal characters"):
        run("user", "add", "bot", "--email", "bot@example.org", "--token", key)

    assert not get_user_model().objects.filter(username="bot").exists()


def test_user_add_refuses_a_token_someone_else_holds():
    Token.objects.create(user=UserFactory(), key=TOKEN_KEY)

    with pytest.raises(CommandError, match="already assigned"):
        run("user", "add", "bot", "--email", "bot@example.org", "--token", TOKEN_KEY)

    assert not get_user_model().objects.filter(username="bot").exists()


def test_user_add_writes_the_token_to_a_private_file(tmp_path):
    token_path = tmp_path / "token"
    token_path.write_text("old content that must go\n")
    token_path.chmod(0o644)

    output, errors = run(
        "user", "add", "bot", "--email", "b@example.org", "--token-out", str(token_path)
    )

    key = Token.objects.get(user__username="bot").key
    assert output == ""
    assert key not in errors
    assert token_path.read_text() == f"{key}\n"
    assert stat.S_IMODE(token_path.stat().st_mode) == 0o600


def test_user_add_with_an_unwritable_token_file_creates_nothing(tmp_path):
    token_path = tmp_path / "missing-directory" / "token"

    with pytest.raises(CommandError, match="cannot write the token"):
        run("user", "add", "bot", "--email", "b@example.org", "--token-out", str(token_path))

    assert not get_user_model().objects.filter(username="bot").exists()
    assert not Token.objects.exists()


def test_user_add_refuses_an_existing_username():
    UserFactory(username="alice", email="first@example.org")

    with pytest.raises(CommandError, match="user 'alice' already exists"):
        run("user", "add", "alice", "--email", "second@example.org")

    assert get_user_model().objects.get(username="alice").email == "first@example.org"


@pytest.mark.parametrize(
    ("username", "email", "message"),
    [
        ("alice", "not an address", "valid email"),
        ("bad name!", "a@example.org", "valid username"),
    ],
)
def test_user_add_refuses_invalid_values(username, email, message):
    with pytest.raises(CommandError, match=message):
        run("user", "add", username, "--email", email)

    assert not get_user_model().objects.exists()


def test_user_add_requires_an_email():
    with pytest.raises(CommandError, match="--email"):
        run("user", "add", "alice")


# user token, user list


def test_user_token_prints_the_existing_token():
    token = Token.objects.create(user=UserFactory(username="alice"))

    output, _ = run("user", "token", "alice")

    assert output == f"{token.key}\n"


def test_user_token_creates_a_missing_token():
    user = UserFactory(username="alice")

    output, _ = run("user", "token", "alice")

    assert output == f"{Token.objects.get(user=user).key}\n"


def test_user_token_regenerate_replaces_the_key():
    old = Token.objects.create(user=UserFactory(username="alice"))

    output, _ = run("user", "token", "alice", "--regenerate")

    new_key = output.strip()
    assert new_key != old.key
    assert list(Token.objects.values_list("key", flat=True)) == [new_key]


def test_user_token_of_an_unknown_user_fails():
    with pytest.raises(CommandError, match="no user named 'ghost'"):
        run("user", "token", "ghost")


def test_user_list_shows_role_and_maintained_projects():
    carol = UserFactory(username="carol")
    ProjectFactory(linkname="demo", maintainers=[carol])
    get_user_model().objects.create_superuser("root", "root@example.org", "x")

    output, _ = run("user", "list")

    lines = output.splitlines()
    assert lines[0].split("\t")[1:] == ["carol", "carol@example.com", "user", "maintains: demo"]
    assert lines[1].split("\t")[3:] == ["superuser", "maintains: -"]


def test_get_or_create_profile_is_idempotent():
    user = get_user_model().objects.create_user("alice")

    first = get_or_create_profile(user)
    second = get_or_create_profile(user)

    assert first.pk == second.pk
    assert first.items_per_page == 100


# exit status on the command line


@pytest.mark.parametrize(
    ("arguments", "expected_status", "message"),
    [
        (["project", "update", "demo"], 1, "nothing to change"),
        (["project"], 2, "required"),
        (["user", "add", "alice"], 2, "--email"),
    ],
)
def test_command_errors_exit_non_zero(tmp_path, arguments, expected_status, message):
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DEBUG": "true",
        "PATCHWORK_DATA_DIR": str(tmp_path),
    }

    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == expected_status
    assert message in result.stderr
    assert "Traceback" not in result.stderr


# Django admin


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("admin", "a@example.org", "x"))
    return client


@pytest.fixture
def one_of_everything():
    """At least one row of every model, so each admin page has something to render."""
    patch = PatchFactory()
    PatchCommentFactory(patch=patch)
    CheckFactory(patch=patch)
    CoverCommentFactory()
    SeriesReferenceFactory()
    BundleFactory(patches=[patch])
    EventFactory(patch=patch)
    return patch


def registered_models() -> list:
    get_resolver().url_patterns  # noqa: B018 - loading the URLconf registers the admin
    return sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.mark.parametrize("model", registered_models(), ids=lambda model: model._meta.label)
def test_admin_changelist_add_and_change_pages_render(admin_client, one_of_everything, model):
    options = model._meta
    url_prefix = f"admin:{options.app_label}_{options.model_name}"
    instance = model.objects.first()

    changelist = admin_client.get(reverse(f"{url_prefix}_changelist"), {"q": "example"})
    add_page = admin_client.get(reverse(f"{url_prefix}_add"))

    assert changelist.status_code == 200
    assert add_page.status_code in (200, 403)  # some admins forbid adding by hand
    if instance is not None:
        change_page = admin_client.get(reverse(f"{url_prefix}_change", args=[instance.pk]))
        assert change_page.status_code == 200


# Models edited through a field of their parent's admin form: model -> (parent, field).
EDITED_BY_PARENT_FIELD = {"bundles.BundlePatch": ("bundles.Bundle", "patch_ids")}


def test_every_model_of_the_project_is_in_the_admin():
    """Each model has its own admin page, is edited inline on its parent's page, or by a
    field of its parent's form (a bundle's patches, in order)."""
    get_resolver().url_patterns  # noqa: B018 - loading the URLconf registers the admin
    for parent, field in EDITED_BY_PARENT_FIELD.values():
        assert field in admin.site._registry[apps.get_model(parent)].form.base_fields
    app_labels = ["bundles", "covers", "events", "patches", "people", "projects", "series"]
    inline_models = {
        inline.model
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
    }
    models = [model for label in app_labels for model in apps.get_app_config(label).get_models()]

    missing = [
        model._meta.label
        for model in models
        if model not in admin.site._registry
        and model not in inline_models
        and model._meta.label not in EDITED_BY_PARENT_FIELD
    ]

    assert missing == []


@pytest.mark.parametrize(
    ("url_name", "factory"),
    [
        ("admin:patches_patch_changelist", PatchFactory),
        ("admin:patches_patchcomment_changelist", PatchCommentFactory),
        ("admin:patches_check_changelist", CheckFactory),
        ("admin:covers_cover_changelist", CoverCommentFactory),
        ("admin:events_event_changelist", EventFactory),
        ("admin:people_person_changelist", PersonFactory),
    ],
)
def test_admin_changelists_do_not_query_per_row(admin_client, url_name, factory):
    """Big tables list in a fixed number of queries, however many rows are shown."""
    factory.create_batch(3)
    with CaptureQueriesContext(connection) as three_rows:
        assert admin_client.get(reverse(url_name)).status_code == 200
    factory.create_batch(3)
    with CaptureQueriesContext(connection) as six_rows:
        assert admin_client.get(reverse(url_name)).status_code == 200

    assert len(six_rows) == len(three_rows)


def test_admin_patch_page_uses_raw_id_inputs_for_people_and_series(admin_client):
    patch = PatchFactory()

    page = admin_client.get(reverse("admin:patches_patch_change", args=[patch.pk]))

    content = page.content.decode()
    assert 'name="submitter" value="' in content
    assert 'class="vForeignKeyRawIdAdminField"' in content


# demo


def test_demo_sets_up_the_project_and_its_maintainer():
    output, _ = run("demo", "--no-mail")

    project = Project.objects.get(linkname="demo")
    carol = get_user_model().objects.get(username="carol")
    assert project.listid == "demo.example.org"
    assert project.show_dependencies is True
    assert project.is_maintainer(carol)
    assert f"API token of carol: {Token.objects.get(user=carol).key}" in output
    assert UserProfile.objects.filter(user=carol).exists()


def test_demo_run_twice_changes_nothing_and_restores_the_demo_settings():
    run("demo", "--no-mail")
    Project.objects.filter(linkname="demo").update(listemail="changed@example.org")
    token_key = Token.objects.get(user__username="carol").key

    output, _ = run("demo", "--no-mail")

    assert "refreshed project demo" in output
    assert Project.objects.get().listemail == "demo@example.org"
    assert get_user_model().objects.filter(username="carol").count() == 1
    assert Token.objects.get(user__username="carol").key == token_key


def test_demo_keeps_an_existing_carol_account_as_it_is():
    carol = UserFactory(username="carol", email="someone-else@example.org")

    run("demo", "--no-mail")

    carol.refresh_from_db()
    assert carol.email == "someone-else@example.org"
    assert Project.objects.get(linkname="demo").is_maintainer(carol)


def test_demo_imports_the_sample_mail_once():
    """A second run finds every mail already stored and adds nothing."""
    output, _ = run("demo")
    project = Project.objects.get(linkname="demo")
    first_counts = (project.patches.count(), project.covers.count(), project.series.count())

    run("demo")

    assert first_counts == (9, 2, 5)
    assert (project.patches.count(), project.covers.count(), project.series.count()) == (
        first_counts
    )
    assert "project demo holds 9 patches, 2 cover letters and 5 series" in output
    assert project.series.filter(version=2, received_total=3, total=3).exists()
    assert project.patches.exclude(pull_url=None).count() == 1


def test_demo_with_a_missing_mailbox_fails_clearly(tmp_path):
    with pytest.raises(CommandError, match="no mailbox at"):
        run("demo", "--mbox", str(tmp_path / "absent.mbox"))


# the demo mailbox


def read_mailbox(path) -> list:
    return list(mailbox.mbox(str(path), factory=None, create=False))


def test_demo_mailbox_holds_the_promised_mail():
    """fixtures/demo.mbox: two revisions of a series, two patches, reviews, a pull."""
    messages = read_mailbox(DEMO_MBOX)
    subjects = [message["Subject"] for message in messages]

    assert len(messages) == 17
    assert {message["List-Id"] for message in messages} == {
        "Demo development list <demo.example.org>"
    }
    assert len({message["Message-Id"] for message in messages}) == 17
    assert "[PATCH 0/3] greet by name" in subjects
    assert "[PATCH v2 0/3] greet by name" in subjects
    assert sum(subject.startswith("[PATCH v2 ") for subject in subjects) == 4
    assert "[GIT PULL] demo: build fixes" in subjects
    bodies = "\n".join(message.get_payload() for message in messages)
    for trailer in ("Reviewed-by: Bob", "Acked-by: Carol", "Tested-by: Zo"):
        assert trailer in bodies
    assert "https://git.example.org/frank/demo.git fixes" in bodies


def test_make_demo_mbox_regenerates_the_same_mails(tmp_path):
    """Same Message-IDs, subjects, dates and threading as the committed fixture (the
    byte layout of format-patch may vary between git versions)."""
    output = tmp_path / "demo.mbox"

    subprocess.run(
        [sys.executable, str(REPO_ROOT / "tools" / "make-demo-mbox"), str(output)],
        check=True,
        capture_output=True,
        timeout=120,
    )

    def outline(path) -> list[tuple]:
        return [
            (message["Message-Id"], message["Subject"], message["Date"], message["In-Reply-To"])
            for message in read_mailbox(path)
        ]

    assert outline(output) == outline(DEMO_MBOX)
