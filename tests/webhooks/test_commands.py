"""``manage.py webhook add|list|remove`` through the same services as the API."""

import io
import sys

import pytest
from django.core.management import CommandError, call_command

from tests.factories import UserFactory
from webhooks.models import Webhook

pytestmark = pytest.mark.django_db


def run(*args: str, stdin: str | None = None) -> str:
    out = io.StringIO()
    if stdin is not None:
        saved, sys.stdin = sys.stdin, io.StringIO(stdin)
        try:
            call_command("webhook", *args, stdout=out)
        finally:
            sys.stdin = saved
    else:
        call_command("webhook", *args, stdout=out)
    return out.getvalue()


def test_add_list_remove(project, maintainer, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["192.0.2.0/24"]
    output = run(
        "add", "http://192.0.2.7/hook", "--owner", maintainer.username,
        "--project", project.linkname, "--category", "patch-created",
        "--category", "series-completed",
    )  # fmt: skip
    hook = Webhook.objects.get()
    assert output == f"created webhook {hook.pk}\nsecret: {hook.secret}\n"
    assert hook.categories == ["patch-created", "series-completed"]
    assert run("list") == (
        f"{hook.pk}\thttp://192.0.2.7/hook\t{project.linkname}\t{maintainer.username}\t"
        "patch-created,series-completed\tenabled\n"
    )
    assert run("remove", str(hook.pk)) == f"removed webhook {hook.pk}\n"
    assert not Webhook.objects.exists()


def test_secret_from_stdin(project, maintainer, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["192.0.2.0/24"]
    output = run(
        "add", "http://192.0.2.7/", "--owner", maintainer.username,
        "--project", project.linkname, "--secret-stdin",
        stdin="a-secret-of-twenty-chars\n",
    )  # fmt: skip
    assert "secret" not in output
    assert Webhook.objects.get().secret == "a-secret-of-twenty-chars"


def test_refusals_are_one_line_errors(project):
    outsider = UserFactory()
    with pytest.raises(CommandError, match="Only maintainers"):
        run(
            "add", "http://192.0.2.7/", "--owner", outsider.username, "--project", project.linkname
        )
    with pytest.raises(CommandError, match=r"target: .*loopback"):
        run("add", "http://127.0.0.1/", "--owner", UserFactory(is_superuser=True).username)
    with pytest.raises(CommandError, match="no webhook 42"):
        run("remove", "42")
