"""The store step of an import from Patchwork: rows in, with their ids, batch by batch.

The rows are written with ``bulk_create`` and not through each domain's services: those
services record what a user does *now* (an event, ``updated`` bumped, a notification),
while an import copies what already happened, events included. Bulk writes are the one
store step of this import, as ``store_message`` is the one store step of mail; each batch
is one transaction together with the run's progress, so a stopped import resumes after
its last committed batch and never writes a row twice.
"""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from bundles.models import Bundle, BundlePatch
from covers.models import Cover, CoverComment
from events.models import Event
from importer.models import ImportRun
from patches.models import Check, Patch, PatchComment, PatchRelation, PatchTag, State, Tag
from people.models import Person, UserProfile
from projects.models import DelegationRule, Project
from series.models import Series, SeriesReference


class ImportRefused(Exception):
    """The import would mix two instances' rows or write rows twice."""


def target_models() -> dict[str, type[models.Model]]:
    """The model each source table is written to, in import order (foreign keys first)."""
    return {
        "users": get_user_model(),
        "projects": Project,
        "profiles": UserProfile,
        "maintainers": Project.maintainers.through,
        "tokens": Token,
        "people": Person,
        "states": State,
        "tags": Tag,
        "delegation rules": DelegationRule,
        "relations": PatchRelation,
        "covers": Cover,
        "series": Series,
        "series dependencies": Series.dependencies.through,
        "series references": SeriesReference,
        "patches": Patch,
        "patch comments": PatchComment,
        "cover comments": CoverComment,
        "patch tags": PatchTag,
        "checks": Check,
        "bundles": Bundle,
        "bundle patches": BundlePatch,
        "events": Event,
    }


# A source row may carry rows it refers to (users and people the API embeds), written
# first in the same transaction unless they exist: {"users": [row, ...], ...}.
NEEDS = "_needs"

# Rows that the migrations of an empty database already hold and an import replaces.
SEEDED = ("states", "tags")


@dataclass
class DateConverter:
    """Turns the source's dates into the naive local times this server stores.

    Patchwork runs with ``USE_TZ = False``: Django writes the naive time in its
    ``TIME_ZONE`` over a connection in that zone, so a ``timestamp with time zone``
    column holds the right instant and reads back aware; it only has to be shown in this
    server's ``TIME_ZONE``. A naive value (a column without time zone, or an API answer)
    is a time in the source's zone, which must then be known.
    """

    target_zone: ZoneInfo
    source_zone: ZoneInfo | None = None

    def __call__(self, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if timezone.is_naive(value):
            if self.source_zone is None:
                raise ImportRefused(
                    "the source holds dates without a time zone: give --source-time-zone "
                    "(the TIME_ZONE of the Patchwork settings)"
                )
            value = value.replace(tzinfo=self.source_zone)
        return value.astimezone(self.target_zone).replace(tzinfo=None)


def date_fields(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)]


@dataclass
class TableResult:
    name: str
    rows: int = 0
    seconds: float = 0.0


@dataclass
class ImportSummary:
    run: ImportRun
    tables: list[TableResult] = field(default_factory=list)
    seconds: float = 0.0
    resumed: bool = False


class StopRequested(Exception):
    """Raised after the number of batches asked for (to try a resume)."""


def importable_models() -> list[type[models.Model]]:
    return list(target_models().values())


def existing_content() -> dict[str, int]:
    """Rows already in this database's tables that an import writes (seeded states and
    tags aside), by table name."""
    counts = {}
    for name, model in target_models().items():
        if name in SEEDED:
            continue
        count = model.objects.count() if name != "tokens" else Token.objects.count()
        if count:
            counts[name] = count
    return counts


def open_run(source: str, schema: str, *, merge: bool) -> tuple[ImportRun, bool]:
    """The run to continue (an unfinished import of the same source) or a new one; refuse
    a second import and an import into a database that is not empty (unless ``merge``)."""
    finished = ImportRun.objects.filter(finished__isnull=False).first()
    unfinished = ImportRun.objects.filter(finished__isnull=True).first()
    if unfinished is not None:
        if unfinished.source != source:
            raise ImportRefused(
                f"an unfinished import from {unfinished.source} (started "
                f"{unfinished.started:%Y-%m-%d %H:%M}) is in this database; finish it by "
                "running that import again"
            )
        return unfinished, True
    if finished is not None and not merge:
        raise ImportRefused(
            f"this database already holds an import from {finished.source} (finished "
            f"{finished.finished:%Y-%m-%d %H:%M}); import into an empty database, or use "
            "--merge when the ids of the two instances do not collide"
        )
    content = existing_content()
    if content and not merge:
        listed = ", ".join(f"{count} {name}" for name, count in content.items())
        raise ImportRefused(
            f"this database is not empty ({listed}); import into an empty database, or "
            "use --merge when the ids of the two instances do not collide"
        )
    run = ImportRun.objects.create(source=source, schema=schema, merge=merge)
    return run, False


def find_collisions(model: type[models.Model], keys: Iterator[list[Any]]) -> list[Any]:
    """Keys of ``keys`` (in batches) that this database already uses (at most 10)."""
    found: list[Any] = []
    for batch in keys:
        found.extend(model.objects.filter(pk__in=batch).values_list("pk", flat=True)[:10])
        if len(found) >= 10:
            break
    return found[:10]


def refuse_colliding_ids(source, batch_size: int) -> None:
    """Before a merge writes anything: refuse it if any source id is used here (states
    and tags may be the same rows on both sides, checked as they are imported)."""
    models_by_name = target_models()
    for name, query in source.queries.items():
        if name in SEEDED or (name == "tokens" and not source.has_table("authtoken_token")):
            continue
        keys = (
            [row[query.key_field] for row in rows]
            for rows in source.batches(query, None, batch_size)
        )
        collisions = find_collisions(models_by_name[name], keys)
        if collisions:
            raise ImportRefused(
                f"--merge refused: {name} with ids {collisions} exist in both databases"
            )


