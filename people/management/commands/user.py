"""``manage.py user``: create users with their API token, show or renew a token, set a
password, list users."""

import os
import sys
from pathlib import Path
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from people.services import create_user, find_user, issue_token, set_password
from projects.management.errors import command_error
from triage.checks import ci_user_ids, set_ci_role


class Command(BaseCommand):
    help = (
        "Manage users: add one (with its profile and API token), print or regenerate a "
        "user's API token, set a user's password (read from standard input), list users."
    )
    # Tests hand the password in through call_command(..., stdin=...).
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        add = actions.add_parser("add", help="create a user, its profile and its API token")
        add.add_argument("username")
        add.add_argument("--email", required=True)
        add.add_argument("--first-name", default="")
        add.add_argument("--last-name", default="")
        password = add.add_mutually_exclusive_group()
        password.add_argument(
            "--password", help="login password (visible to other local users; prefer stdin)"
        )
        password.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input",
        )
        add.add_argument(
            "--superuser", action="store_true", help="give every permission and admin access"
        )
        add.add_argument(
            "--token",
            metavar="KEY",
            help="keep this API token (40 hex characters), e.g. one from another instance",
        )
        add.add_argument(
            "--ci",
            action="store_true",
            help="CI account: may post checks on every project without maintaining it",
        )
        _add_token_out_option(add)

        ci = actions.add_parser(
            "ci", help="give a user the CI role (posting checks everywhere), or --remove it"
        )
        ci.add_argument("username")
        ci.add_argument("--remove", action="store_true", help="take the CI role back")

        token = actions.add_parser("token", help="print a user's API token, creating it")
        token.add_argument("username")
        token.add_argument(
            "--regenerate", action="store_true", help="replace the token with a new one"
        )
        _add_token_out_option(token)

        password = actions.add_parser(
            "password", help="set a user's login password, read from standard input"
        )
        password.add_argument("username")

        actions.add_parser("list", help="list users with their maintained projects")

    def handle(self, *args: Any, **options: Any) -> None:
        handlers = {
            "add": self.add_user,
            "token": self.show_token,
            "password": self.change_password,
            "list": self.list_users,
            "ci": self.set_ci,
        }
        try:
            handlers[options["action"]](options)
        except ValidationError as error:
            raise command_error(error) from error

    def add_user(self, options: dict[str, Any]) -> None:
        password = options["password"]
        if options["password_stdin"]:
            password = _read_password(options.get("stdin") or sys.stdin)
        with transaction.atomic():
            user, token = create_user(
                options["username"],
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                password=password,
                superuser=options["superuser"],
                token_key=options["token"],
            )
            if options["ci"]:
                set_ci_role(user, True)
            # Written before the commit, so a file that cannot be written leaves no user.
            self._hand_out_token(token.key, options["token_out"])
        self.stderr.write(f"created user {user.username} (id {user.pk})")

    def show_token(self, options: dict[str, Any]) -> None:
        user = find_user(options["username"])
        with transaction.atomic():
            token = issue_token(user, regenerate=options["regenerate"])
            self._hand_out_token(token.key, options["token_out"])

    def change_password(self, options: dict[str, Any]) -> None:
        user = find_user(options["username"])
        password = _read_password(options.get("stdin") or sys.stdin, option="user password")
        set_password(user, password)
        self.stderr.write(f"password of {user.username} changed")

    def set_ci(self, options: dict[str, Any]) -> None:
        user = find_user(options["username"])
        set_ci_role(user, not options["remove"])
        role = "no longer has" if options["remove"] else "has"
        self.stderr.write(f"{user.username} {role} the CI role")

    def list_users(self, options: dict[str, Any]) -> None:
        users = (
            get_user_model().objects.order_by("username").prefetch_related("maintained_projects")
        )
        ci_ids = ci_user_ids()
        for user in users:
            role = "superuser" if user.is_superuser else "ci" if user.pk in ci_ids else "user"
            projects = ",".join(project.linkname for project in user.maintained_projects.all())
            self.stdout.write(
                f"{user.pk}\t{user.username}\t{user.email}\t{role}\tmaintains: {projects or '-'}"
            )

    def _hand_out_token(self, key: str, token_path: str | None) -> None:
        """Print the token on stdout, or write it to a file only its owner can read."""
        if token_path is None:
            self.stdout.write(key)
            return
        write_private_file(Path(token_path), key + "\n")
        self.stderr.write(f"token written to {token_path}")


def _add_token_out_option(parser: CommandParser) -> None:
    parser.add_argument(
        "--token-out",
        metavar="FILE",
        help="write the token to FILE (mode 0600) instead of printing it",
    )


def _read_password(stream: TextIO, option: str = "--password-stdin") -> str:
    """The first line of ``stream``, without its line ending."""
    password = stream.readline().rstrip("\r\n")
    if not password:
        raise CommandError(f"{option}: standard input held no password")
    return password


def write_private_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only, even if the file existed."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as error:
        raise CommandError(f"cannot write the token to {path}: {error.strerror}") from error
    with os.fdopen(descriptor, "w", encoding="ascii") as stream:
        os.fchmod(stream.fileno(), 0o600)
        stream.write(text)
