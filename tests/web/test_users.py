"""The user's pages (profile, token, settings, linked addresses), login, logout, password
change and reset, and ``manage.py user password``."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.authtoken.models import Token

from people.models import Person
from tests.factories import PersonFactory, TokenFactory, UserFactory
from tests.web.conftest import flash_messages

pytestmark = pytest.mark.django_db


def test_profile_needs_login(client):
    response = client.get("/user/")
    assert response.status_code == 302
    assert response["Location"] == "/user/login/?next=/user/"


def test_profile_shows_token_addresses_and_projects(client_as, people, project):
    token = TokenFactory(user=people.maintainer)
    html = client_as("maintainer").get("/user/").content.decode()
    assert token.key in html
    assert project.linkname in html


def test_regenerate_token(client_as, people):
    old = TokenFactory(user=people.maintainer).key
    client = client_as("maintainer")
    assert client.get("/user/generate-token/").status_code == 405
    response = client.post("/user/generate-token/", follow=True)
    new = Token.objects.get(user=people.maintainer).key
    assert new != old
    assert new in response.content.decode()


def test_settings_change_the_page_size(client_as, people):
    client = client_as("maintainer")
    response = client.post("/user/", {"items_per_page": "25", "show_ids": "on"}, follow=True)
    assert "Settings saved." in flash_messages(response)
    people.maintainer.profile.refresh_from_db()
    assert (people.maintainer.profile.items_per_page, people.maintainer.profile.show_ids) == (
        25,
        True,
    )
    response = client.post("/user/", {"items_per_page": "0"})
    assert response.status_code == 200
    assert "greater than or equal to 1" in response.content.decode()


def test_link_an_address_through_the_mailed_link(client_as, people):
    client = client_as("outsider")
    response = client.post("/user/link/", {"email": "other@example.net"}, follow=True)
    assert "A confirmation link was mailed to other@example.net." in flash_messages(response)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["other@example.net"]
    link = re.search(r"http://testserver(/user/link/\S+/)", mail.outbox[0].body).group(1)
    assert client_as("maintainer").get(link).status_code == 404  # someone else's link
    assert client.get(link).status_code == 200
    client.post(link)
    assert Person.objects.get(email="other@example.net").user == people.outsider


def test_a_forged_link_is_refused(client_as):
    assert client_as("outsider").get("/user/link/not-a-signed-key/").status_code == 404


def test_unlink_an_address_but_not_the_main_one(client_as, people):
    extra = PersonFactory(email="second@example.org", user=people.submitter)
    client = client_as("submitter")
    client.post(f"/user/unlink/{extra.pk}/")
    extra.refresh_from_db()
    assert extra.user is None
    response = client.post(f"/user/unlink/{people.submitter_person.pk}/", follow=True)
    assert any("only unlink" in text for text in flash_messages(response))
    people.submitter_person.refresh_from_db()
    assert people.submitter_person.user == people.submitter


def test_cannot_unlink_someone_elses_address(client_as, people):
    client_as("outsider").post(f"/user/unlink/{people.submitter_person.pk}/")
    people.submitter_person.refresh_from_db()
    assert people.submitter_person.user == people.submitter


def test_login_and_logout(client):
    user = UserFactory(username="ann")
    page = client.get("/user/login/")
    assert page.status_code == 200
    response = client.post(
        "/user/login/", {"username": "ann", "password": "password", "next": "/user/todo/"}
    )
    assert response["Location"] == "/user/todo/"
    assert client.get("/user/").status_code == 200
    assert client.get("/user/logout/").status_code == 405  # logging out is a POST
    response = client.post("/user/logout/")
    assert response["Location"] == "/"
    assert client.get("/user/").status_code == 302
    assert user.is_active


def test_login_refuses_a_wrong_password(client):
    UserFactory(username="ann")
    response = client.post("/user/login/", {"username": "ann", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_login_does_not_redirect_elsewhere(client):
    UserFactory(username="ann")
    response = client.post(
        "/user/login/",
        {"username": "ann", "password": "password", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/user/"


def test_password_change(client):
    user = UserFactory(username="ann")
    client.force_login(user)
    response = client.post(
        "/user/password-change/",
        {
            "old_password": "password",
            "new_password1": "a new long passphrase",
            "new_password2": "a new long passphrase",
        },
    )
    assert response["Location"] == "/user/password-change/done/"
    user.refresh_from_db()
    assert user.check_password("a new long passphrase")


def test_password_reset_by_mail(client, settings):
    user = UserFactory(username="ann", email="ann@example.org")
    response = client.post("/user/password-reset/", {"email": "ann@example.org"})
    assert response["Location"] == "/user/password-reset/mail-sent/"
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/user/password-reset/\S+/)", mail.outbox[0].body)
    form_url = client.get(link.group(1))["Location"]  # Django hides the token in the session
    response = client.post(
        form_url, {"new_password1": "brand new secret 42", "new_password2": "brand new secret 42"}
    )
    assert response["Location"] == "/user/login/"
    user.refresh_from_db()
    assert user.check_password("brand new secret 42")


def test_password_reset_of_an_unknown_address_sends_nothing(client):
    response = client.post("/user/password-reset/", {"email": "nobody@example.org"})
    assert response["Location"] == "/user/password-reset/mail-sent/"
    assert mail.outbox == []


def test_password_reset_mail_goes_to_files_by_default(tmp_path, settings):
    """Without EMAIL_BACKEND the mail is written to the data directory, not sent."""
    from patchwork_api import settings as project_settings

    assert project_settings.EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend"
    assert project_settings.EMAIL_FILE_PATH == project_settings.DATA_DIR / "mail"


# manage.py user password


def test_user_password_reads_stdin():
    user = UserFactory(username="ann")
    stderr = io.StringIO()
    call_command("user", "password", "ann", stdin=io.StringIO("s3cret pass\n"), stderr=stderr)
    user.refresh_from_db()
    assert user.check_password("s3cret pass")
    assert "password of ann changed" in stderr.getvalue()


def test_user_password_refuses_empty_input_and_unknown_users():
    UserFactory(username="ann")
    with pytest.raises(CommandError, match="standard input held no password"):
        call_command("user", "password", "ann", stdin=io.StringIO(""))
    with pytest.raises(CommandError, match="no user named 'bob'"):
        call_command("user", "password", "bob", stdin=io.StringIO("x\n"))
