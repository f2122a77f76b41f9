"""The XML-RPC methods pwclient calls, with Patchwork's names, arguments and answers.

Lookups of one object answer an empty struct (or ``""`` for mbox and diff) when the
id matches nothing, as Patchwork does; the two writes (``patch_set``, ``check_create``)
need HTTP Basic credentials and go through the same services as the REST API.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet

from downloads.mbox import patch_to_mbox
from downloads.queries import mbox_patches
from patches.models import Check, Patch, State
from patches.querysets import CHECK_STATES_BY_SEVERITY, worst_latest_check_severity
from patches.services import create_check, update_patch
from patchwork_api.validation import is_id
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
    integer_argument,
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
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if is_id(number) else None


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
    return limit(queryset, integer_argument(max_count or 0, "max_count"))


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


@xmlrpc_method()
def patch_check_get(patch_id: int) -> dict:
    """The patch's combined check state and its latest check per (user, context)."""
    with_severity = Patch.objects.annotate(check_severity=worst_latest_check_severity())
    patch = _one(with_severity.only("id"), patch_id)
    if patch is None:
        return {}
    latest = latest_checks(_checks().filter(patch_id=patch.id).order_by("date", "id"))
    return {
        "state": combined_state_name(patch.check_severity),
        "total": len(latest),
        "checks": serialized(latest, serializers.check_to_dict),
    }


def latest_checks(checks: QuerySet[Check]) -> list[Check]:
    """The last check of each (user, context), from checks ordered oldest first."""
    latest: dict[tuple[int, str], Check] = {}
    for check in checks:
        latest.pop((check.user_id, check.context), None)
        latest[(check.user_id, check.context)] = check
    return list(latest.values())


def combined_state_name(severity: int | None) -> str:
    """The name of the state the REST API's ``check`` field shows for this severity."""
    if severity is None:
        return Check.State.PENDING.label
    return Check.State(CHECK_STATES_BY_SEVERITY[severity]).label


@xmlrpc_method(login_required=True)
def patch_set(user: AbstractBaseUser, patch_id: int, params: dict) -> bool:
    """Change a patch's ``state`` (a state id), ``commit_ref`` or ``archived``.

    Other keys are ignored, as in Patchwork; the caller must be allowed to change the
    patch (``patches.services.update_patch`` decides).
    """
    patch = _patch_to_change(patch_id)
    if not isinstance(params, dict):
        raise XmlRpcError("params must be a struct")
    changes = {
        name: parse(params[name]) for name, parse in PATCH_SET_PARAMS.items() if name in params
    }
    with service_errors():
        update_patch(patch, actor=user, **changes)
    return True


def _patch_to_change(patch_id: Any) -> Patch:
    patch = _one(Patch.objects.select_related("project", "submitter"), patch_id)
    if patch is None:
        raise XmlRpcError(f"Patch {patch_id} does not exist")
    return patch


def _state(value: Any) -> State:
    state = _one(State.objects.all(), value)
    if state is None:
        raise XmlRpcError(f"State {value} does not exist")
    return state


def _commit_ref(value: Any) -> str | None:
    if not isinstance(value, str):
        raise XmlRpcError("commit_ref must be a string")
    return value or None


def _archived(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    raise XmlRpcError("archived must be a boolean")


PATCH_SET_PARAMS = {"state": _state, "commit_ref": _commit_ref, "archived": _archived}


@contextmanager
def service_errors() -> Iterator[None]:
    """Faults with Patchwork's message for refusals, and the reasons of invalid input."""
    try:
        yield
    except PermissionDenied:
        raise XmlRpcError("No permissions to edit this patch") from None
    except ValidationError as error:
        raise XmlRpcError("; ".join(error.messages)) from None


@xmlrpc_method(login_required=True)
def check_create(
    user: AbstractBaseUser,
    patch_id: int,
    context: str,
    state: str,
    target_url: str = "",
    description: str = "",
) -> bool:
    """Add a check (``pending``, ``success``, ``warning`` or ``fail``) to a patch."""
    patch = _patch_to_change(patch_id)
    state_value = CHECK_STATES_BY_NAME.get(state) if isinstance(state, str) else None
    if state_value is None:
        raise XmlRpcError(f"Invalid check state: {state}")
    with service_errors():
        create_check(
            patch,
            user=user,
            state=state_value,
            context=_clean_check_field("context", context),
            target_url=_clean_check_field("target_url", target_url or None),
            description=str(description or "") or None,
        )
    return True


CHECK_STATES_BY_NAME = {state.label: state.value for state in Check.State}


def _clean_check_field(name: str, value: Any) -> Any:
    """The value as the model field validates it (a slug context, a URL)."""
    if value is None:
        return None
    try:
        return Check._meta.get_field(name).clean(value, None)
    except ValidationError as error:
        raise XmlRpcError(f"{name}: {'; '.join(error.messages)}") from None
