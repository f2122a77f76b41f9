"""The plain-SQL writes of ingest: the values they send are the ones the ORM would send."""

import datetime

import pytest
from django.db import connection

from covers.models import Cover, CoverComment
from ingest import rows
from patches.models import Patch, PatchComment
from series.models import Series, SeriesReference
from tests.factories import PersonFactory, ProjectFactory

SAMPLES = {str: "text", int: 7, bool: True}
WRITTEN = [Patch, PatchComment, Cover, CoverComment, Series, SeriesReference]


@pytest.mark.parametrize(
    "field",
    [
        field
        for model in WRITTEN
        for field in model._meta.concrete_fields
        if rows._plain_type(field) is not None  # the others are converted by the field
    ],
    ids=lambda field: f"{field.model.__name__}.{field.attname}",
)
def test_values_passed_unchanged_are_the_ones_the_field_would_send(field):
    plain_type = rows._plain_type(field)
    value = SAMPLES[plain_type]

    assert field.get_db_prep_save(value, connection) == value
    assert type(field.get_db_prep_save(value, connection)) is plain_type


@pytest.mark.parametrize(
    ("model", "name"),
    [(Patch, "date"), (Patch, "updated"), (Series, "version"), (Patch, "number")],
)
def test_dates_and_counts_are_converted_by_their_field(model, name):
    assert rows._plain_type(model._meta.get_field(name)) is None


@pytest.mark.django_db
def test_an_inserted_row_reads_back_as_written():
    values = {
        "project_id": ProjectFactory().id,
        "submitter_id": PersonFactory().id,
        "date": datetime.datetime(2024, 1, 1, 12, 0),
        "version": 2,
        "total": 3,
        "received_total": 1,
        "name": "widgets",
    }

    series = rows.insert_new(Series, values)

    stored = Series.objects.filter(pk=series.pk).values(*values).get()
    assert stored == values
