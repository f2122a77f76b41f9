"""Per-process caches of the rows most mails need: projects, states, tags, rules, people.

A command makes one IngestContext and passes it to every ``store_mail`` call, so a run
of thousands of mails reads the project, state and tag tables once (again after
``CACHE_SECONDS``, so that an admin's change reaches a long import). Without a context,
``store_mail`` uses a fresh one: nothing is cached between calls.
"""

import logging
import re
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from patches.models import State, Tag
from people.models import Person
from projects.models import DelegationRule, Project

logger = logging.getLogger("patchwork.ingest")

CACHE_SECONDS = 60.0


@dataclass(frozen=True)
class CompiledTag:
    tag_id: int
    regex: re.Pattern[str]


@dataclass(frozen=True)
class Rule:
    path: str
    user_id: int


class IngestContext:
    """Cached lookups shared by the mails of one run."""

    def __init__(self, *, cache_seconds: float = CACHE_SECONDS) -> None:
        self.cache_seconds = cache_seconds
        self.clear()

    def clear(self) -> None:
        self._loaded_at: float | None = None
        self._projects_by_list: dict[str, list[Project]] = {}
        self._states: list[State] = []
        self._tags: list[CompiledTag] = []
        self._rules: dict[int, list[Rule]] = {}
        self.people: dict[str, Person] = {}

    def _refresh(self) -> None:
        now = time.monotonic()
        if self._loaded_at is not None and now - self._loaded_at < self.cache_seconds:
            return
        self.clear()
        self._loaded_at = now
        for project in Project.objects.order_by("linkname"):
            self._projects_by_list.setdefault(project.listid, []).append(project)
        self._states = list(State.objects.order_by("ordering"))
        self._tags = [
            CompiledTag(tag.id, compiled)
            for tag in Tag.objects.order_by("id")
            if (compiled := _compile(tag.pattern, what=f"tag {tag.name}")) is not None
        ]
        for rule in DelegationRule.objects.order_by("-priority", "path"):
            self._rules.setdefault(rule.project_id, []).append(Rule(rule.path, rule.user_id))

    def find_project(self, list_ids: list[str | None], subject: str) -> Project | None:
        """Patchwork's find_project: the first list id with a project for this subject.

        Several projects can share a list; the one with an empty subject_match is the
        default when no other project's regular expression matches the subject.
        """
        self._refresh()
        for list_id in list_ids:
            project = self._project_for_list(list_id, subject) if list_id else None
            if project is not None:
                return project
        return None

    def _project_for_list(self, list_id: str, subject: str) -> Project | None:
        default = None
        for project in self._projects_by_list.get(list_id.strip(), []):
            if not project.subject_match:
                default = project
                continue
            regex = _compile(project.subject_match, what=f"project {project.linkname}")
            if regex is not None and regex.search(subject or ""):
                return project
        return default

    def initial_state(self, requested: str | None) -> State | None:
        """The state named (or slugged) by X-Patchwork-State, else the first state."""
        self._refresh()
        if requested:
            wanted = requested.strip().lower()
            for state in self._states:
                if wanted in (state.name.lower(), state.slug.lower()):
                    return state
        return self._states[0] if self._states else None

    def tags(self, project: Project) -> list[CompiledTag]:
        if not project.use_tags:
            return []
        self._refresh()
        return self._tags

    def delegation_rules(self, project_id: int) -> list[Rule]:
        self._refresh()
        return self._rules.get(project_id, [])


def find_user(identifier: str | None) -> AbstractBaseUser | None:
    """The user an X-Patchwork-Delegate header names, by e-mail or by username."""
    if not identifier or not identifier.strip():
        return None
    identifier = identifier.strip()
    users = get_user_model().objects
    return (
        users.filter(email__iexact=identifier).order_by("id").first()
        or users.filter(username=identifier).first()
    )


def _compile(pattern: str, *, what: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern, re.MULTILINE | re.IGNORECASE)
    except re.error as error:
        logger.warning("ignoring invalid regular expression of %s: %s", what, error)
        return None
