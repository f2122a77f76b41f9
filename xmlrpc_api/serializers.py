"""The structs Patchwork's XML-RPC methods return, field for field.

Patchwork marshals some text fields as ``bytes`` (``str(value).encode()``), which the
XML-RPC wire carries as ``<base64>``: the dates, the project, state, submitter and
delegate names of a patch, a person's user and a check's date, patch and user. Clients
were written against that (pwclient decodes the base64 values of a patch), so the same
fields are sent the same way here, including ``"None"`` for an absent delegate or user,
which is what ``str(None)`` gave them. XML-RPC cannot carry None (the endpoint does not
allow it, as Patchwork's does not), so other absent values are ``""`` or ``0``.
"""

import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from downloads.mbox import patch_filename
from patches.models import Check, Patch, State
from people.models import Person
from projects.models import Project


def as_binary(value: Any) -> bytes:
    """Patchwork's ``str(value).encode('utf-8')``: text sent as XML-RPC base64."""
    return str(value).encode("utf-8")


def format_date(value: datetime.datetime) -> bytes:
    """A stored (naive) date as Patchwork's ``str(date)``: ``2024-01-31 12:00:00``."""
    return as_binary(value)


def username(user: AbstractBaseUser | None) -> str:
    """What ``str(user)`` gives: the username, or ``"None"`` when there is no user."""
    return user.get_username() if user is not None else "None"


def project_to_dict(project: Project) -> dict[str, Any]:
    return {"id": project.id, "linkname": project.linkname, "name": project.name}


def person_to_dict(person: Person) -> dict[str, Any]:
    """A person; the name falls back to the address (nameless senders exist)."""
    return {
        "id": person.id,
        "email": person.email,
        "name": person.name if person.name is not None else person.email,
        "user": as_binary(username(person.user)),
    }


def patch_to_dict(patch: Patch) -> dict[str, Any]:
    """A patch; needs ``project``, ``state``, ``submitter`` and ``delegate`` loaded."""
    return {
        "id": patch.id,
        "date": format_date(patch.date),
        "filename": patch_filename(patch),
        "msgid": patch.msgid,
        "name": patch.name,
        "project": as_binary(patch.project.name),
        "project_id": patch.project_id,
        "state": as_binary(patch.state.name if patch.state else None),
        "state_id": patch.state_id or 0,
        "archived": patch.archived,
        "submitter": as_binary(patch.submitter),
        "submitter_id": patch.submitter_id,
        "delegate": as_binary(username(patch.delegate)),
        "delegate_id": patch.delegate_id or 0,
        "commit_ref": patch.commit_ref or "",
        "hash": patch.hash or "",
    }


def state_to_dict(state: State) -> dict[str, Any]:
    return {"id": state.id, "name": state.name}


def check_to_dict(check: Check) -> dict[str, Any]:
    """A check; needs ``patch`` and ``user`` loaded."""
    return {
        "id": check.id,
        "date": format_date(check.date),
        "patch": as_binary(check.patch.name),
        "patch_id": check.patch_id,
        "user": as_binary(username(check.user)),
        "user_id": check.user_id,
        "state": check.get_state_display(),
        "target_url": check.target_url or "",
        "description": check.description or "",
        "context": check.context,
    }
