"""The sender of a mail as a Person: one per e-mail address, the latest name kept; a new
person belongs to the user registered with its address, if any."""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from ingest.store.context import IngestContext
from ingest.store.locking import lock_person_email
from people.models import Person

FIELD_LENGTH = 255


def get_or_create_person(context: IngestContext, name: str | None, email: str) -> Person:
    """The person with this e-mail (any case), created if new, renamed if the name changed.

    As in Patchwork, a new person's name is None for a bare address (``a@example.org``)
    and "" for an address with an empty display part (``<a@example.org>``)."""
    email = email.strip()[:FIELD_LENGTH]
    name = name.strip()[:FIELD_LENGTH] if name is not None else None
    key = email.lower()
    person = context.people.get(key)
    if person is None:
        person = _find_or_create(name, email)
        context.people[key] = person
    if name and name != person.name:
        person.name = name
        Person.objects.filter(pk=person.pk).update(name=name)
    return person


def _find_or_create(name: str | None, email: str) -> Person:
    # The exact match uses the unique index; the case-insensitive one is the fallback.
    person = Person.objects.filter(email=email).first()
    if person is not None:
        return person
    lock_person_email(email)
    person = Person.objects.filter(email__iexact=email).order_by("id").first()
    if person is not None:
        return person
    try:
        with transaction.atomic():
            return Person.objects.create(name=name, email=email, user_id=_user_id(email))
    except IntegrityError:
        # Another process created it between our look-up and our insert.
        return Person.objects.get(email=email)


def _user_id(email: str) -> int | None:
    """The account registered with this address (the oldest), which a new person joins."""
    return (
        get_user_model()
        .objects.filter(email__iexact=email)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
