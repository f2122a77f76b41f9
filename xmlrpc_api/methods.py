"""The XML-RPC methods pwclient calls, with Patchwork's names, arguments and answers.

Lookups of one object answer an empty struct (or ``""`` for mbox and diff) when the
id matches nothing, as Patchwork does; the two writes (``patch_set``, ``check_create``)
need HTTP Basic credentials and go through the same services as the REST API.
"""

from typing import Any

from django.db.models import Q, QuerySet

from downloads.mbox import patch_to_mbox
from downloads.queries import mbox_patches
from patches.models import Check, Patch, State
from people.models import Person
from projects.models import Project
from xmlrpc_api import serializers
from xmlrpc_api.dispatcher import Dispatcher
from xmlrpc_api.errors import XmlRpcError
from xmlrpc_api.filters import (
    check_user,
    delegate_person,
    field,
    filtered,
    limit,
    msgid_field,
    serialized,
)

# The interface version Patchwork 3.x reports (1.3: negative max_count on checks).
RPC_VERSION = (1, 3, 0)

dispatcher = Dispatcher()
xmlrpc_method = dispatcher.method

PATCH_FILTERS = {
    "id": field("id"),
    "name": field("name"),
    "project_id": field("project_id"),
    "submitter_id": field("submitter_id"),
    "delegate_id": delegate_person,
    "archived": field("archived"),
    "state_id": field("state_id"),
    "date": field("date"),
    "commit_ref": field("commit_ref"),
    "hash": field("hash"),
    "msgid": msgid_field,
    # pwclient sends ``series`` for ``list -S``; Patchwork's endpoint had no such
    # field and answered nothing, which no caller can have relied on.
    "series": field("series_id"),
    "series_id": field("series_id"),
}
CHECK_FILTERS = {
    "id": field("id"),
    "user": check_user,
    "user_id": field("user_id"),
    "project_id": field("patch__project_id"),
    "patch_id": field("patch_id"),
}


def _id(value: Any) -> int | None:
    """An object id from the caller, or None when it is not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _patches() -> QuerySet[Patch]:
    """Patches with what ``patch_to_dict`` reads, without the big text columns."""
    return (
        Patch.objects.select_related("project", "state", "submitter", "delegate")
        .defer("content", "headers", "diff")
        .order_by("date", "id")
    )


def _checks() -> QuerySet[Check]:
    return Check.objects.select_related("patch", "user").only(
        *("id", "date", "patch_id", "user_id", "state", "target_url", "description"),
        *("context", "patch__id", "patch__name", "user__id", "user__username"),
    )


def _one(queryset: QuerySet, object_id: Any) -> Any:
    """The row with this id, or None (also for ids that are not numbers)."""
    object_id = _id(object_id)
    return None if object_id is None else queryset.filter(id=object_id).first()


def _search(queryset: QuerySet, condition: Q | None, max_count: Any) -> list:
    if condition is not None:
        queryset = queryset.filter(condition)
    try:
        count = int(max_count or 0)
    except (TypeError, ValueError):
        raise XmlRpcError(f"max_count must be an integer, got {max_count!r}") from None
    return limit(queryset, count)


@xmlrpc_method()
def pw_rpc_version() -> tuple[int, int, int]:
    """The version of this XML-RPC interface (not of the server)."""
    return RPC_VERSION


@xmlrpc_method()
def project_list(search_str: str | None = None, max_count: int = 0) -> list[dict]:
    """Projects whose link name contains ``search_str`` (case-insensitive)."""
    condition = Q(linkname__icontains=search_str) if search_str else None
    projects = _search(Project.objects.order_by("linkname"), condition, max_count)
    return serialized(projects, serializers.project_to_dict)


@xmlrpc_method()
def project_get(project_id: int) -> dict:
    project = _one(Project.objects.all(), project_id)
    return serializers.project_to_dict(project) if project else {}


@xmlrpc_method()
def person_list(search_str: str | None = None, max_count: int = 0) -> list[dict]:
    """People whose name or e-mail address contains ``search_str`` (case-insensitive)."""
    condition = (
        Q(name__icontains=search_str) | Q(email__icontains=search_str) if search_str else None
    )
    people = _search(Person.objects.select_related("user").order_by("id"), condition, max_count)
    return serialized(people, serializers.person_to_dict)


@xmlrpc_method()
def person_get(person_id: int) -> dict:
    person = _one(Person.objects.select_related("user"), person_id)
    return serializers.person_to_dict(person) if person else {}


@xmlrpc_method()
def patch_list(filters: dict | None = None) -> list[dict]:
    """Patches matching every entry of the filter struct, oldest first."""
    return serialized(filtered(_patches(), filters, PATCH_FILTERS), serializers.patch_to_dict)


@xmlrpc_method()
def patch_get(patch_id: int) -> dict:
    patch = _one(_patches(), patch_id)
    return serializers.patch_to_dict(patch) if patch else {}


@xmlrpc_method()
def patch_get_by_hash(patch_hash: str) -> dict:
    """The patch with this diff hash; empty when none or several projects have it."""
    return _unique_patch(_patches().filter(hash=patch_hash))


@xmlrpc_method()
def patch_get_by_project_hash(linkname: str, patch_hash: str) -> dict:
    """The patch with this diff hash in the project of this link name."""
    return _unique_patch(_patches().filter(project__linkname=linkname, hash=patch_hash))


def _unique_patch(patches: QuerySet[Patch]) -> dict:
    # Patchwork's .get() faults on several matches; an ambiguous hash is answered as
    # "no such patch" instead, which pwclient reports properly.
    found = list(patches[:2])
    return serializers.patch_to_dict(found[0]) if len(found) == 1 else {}


@xmlrpc_method()
def patch_get_mbox(patch_id: int) -> str:
    """The patch as an mbox message (trailers from replies included), or ``""``."""
    patch = _one(mbox_patches(), patch_id)
    return patch_to_mbox(patch) if patch else ""


@xmlrpc_method()
def patch_get_diff(patch_id: int) -> str:
    patch = _one(Patch.objects.only("id", "diff"), patch_id)
    return (patch.diff or "") if patch else ""


@xmlrpc_method()
def state_list(search_str: str | None = None, max_count: int = 0) -> list[dict]:
    """States whose name contains ``search_str`` (case-insensitive), in their order."""
    condition = Q(name__icontains=search_str) if search_str else None
    states = _search(State.objects.order_by("ordering"), condition, max_count)
    return serialized(states, serializers.state_to_dict)


@xmlrpc_method()
def state_get(state_id: int) -> dict:
    state = _one(State.objects.all(), state_id)
    return serializers.state_to_dict(state) if state else {}


@xmlrpc_method()
def check_list(filters: dict | None = None) -> list[dict]:
    """Checks matching every entry of the filter struct, oldest first."""
    checks = filtered(_checks().order_by("date", "id"), filters, CHECK_FILTERS)
    return serialized(checks, serializers.check_to_dict)


@xmlrpc_method()
def check_get(check_id: int) -> dict:
    check = _one(_checks(), check_id)
    return serializers.check_to_dict(check) if check else {}
