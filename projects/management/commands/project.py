"""``manage.py project``: add, update, list and show projects, grant maintainership."""

import argparse
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count

from people.services import find_user
from projects.management.errors import command_error
from projects.models import Project
from projects.services import (
    EDITABLE_FIELDS,
    add_maintainer,
    create_project,
    find_project,
    remove_maintainer,
    update_project,
)

# Options that name a text field of the project: (option, field, help).
TEXT_OPTIONS = (
    ("--name", "name", "human-readable project name (unique)"),
    ("--listid", "listid", "List-Id of the mailing list, without <>, e.g. dev.example.org"),
    ("--listemail", "listemail", "posting address of the mailing list"),
    (
        "--subject-match",
        "subject_match",
        "regular expression a subject must match when several projects share a list",
    ),
    ("--web-url", "web_url", "project home page"),
    ("--scm-url", "scm_url", "repository URL to clone from"),
    ("--webscm-url", "webscm_url", "web view of the repository"),
    ("--list-archive-url", "list_archive_url", "web archive of the mailing list"),
    (
        "--list-archive-url-format",
        "list_archive_url_format",
        "archive URL of one message, {} standing for the Message-ID",
    ),
    (
        "--commit-url-format",
        "commit_url_format",
        "web URL of one commit, {} standing for the commit id",
    ),
)
# Options that switch a boolean field on (--X) or off (--no-X).
SWITCH_OPTIONS = (
    ("--show-dependencies", "show_dependencies", "show series dependencies (API 1.4)"),
    ("--use-tags", "use_tags", "count review tags on patches"),
    ("--send-notifications", "send_notifications", "mail submitters on state changes"),
    (
        "--auto-supersede",
        "auto_supersede",
        "a new version of a series supersedes the previous version's patches",
    ),
)
REQUIRED_ON_ADD = ("name", "listid", "listemail")


class Command(BaseCommand):
    help = "Manage projects: add, update, list, show, and grant or revoke maintainership."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        add = actions.add_parser("add", help="create a project")
        add.add_argument("linkname", help="short name used in URLs (letters, digits, -, _)")
        _add_field_options(add, required=REQUIRED_ON_ADD)

        update = actions.add_parser("update", help="change settings of a project")
        update.add_argument("linkname")
        _add_field_options(update, required=())

        actions.add_parser("list", help="list the projects")

        show = actions.add_parser("show", help="print every setting of a project")
        show.add_argument("linkname")

        maintainer = actions.add_parser(
            "maintainer", help="make a user maintainer of a project (or stop it with --remove)"
        )
        maintainer.add_argument("linkname")
        maintainer.add_argument("username")
        maintainer.add_argument(
            "--remove", action="store_true", help="revoke maintainership instead"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        handlers = {
            "add": self.add_project,
            "update": self.update_project,
            "list": self.list_projects,
            "show": self.show_project,
            "maintainer": self.set_maintainer,
        }
        try:
            handlers[options["action"]](options)
        except ValidationError as error:
            raise command_error(error) from error

    def add_project(self, options: dict[str, Any]) -> None:
        project = create_project(options["linkname"], **_given_fields(options))
        self.stdout.write(f"created project {project.linkname} (id {project.pk})")

    def update_project(self, options: dict[str, Any]) -> None:
        changes = _given_fields(options)
        if not changes:
            raise ValidationError("nothing to change: give at least one option")
        project = update_project(find_project(options["linkname"]), **changes)
        self.stdout.write(f"updated project {project.linkname}: {', '.join(sorted(changes))}")

    def list_projects(self, options: dict[str, Any]) -> None:
        projects = Project.objects.annotate(maintainer_total=Count("maintainers")).order_by(
            "linkname"
        )
        for project in projects:
            subject_match = f" subject~{project.subject_match!r}" if project.subject_match else ""
            self.stdout.write(
                f"{project.pk}\t{project.linkname}\t{project.listid}{subject_match}\t"
                f"{project.name}\t{project.maintainer_total} maintainer(s)"
            )

    def show_project(self, options: dict[str, Any]) -> None:
        project = find_project(options["linkname"])
        self.stdout.write(f"id: {project.pk}")
        self.stdout.write(f"linkname: {project.linkname}")
        for field_name in EDITABLE_FIELDS:
            self.stdout.write(f"{field_name}: {getattr(project, field_name)}")
        usernames = project.maintainers.order_by("username").values_list("username", flat=True)
        self.stdout.write(f"maintainers: {', '.join(usernames)}")

    def set_maintainer(self, options: dict[str, Any]) -> None:
        project = find_project(options["linkname"])
        user = find_user(options["username"])
        if options["remove"]:
            remove_maintainer(project, user)
            self.stdout.write(f"{user.username} no longer maintains {project.linkname}")
        else:
            add_maintainer(project, user)
            self.stdout.write(f"{user.username} maintains {project.linkname}")


def _add_field_options(parser: CommandParser, *, required: tuple[str, ...]) -> None:
    for option, field_name, help_text in TEXT_OPTIONS:
        parser.add_argument(
            option, dest=field_name, required=field_name in required, help=help_text
        )
    for option, field_name, help_text in SWITCH_OPTIONS:
        parser.add_argument(
            option, dest=field_name, action=argparse.BooleanOptionalAction, help=help_text
        )


def _given_fields(options: dict[str, Any]) -> dict[str, Any]:
    """The field values given on the command line (absent options are None)."""
    return {
        field_name: options[field_name]
        for field_name in EDITABLE_FIELDS
        if options.get(field_name) is not None
    }