def same_seeded_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> list[dict]:
    """For a merge: the source's states or tags minus those this database already has with
    the same id and the same values; a different row with the same id is a collision."""
    remaining = []
    for row in rows:
        existing = model.objects.filter(pk=row["id"]).values(*row).first()
        if existing is None:
            remaining.append(row)
        elif existing != row:
            raise ImportRefused(
                f"{model._meta.verbose_name} {row['id']} differs here ({existing}) and in "
                f"the source ({row}); --merge needs the same ids to mean the same thing"
            )
    return remaining


def store_batch(
    run: ImportRun,
    name: str,
    model: type[models.Model],
    rows: list[dict[str, Any]],
    *,
    key_field: str,
    convert_date: DateConverter,
) -> None:
    """Write one batch of rows with their ids and record the progress, in one
    transaction."""
    needed: dict[str, dict[Any, dict]] = {}
    objects = []
    for row in rows:
        values = dict(row)
        for table, needed_rows in values.pop(NEEDS, {}).items():
            for needed_row in needed_rows:
                needed.setdefault(table, {})[needed_row["id"]] = needed_row
        objects.append(instance(model, values, convert_date))
    last_key = rows[-1][key_field]
    models_by_name = target_models()
    with transaction.atomic():
        for table, needed_rows in needed.items():
            needed_model = models_by_name[table]
            models_by_name[table].objects.bulk_create(
                [instance(needed_model, row, convert_date) for row in needed_rows.values()],
                ignore_conflicts=True,
            )
        model.objects.bulk_create(objects)
        run.progress[name] = last_key
        ImportRun.objects.filter(pk=run.pk).update(progress=run.progress)


def instance(
    model: type[models.Model], values: dict[str, Any], convert_date: DateConverter
) -> models.Model:
    values = dict(values)
    for date_field in date_fields(model):
        if date_field in values:
            values[date_field] = convert_date(values[date_field])
    return model(**values)


def replace_seeded(run: ImportRun, name: str, model: type[models.Model]) -> None:
    """Before the first batch of states or tags into an empty database: remove the
    defaults the migrations loaded, so that the source's rows keep their own ids."""
    if run.merge or name in run.progress:
        return
    if Patch.objects.exists():
        raise ImportRefused("patches exist already: the states cannot be replaced")
    model.objects.all().delete()


def without_existing(model: type[models.Model], rows: list[dict], key_field: str) -> list[dict]:
    keys = [row[key_field] for row in rows]
    existing = set(model.objects.filter(pk__in=keys).values_list("pk", flat=True))
    return [row for row in rows if row[key_field] not in existing]


def reset_sequences() -> None:
    """Make new rows continue after the highest imported id (PostgreSQL sequences;
    SQLite follows the highest id by itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), importable_models())
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


Progress = Callable[[str, int, int], None]


def import_tables(
    source,
    run: ImportRun,
    *,
    convert_date: DateConverter,
    batch_size: int,
    progress: Progress | None = None,
    stop_after_batches: int | None = None,
) -> list[TableResult]:
    """Copy every table of ``source`` after the run's progress, batch by batch."""
    results = []
    batches_done = 0
    models_by_name = target_models()
    for name, query in source.queries.items():
        model = models_by_name[name]
        if name == "tokens" and not source.has_table("authtoken_token"):
            continue
        result = TableResult(name)
        started = time.monotonic()
        total = source.count(query)
        if name in SEEDED:
            replace_seeded(run, name, model)
        after = run.progress.get(name)
        # A source that cannot start after a key (the REST API) is walked again from the
        # start; the rows already written are left out.
        by_existing = getattr(source, "resume_by_existing", False) and name in run.progress
        done = 0
        for rows in source.batches(query, None if by_existing else after, batch_size):
            if by_existing:
                rows = without_existing(model, rows, query.key_field)
                if not rows:
                    continue
            batch = same_seeded_rows(model, rows) if run.merge and name in SEEDED else rows
            if batch:
                store_batch(
                    run,
                    name,
                    model,
                    batch,
                    key_field=query.key_field,
                    convert_date=convert_date,
                )
            done += len(rows)
            result.rows += len(batch)
            batches_done += 1
            if progress:
                progress(name, done, total)
            if stop_after_batches is not None and batches_done >= stop_after_batches:
                raise StopRequested(f"stopped after {batches_done} batches, as asked")
        result.seconds = time.monotonic() - started
        results.append(result)
    return results


def run_import(
    source,
    *,
    source_name: str,
    source_zone: ZoneInfo | None = None,
    merge: bool = False,
    batch_size: int = 1000,
    progress: Progress | None = None,
    stop_after_batches: int | None = None,
) -> ImportSummary:
    """Import everything ``source`` holds, or finish an import of it that was stopped."""
    started = time.monotonic()
    unfinished = ImportRun.objects.filter(finished__isnull=True, source=source_name)
    if merge and not unfinished.exists():
        refuse_colliding_ids(source, batch_size)
    run, resumed = open_run(source_name, str(source.schema), merge=merge)
    convert_date = DateConverter(ZoneInfo(settings.TIME_ZONE), source_zone)
    tables = import_tables(
        source,
        run,
        convert_date=convert_date,
        batch_size=batch_size,
        progress=progress,
        stop_after_batches=stop_after_batches,
    )
    reset_sequences()
    run.finished = timezone.now()
    run.save(update_fields=["finished"])
    return ImportSummary(
        run=run, tables=tables, seconds=time.monotonic() - started, resumed=resumed
    )
