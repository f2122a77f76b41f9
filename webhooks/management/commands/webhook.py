"""``manage.py webhook``: add, list and remove webhooks (README "Webhooks")."""

import sys
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from events.models import Event
from people.services import find_user
from projects.management.errors import command_error
from projects.services import find_project
from webhooks import services
from webhooks.models import Webhook


class Command(BaseCommand):
    help = "Manage webhooks: add, list, remove."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = actions.add_parser("add", help="register a webhook; prints its id and secret")
        add.add_argument("target", help="the http(s) URL events are posted to")
        add.add_argument(
            "--owner", required=True, help="the user owning the hook (maintainer or admin)"
        )
        add.add_argument(
            "--project", help="link name of the project (default: every project; admins)"
        )
        add.add_argument(
            "--category",
            dest="categories",
            action="append",
            choices=Event.Category.values,
            metavar="CATEGORY",
            help="an event category to send (repeat it; default: every category)",
        )
        add.add_argument(
            "--secret-stdin",
            action="store_true",
            help="read the HMAC secret from standard input (default: generate one)",
        )
        actions.add_parser("list", help="list the webhooks")
        remove = actions.add_parser("remove", help="remove a webhook and its delivery log")
        remove.add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        handlers = {"add": self.add, "list": self.list, "remove": self.remove}
        try:
            handlers[options["action"]](options)
        except ValidationError as error:
            raise command_error(error) from error
        except PermissionDenied as error:
            raise CommandError(str(error)) from error

    def add(self, options: dict[str, Any]) -> None:
        owner = find_user(options["owner"])
        project = find_project(options["project"]) if options["project"] else None
        secret = sys.stdin.readline().strip() if options["secret_stdin"] else None
        hook = services.create_webhook(
            owner=owner,
            target=options["target"],
            project=project,
            categories=options["categories"],
            secret=secret,
        )
        self.stdout.write(f"created webhook {hook.pk}")
        if secret is None:
            self.stdout.write(f"secret: {hook.secret}")

    def list(self, options: dict[str, Any]) -> None:
        hooks = Webhook.objects.select_related("owner", "project").order_by("id")
        for hook in hooks:
            state = (
                "enabled" if hook.enabled else f"disabled ({hook.disabled_reason or 'by hand'})"
            )
            project = hook.project.linkname if hook.project else "*"
            categories = ",".join(hook.categories) or "*"
            self.stdout.write(
                f"{hook.pk}\t{hook.target}\t{project}\t{hook.owner.username}\t{categories}\t"
                f"{state}"
            )

    def remove(self, options: dict[str, Any]) -> None:
        hook = Webhook.objects.filter(pk=options["id"]).select_related("owner").first()
        if hook is None:
            raise CommandError(f"no webhook {options['id']}")
        services.delete_webhook(hook, actor=hook.owner)
        self.stdout.write(f"removed webhook {options['id']}")
