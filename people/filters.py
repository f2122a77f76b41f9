"""Filters of the people and user lists."""

from django.contrib.auth import get_user_model

from patchwork_api.api.filters import AnyFieldSearchFilter, BaseFilterSet
from people.models import Person


class PersonFilterSet(BaseFilterSet):
    q = AnyFieldSearchFilter(search_fields=("name", "email"))

    class Meta:
        model = Person
        fields = ()


class UserFilterSet(BaseFilterSet):
    q = AnyFieldSearchFilter(search_fields=("username", "first_name", "last_name", "email"))

    class Meta:
        model = get_user_model()
        fields = ()
