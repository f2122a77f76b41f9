"""``manage.py webhooks run``: send the webhook outbox (deploy/systemd/patchwork-webhooks.*)."""

import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from webhooks.worker import RunCounts, run_forever, run_once


class Command(BaseCommand):
    help = """Send pending webhook deliveries, in order per hook, retrying failures with
exponential backoff. Runs until SIGTERM or SIGINT (finishing the delivery in progress);
--once sends what is due and exits."""

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        run = actions.add_parser("run", help="send deliveries (until stopped, or --once)")
        run.add_argument("--once", action="store_true", help="send what is due, then exit")
        run.add_argument(
            "--poll",
            type=float,
            default=None,
            help="seconds between looks at the outbox when idle (WEBHOOK_POLL_SECONDS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            self.report(run_once())
            return
        stopping = []

        def stop(signum, frame) -> None:
            stopping.append(signum)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        poll = options["poll"] if options["poll"] is not None else settings.WEBHOOK_POLL_SECONDS
        self.report(run_forever(lambda: bool(stopping), poll_seconds=poll))

    def report(self, counts: RunCounts) -> None:
        self.stdout.write(
            f"delivered {counts.delivered}, failed attempts {counts.failed}, "
            f"cancelled {counts.cancelled}, hooks disabled {counts.disabled}"
        )
