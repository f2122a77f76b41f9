"""``manage.py import-patchwork``: adopt a Patchwork instance, every id, token and date kept.

Exit status: 0 imported (or finished a stopped import), 1 refused or failed (the message
says why; nothing half-written is left that a rerun would write twice).
"""

import sys
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError

from importer.schema import UnknownSchema
from importer.services import ImportRefused, ImportSummary, StopRequested, run_import
from importer.sources import PatchworkDatabase, SourceError


def public_url(url: str) -> str:
    """The URL without its password, as it is recorded and printed."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}@{netloc}" if user else netloc))


def time_zone(name: str | None) -> ZoneInfo | None:
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise CommandError(f"--source-time-zone: unknown time zone {name!r}") from error


class Command(BaseCommand):
    help = (
        "Import a Patchwork instance (its PostgreSQL database, read-only, or its REST API) "
        "into this empty database, keeping every id, password hash and API token. A "
        "stopped import continues where it stopped when run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument(
            "--from",
            dest="database",
            metavar="postgres://...",
            help="the Patchwork PostgreSQL database (only read)",
        )
        source.add_argument(
            "--from-api",
            dest="api",
            metavar="https://.../api/1.3/",
            help="the Patchwork REST API, for sites without database access",
        )
        parser.add_argument("--token", help="API token for --from-api (reads what it may)")
        parser.add_argument(
            "--source-time-zone",
            metavar="ZONE",
            help="the TIME_ZONE of the Patchwork settings (e.g. Australia/Canberra): "
            "required with --from-api and for dates stored without a time zone",
        )
        parser.add_argument(
            "--merge",
            action="store_true",
            help="import into a database that is not empty, refused if any id collides",
        )
        parser.add_argument("--batch-size", type=int, default=1000, help="rows per transaction")
        parser.add_argument(
            "--stop-after-batches",
            type=int,
            metavar="N",
            help="stop after N batches (to try out a resume: run again without it)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        source_zone = time_zone(options["source_time_zone"])
        if options["api"]:
            from importer.api import PatchworkAPI

            if source_zone is None:
                raise CommandError(
                    "--from-api needs --source-time-zone: the API shows dates in the "
                    "source's TIME_ZONE without saying which it is"
                )
            open_source = lambda: PatchworkAPI(options["api"], token=options["token"])  # noqa: E731
            name = options["api"]
        else:
            open_source = lambda: PatchworkDatabase(options["database"])  # noqa: E731
            name = public_url(options["database"])
        try:
            source = open_source()
        except (SourceError, UnknownSchema) as error:
            raise CommandError(str(error)) from error
        try:
            naive = source.naive_date_columns()
            if naive and source_zone is None:
                raise CommandError(
                    "the source stores dates without a time zone ("
                    + ", ".join(naive[:5])
                    + "...): give --source-time-zone, the TIME_ZONE of its Patchwork settings"
                )
            self.stdout.write(f"importing {source.schema} from {name}")
            summary = run_import(
                source,
                source_name=name,
                source_zone=source_zone,
                merge=options["merge"],
                batch_size=options["batch_size"],
                progress=self.progress if sys.stderr.isatty() else None,
                stop_after_batches=options["stop_after_batches"],
            )
        except ImportRefused as error:
            raise CommandError(f"import refused: {error}") from error
        except StopRequested as error:
            raise CommandError(f"{error}; run the same command again to finish") from error
        except IntegrityError as error:
            raise CommandError(
                f"import stopped, a row conflicts with one already here: {error}"
            ) from error
        finally:
            source.close()
        self.report(summary)

    _last_progress = 0.0

    def progress(self, table: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last_progress < 0.2 and done < total:
            return
        self._last_progress = now
        sys.stderr.write(
            f"\r\033[K{table}: {done}/{total}" if total else f"\r\033[K{table}: {done}"
        )
        if total and done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    def report(self, summary: ImportSummary) -> None:
        verb = "finished the import" if summary.resumed else "imported"
        self.stdout.write(f"{verb} from {summary.run.source} in {summary.seconds:.1f}s")
        self.stdout.write(f"{'table':<22}{'rows':>10}{'seconds':>10}")
        for table in summary.tables:
            self.stdout.write(f"{table.name:<22}{table.rows:>10}{table.seconds:>10.1f}")
        self.stdout.write(f"{'total':<22}{sum(t.rows for t in summary.tables):>10}")
