"""Which Patchwork schemas the importer takes (from the source's django_migrations rows),
which it refuses with a clear message, and how it turns the source's dates into ours."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from importer.schema import KNOWN_MIGRATIONS, UnknownSchema, detect_schema, source_queries
from importer.services import DateConverter, ImportRefused


def upto(name: str) -> list[str]:
    return list(KNOWN_MIGRATIONS[: KNOWN_MIGRATIONS.index(name) + 1])


@pytest.mark.parametrize(
    ("latest", "release", "submission_table", "addressed", "dependencies"),
    [
        ("0038_state_slug", "2.2", True, False, False),
        ("0039_unique_series_references", "2.2", True, False, False),
        ("0041_python3", "3.0", True, False, False),
        ("0044_add_project_linkname_validation", "3.0", False, False, False),
        ("0046_patch_comment_events", "3.1", False, True, False),
        ("0047_add_database_indexes", "3.2", False, True, False),
        ("0048_series_dependencies", "main (after 3.2)", False, True, True),
    ],
)
def test_known_schemas(latest, release, submission_table, addressed, dependencies):
    schema = detect_schema(upto(latest))
    assert (schema.latest, schema.release) == (latest, release)
    assert schema.submission_table is submission_table
    assert schema.addressed is addressed
    assert schema.series_dependencies is dependencies
    queries = source_queries(schema)
    assert ("series dependencies" in queries) is dependencies
    assert ("patchwork_submission" in queries["patches"].source) is submission_table


def test_a_squashed_installation_counts_as_its_migrations():
    applied = ["0001_squashed_0040_add_related_patches", *upto("0048_series_dependencies")[40:]]
    assert detect_schema(applied).latest == "0048_series_dependencies"
    assert detect_schema(["0001_squashed_0040_add_related_patches"]).release == "3.0"


@pytest.mark.parametrize(
    ("applied", "message"),
    [
        ([], "no Patchwork migrations"),
        ([*upto("0048_series_dependencies"), "0049_series_sequences"], "does not know: 0049"),
        ([*upto("0046_patch_comment_events"), "0047_note"], "0047_note"),
        (upto("0037_event_actor"), "older than Patchwork 2.2"),
        (upto("0042_add_cover_model"), "between Patchwork migrations 0042 and 0043"),
        (
            [m for m in upto("0045_addressed_fields") if m != "0040_add_related_patches"],
            "incomplete",
        ),
    ],
)
def test_unknown_schemas_are_refused_saying_why(applied, message):
    with pytest.raises(UnknownSchema, match=message):
        detect_schema(applied)


def test_aware_dates_are_shown_in_our_time_zone():
    """Patchwork's timestamptz columns hold the instant: it is shown in our TIME_ZONE
    (patch 364 of the shared dump: stored 07:30:40 UTC, Patchwork showed 18:30:40)."""
    convert = DateConverter(ZoneInfo("Australia/Canberra"))
    stored = datetime(2018, 3, 13, 7, 30, 40, tzinfo=UTC)
    assert convert(stored) == datetime(2018, 3, 13, 18, 30, 40)
    assert DateConverter(ZoneInfo("UTC"))(stored) == datetime(2018, 3, 13, 7, 30, 40)
    assert convert(None) is None


def test_naive_dates_need_the_source_time_zone():
    naive = datetime(2018, 3, 13, 18, 30, 40)
    with pytest.raises(ImportRefused, match="--source-time-zone"):
        DateConverter(ZoneInfo("UTC"))(naive)
    convert = DateConverter(ZoneInfo("UTC"), ZoneInfo("Australia/Canberra"))
    assert convert(naive) == datetime(2018, 3, 13, 7, 30, 40)
