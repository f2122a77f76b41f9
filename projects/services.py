"""Writes on projects: create and update them with validated settings, manage maintainers."""

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction

from patchwork_api.validation import url_format_problem
from people.services import get_or_create_profile
from projects.models import Project

# Fields an administrator may set on a project, besides the maintainers.
EDITABLE_FIELDS = (
    "name",
    "listid",
    "listemail",
    "subject_match",
    "web_url",
    "scm_url",
    "webscm_url",
    "list_archive_url",
    "list_archive_url_format",
    "commit_url_format",
    "use_tags",
    "send_notifications",
    "show_dependencies",
    "auto_supersede",
)
WEB_URL_FIELDS = ("web_url", "webscm_url", "list_archive_url")
URL_FORMAT_FIELDS = ("list_archive_url_format", "commit_url_format")

validate_web_url = URLValidator(schemes=["http", "https"])
validate_repository_url = URLValidator(
    schemes=["http", "https", "git", "ssh", "git+ssh", "ssh+git", "ftp", "ftps", "rsync"]
)
# scp-like repository addresses (git@host:path) that URLValidator cannot parse.
SCP_LIKE_ADDRESS = re.compile(r"[\w.+-]+@[\w.-]+:\S+")
# The bare identifier of a List-Id header, as the mail parser extracts it.
LIST_ID_PATTERN = re.compile(r"[^\s<>]+")


@transaction.atomic
def create_project(linkname: str, **fields: Any) -> Project:
    """Create a project from its link name and any of ``EDITABLE_FIELDS``."""
    _refuse_unknown_fields(fields)
    if Project.objects.filter(linkname=linkname).exists():
        raise ValidationError(f"project {linkname!r} already exists")
    return save_project(Project(linkname=linkname, **fields))


@transaction.atomic
def update_project(project: Project, **changes: Any) -> Project:
    """Change the given ``EDITABLE_FIELDS`` of a project; other fields keep their value."""
    _refuse_unknown_fields(changes)
    for field_name, value in changes.items():
        setattr(project, field_name, value)
    return save_project(project)


@transaction.atomic
def save_project(project: Project) -> Project:
    """Validate a new or changed project as every entry point does, then save it."""
    _validate(project)
    project.save()
    return project


@transaction.atomic
def create_or_update_project(linkname: str, **fields: Any) -> tuple[Project, bool]:
    """Make the project ``linkname`` hold ``fields``; True when it had to be created."""
    project = Project.objects.select_for_update().filter(linkname=linkname).first()
    if project is None:
        return create_project(linkname, **fields), True
    return update_project(project, **fields), False


def find_project(linkname: str) -> Project:
    """The project called ``linkname``, or a ValidationError naming the unknown project."""
    try:
        return Project.objects.get(linkname=linkname)
    except Project.DoesNotExist:
        raise ValidationError(f"no project with link name {linkname!r}") from None


@transaction.atomic
def add_maintainer(project: Project, user: AbstractUser) -> None:
    """Let ``user`` maintain ``project`` (idempotent)."""
    get_or_create_profile(user)
    project.maintainers.add(user)


@transaction.atomic
def remove_maintainer(project: Project, user: AbstractUser) -> None:
    """Take maintainership of ``project`` away from ``user``."""
    if not project.maintainers.filter(pk=user.pk).exists():
        raise ValidationError(f"{user.username!r} does not maintain {project.linkname!r}")
    project.maintainers.remove(user)


def _refuse_unknown_fields(fields: dict[str, Any]) -> None:
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError(f"unknown project fields: {', '.join(unknown)}")


def _validate(project: Project) -> None:
    """Model validation (slug, lengths, uniqueness) plus what the columns cannot check."""
    errors: dict[str, list[str]] = {}
    try:
        project.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    for field_name, message in field_problems(project):
        errors.setdefault(field_name, []).append(message)
    if errors:
        raise ValidationError(errors)


def field_problems(project: Project) -> list[tuple[str, str]]:
    """What the columns cannot check: (field name, message) for each invalid value."""
    problems = []
    if project.listid and not LIST_ID_PATTERN.fullmatch(project.listid):
        problems.append(("listid", "give the List-Id without <> or spaces, e.g. dev.example.org"))
    if project.listemail and not _is_valid(validate_email, project.listemail):
        problems.append(("listemail", f"not an e-mail address: {project.listemail!r}"))
    if project.subject_match:
        try:
            re.compile(project.subject_match)
        except re.error as error:
            problems.append(("subject_match", f"not a valid regular expression: {error}"))
    for field_name in WEB_URL_FIELDS:
        value = getattr(project, field_name)
        if value and not _is_valid(validate_web_url, value):
            problems.append((field_name, f"not a valid http(s) URL: {value!r}"))
    for field_name in URL_FORMAT_FIELDS:
        problem = _url_format_problem(getattr(project, field_name))
        if problem:
            problems.append((field_name, problem))
    if project.scm_url and not _is_repository_address(project.scm_url):
        problems.append(("scm_url", f"not a repository URL: {project.scm_url!r}"))
    return problems


def _url_format_problem(value: str) -> str | None:
    if not value:
        return None
    problem = url_format_problem(value)
    if problem is not None:
        return problem
    if not _is_link_url(value.format("placeholder")):
        return f"not a valid http(s) URL once {{}} is filled in: {value!r}"
    return None


def _is_link_url(value: str) -> bool:
    """An http(s) URL with a host, safe as a link on a page. Looser than ``URLField``, as
    Patchwork stores any text as a URL format: intranet hosts without a dot
    (``https://git/{}``) are accepted; ``javascript:`` and the like are not."""
    if any(character.isspace() or ord(character) < 32 for character in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _is_repository_address(value: str) -> bool:
    return _is_valid(validate_repository_url, value) or bool(SCP_LIKE_ADDRESS.fullmatch(value))


def _is_valid(validator: Callable[[str], None], value: str) -> bool:
    try:
        validator(value)
    except ValidationError:
        return False
    return True


def can_edit_project(user: AbstractUser, project: Project) -> bool:
    """Superusers and the project's maintainers may change a project's settings."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or project.maintainers.filter(pk=user.pk).exists()


@transaction.atomic
def update_project_as(project: Project, *, actor: AbstractUser, **changes: Any) -> Project:
    """``update_project`` on behalf of ``actor`` (the REST API's PUT/PATCH): refused with
    PermissionDenied unless ``actor`` may change the project."""
    if not can_edit_project(actor, project):
        raise PermissionDenied("You do not have permission to perform this action.")
    return update_project(project, **changes)
