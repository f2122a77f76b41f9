"""Query shaping of people and users for the REST API (list and detail alike)."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from people.models import Person


def people_for_api() -> QuerySet:
    """People with their linked user (embedded in every person)."""
    return Person.objects.select_related("user")


def users_for_api(*, detail: bool = False) -> QuerySet:
    """Users; the detail view also reads the profile (the 1.2 ``settings``)."""
    users = get_user_model().objects.all()
    return users.select_related("profile") if detail else users
