"""``manage.py demo``: a demo project, its maintainer and sample mail, for `make run`.

Safe to run again: the project is reset to the demo settings, an existing maintainer
account is left as it is, and mail already imported is skipped by ``parsearchive``.
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser

from people.services import create_user, issue_token
from projects.management.errors import command_error
from projects.models import Project
from projects.services import add_maintainer, create_or_update_project

DEMO_LINKNAME = "demo"
DEMO_PROJECT = {
    "name": "Demo",
    "listid": "demo.example.org",
    "listemail": "demo@example.org",
    "subject_match": "",
    "web_url": "https://demo.example.org/",
    "scm_url": "https://git.example.org/demo.git",
    "webscm_url": "https://git.example.org/demo",
    "list_archive_url": "https://lists.example.org/demo/",
    "list_archive_url_format": "https://lists.example.org/demo/{}/",
    "commit_url_format": "https://git.example.org/demo/commit/?id={}",
    "show_dependencies": True,
}
# The maintainer who acks and pulls in the sample mail.
DEMO_MAINTAINER = {
    "username": "carol",
    "email": "carol@example.org",
    "first_name": "Carol",
    "last_name": "Maintainer",
}
DEMO_MBOX = Path(settings.BASE_DIR) / "fixtures" / "demo.mbox"


class Command(BaseCommand):
    help = (
        "Create or refresh the demo project (linkname 'demo', List-Id demo.example.org) "
        "and its maintainer, then import the sample mailbox."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--mbox",
            type=Path,
            default=DEMO_MBOX,
            help=f"mailbox to import (default: {DEMO_MBOX})",
        )
        parser.add_argument(
            "--no-mail", action="store_true", help="set up the project and user only"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            project = self.set_up_project()
            self.set_up_maintainer(project)
        except ValidationError as error:
            raise command_error(error) from error
        if not options["no_mail"]:
            self.import_mail(options["mbox"])
            self.report_contents(project)

    def set_up_project(self) -> Project:
        project, created = create_or_update_project(DEMO_LINKNAME, **DEMO_PROJECT)
        self.stdout.write(f"{'created' if created else 'refreshed'} project {project.linkname}")
        return project

    def set_up_maintainer(self, project: Project) -> None:
        username = DEMO_MAINTAINER["username"]
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            fields = {key: value for key, value in DEMO_MAINTAINER.items() if key != "username"}
            user, _token = create_user(username, **fields)
            self.stdout.write(f"created maintainer {username} (no password: set one with")
            self.stdout.write(f"  manage.py changepassword {username})")
        add_maintainer(project, user)
        self.stdout.write(f"API token of {username}: {issue_token(user).key}")

    def import_mail(self, mbox: Path) -> None:
        if not mbox.is_file():
            raise CommandError(f"no mailbox at {mbox}")
        if "parsearchive" not in get_commands():
            raise CommandError(
                "cannot import the sample mail: the parsearchive command is not installed"
            )
        call_command("parsearchive", str(mbox), stdout=self.stdout, stderr=self.stderr)

    def report_contents(self, project: Project) -> None:
        self.stdout.write(
            f"project {project.linkname} holds {project.patches.count()} patches, "
            f"{project.covers.count()} cover letters and {project.series.count()} series"
        )
