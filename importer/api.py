"""Reading a Patchwork instance through its REST API (1.3 or later), for sites whose
database cannot be reached: what anybody may read, plus what ``--token`` may read.

Each table is a walk over list endpoints (``order=id``) and, for what lists leave out,
each object's detail, comments and checks. Rows come out with this server's field names
and naive dates of the source's zone. Users and people that the token may not list, and
custom states (the API names them by slug only), come along with the rows that mention
them (``NEEDS``) and are written first in the same transaction.
"""

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.hashers import make_password

from importer.services import NEEDS
from importer.sources import SourceError
from patches.models import State

CHECK_STATES = {"pending": 0, "success": 1, "warning": 2, "fail": 3}
NUMBER = re.compile(r"^\[[^\]]*?(\d+)\s*(?:/| of )\s*\d+[^\]]*\]")
PAGE = 100


@dataclass(frozen=True)
class ApiQuery:
    name: str
    key_field: str = "id"


def parse_date(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def render_headers(headers: dict | str | None) -> str:
    """The API's ``headers`` object (a value or a list of values per name) as mail
    header lines."""
    if not headers:
        return ""
    if isinstance(headers, str):
        return headers
    lines = []
    for name, value in headers.items():
        for item in value if isinstance(value, list) else [value]:
            lines.append(f"{name}: {item}")
    return "\n".join(lines)


def number_from_name(name: str) -> int | None:
    """The position in its series from the subject's ``[n/m]`` prefix, 1 without one (the
    API does not show ``number``)."""
    match = NUMBER.match(name or "")
    return int(match.group(1)) if match else 1


class PatchworkAPI:
    """A Patchwork REST API root such as ``https://patchwork.example.org/api/1.3/``."""

    resume_by_existing = True

    def __init__(self, url: str, *, token: str | None = None) -> None:
        self.base = url.rstrip("/") + "/"
        self.token = token
        version = re.search(r"/api/(\d+)\.(\d+)/$", self.base)
        if not version or (int(version.group(1)), int(version.group(2))) < (1, 3):
            raise SourceError(
                f"{url}: give the API root of version 1.3 or later, e.g. "
                "https://patchwork.example.org/api/1.3/"
            )
        self.version = (int(version.group(1)), int(version.group(2)))
        root = self.get(self.base)
        if not isinstance(root, dict) or "patches" not in root:
            raise SourceError(f"{url} does not look like a Patchwork API root")
        self.schema = f"Patchwork REST API {version.group(1)}.{version.group(2)}"
        names = [
            "users", "projects", "maintainers", "tokens", "profiles", "people", "relations",
            "covers", "series", "series dependencies", "patches", "patch comments",
            "cover comments", "checks", "bundles", "bundle patches", "events",
        ]  # fmt: skip
        self.queries = {name: ApiQuery(name) for name in names}
        self.queries["tokens"] = ApiQuery("tokens", key_field="key")
        self.states = dict(State.objects.values_list("slug", "id"))
        self.readers = {
            "users": self.users,
            "projects": self.projects,
            "maintainers": self.maintainers,
            "tokens": self.tokens,
            "profiles": self.profiles,
            "people": self.people,
            "relations": self.relations,
            "covers": self.covers,
            "series": self.series,
            "series dependencies": self.series_dependencies,
            "patches": self.patches,
            "patch comments": self.patch_comments,
            "cover comments": self.cover_comments,
            "checks": self.checks,
            "bundles": self.bundles,
            "bundle patches": self.bundle_patches,
            "events": self.events,
        }
        self._token_user: int | None = None

    # -- HTTP ------------------------------------------------------------------------

    def request(self, url: str) -> tuple[bytes, dict[str, str]]:
        headers = {"Accept": "application/json", "User-Agent": "patchwork-api import"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as reply:
                return reply.read(), dict(reply.headers)
        except urllib.error.HTTPError as error:
            if error.code in (401, 403):
                raise PermissionError(url) from error
            raise SourceError(f"{url}: HTTP {error.code}") from error
        except (urllib.error.URLError, OSError) as error:
            raise SourceError(f"{url}: {error}") from error

    def get(self, url: str) -> Any:
        body, _headers = self.request(url)
        return json.loads(body)

    def walk(self, path: str, **params: Any) -> Iterator[dict]:
        """Every item of a list endpoint, page after page (Link: rel="next")."""
        query = "&".join(f"{key}={value}" for key, value in {"per_page": PAGE, **params}.items())
        url = path if path.startswith("http") else f"{self.base}{path}?{query}"
        while url:
            body, headers = self.request(url)
            yield from json.loads(body)
            links = headers.get("Link", "")
            following = re.search(r'<([^>]+)>;\s*rel="next"', links)
            url = following.group(1) if following else None

    # -- the importer's interface ----------------------------------------------------

    def naive_date_columns(self) -> list[str]:
        return []  # every API date is naive: the command requires --source-time-zone

    def has_table(self, name: str) -> bool:
        return True

    def count(self, query: ApiQuery) -> int:
        return 0  # unknown without walking the whole list

    def batches(
        self, query: ApiQuery, after: Any, batch_size: int
    ) -> Iterator[list[dict[str, Any]]]:
        batch: list[dict[str, Any]] = []
        try:
            for row in self.readers[query.name]():
                batch.append(row)
                if len(batch) >= batch_size:
                    yield batch
                    batch = []
        except PermissionError:
            pass  # the token may not read this list: what other rows mention comes along
        if batch:
            yield batch

    def close(self) -> None:
        pass

    # -- embedded objects ------------------------------------------------------------

    @staticmethod
    def user_row(user: dict) -> dict:
        return {
            "id": user["id"],
            "username": user["username"],
            "first_name": user.get("first_name") or "",
            "last_name": user.get("last_name") or "",
            "email": user.get("email") or "",
            "password": make_password(None),
        }

    @staticmethod
    def person_row(person: dict) -> dict:
        return {"id": person["id"], "name": person.get("name"), "email": person["email"]}

    def needs(self, **groups: list[dict]) -> dict:
        return {NEEDS: {name: rows for name, rows in groups.items() if rows}}

    def state_id(self, slug: str | None, needs: dict) -> int | None:
        """The id of a state by slug, a new state when this server has none of that slug
        (the API gives custom states by slug only: their ids are not known)."""
        if not slug:
            return None
        if slug not in self.states:
            new_id = max(self.states.values(), default=0) + 1
            self.states[slug] = new_id
            needs.setdefault("states", []).append(
                {
                    "id": new_id,
                    "slug": slug,
                    "name": slug.replace("-", " ").capitalize(),
                    "ordering": new_id + 1000,
                    "action_required": True,
                }
            )
        return self.states[slug]

    # -- tables ----------------------------------------------------------------------

    def users(self) -> Iterator[dict]:
        for user in self.walk("users/", order="id"):
            yield self.user_row(user)

    def projects(self) -> Iterator[dict]:
        for project in self.walk("projects/"):
            yield {
                "id": project["id"],
                "linkname": project["link_name"],
                "name": project["name"],
                "listid": project["list_id"],
                "listemail": project["list_email"],
                "subject_match": project.get("subject_match") or "",
                "web_url": project.get("web_url") or "",
                "scm_url": project.get("scm_url") or "",
                "webscm_url": project.get("webscm_url") or "",
                "list_archive_url": project.get("list_archive_url") or "",
                "list_archive_url_format": project.get("list_archive_url_format") or "",
                "commit_url_format": project.get("commit_url_format") or "",
                "show_dependencies": bool(project.get("show_dependencies", False)),
                **self.needs(users=[self.user_row(u) for u in project.get("maintainers", [])]),
            }

    def maintainers(self) -> Iterator[dict]:
        row_id = 0
        for project in self.walk("projects/"):
            for user in project.get("maintainers", []):
                row_id += 1
                yield {"id": row_id, "project_id": project["id"], "user_id": user["id"]}

    def token_user(self) -> int | None:
        """The user the token belongs to: the one whose detail shows ``settings``."""
        if self.token and self._token_user is None:
            try:
                for user in self.walk("users/", order="id"):
                    if "settings" in self.get(f"{self.base}users/{user['id']}/"):
                        self._token_user = user["id"]
                        break
            except PermissionError:
                return None
        return self._token_user

    def tokens(self) -> Iterator[dict]:
        user_id = self.token_user()
        if user_id is not None:
            yield {"key": self.token, "user_id": user_id, "created": datetime.now()}

    def profiles(self) -> Iterator[dict]:
        user_id = self.token_user()
        if user_id is not None:
            settings = self.get(f"{self.base}users/{user_id}/")["settings"]
            yield {
                "id": user_id,
                "user_id": user_id,
                "send_email": settings.get("send_email", False),
                "items_per_page": settings.get("items_per_page", 100),
                "show_ids": settings.get("show_ids", False),
            }

    def people(self) -> Iterator[dict]:
        for person in self.walk("people/", order="id"):
            user = person.get("user")
            yield {
                **self.person_row(person),
                "user_id": user["id"] if user else None,
                **self.needs(users=[self.user_row(user)] if user else []),
            }

    def relations(self) -> Iterator[dict]:
        return iter(())  # written with the patches that show them

    def covers(self) -> Iterator[dict]:
        for cover in self.walk("covers/", order="id"):
            detail = self.get(cover["url"])
            yield {
                "id": cover["id"],
                "msgid": cover["msgid"],
                "date": parse_date(cover["date"]),
                "name": cover["name"],
                "project_id": cover["project"]["id"],
                "submitter_id": cover["submitter"]["id"],
                "headers": render_headers(detail.get("headers")),
                "content": detail.get("content"),
                **self.needs(people=[self.person_row(cover["submitter"])]),
            }

    def series(self) -> Iterator[dict]:
        for series in self.walk("series/", order="id"):
            cover = series.get("cover_letter")
            yield {
                "id": series["id"],
                "project_id": series["project"]["id"],
                "cover_letter_id": cover["id"] if cover else None,
                "name": series.get("name"),
                "date": parse_date(series["date"]),
                "updated": parse_date(series["date"]),
                "submitter_id": series["submitter"]["id"],
                "version": series.get("version") or 1,
                "total": series.get("total") or 1,
                "received_total": series.get("received_total") or 0,
                **self.needs(people=[self.person_row(series["submitter"])]),
            }

    def series_dependencies(self) -> Iterator[dict]:
        if self.version < (1, 4):
            return
        row_id = 0
        for series in self.walk("series/", order="id"):
            for url in series.get("dependencies", []):
                row_id += 1
                to_id = int(url.rstrip("/").rsplit("/", 1)[1])
                yield {"id": row_id, "from_series_id": series["id"], "to_series_id": to_id}

    def patches(self) -> Iterator[dict]:
        for patch in self.walk("patches/", order="id"):
            detail = self.get(patch["url"])
            needs: dict[str, list] = {"people": [self.person_row(patch["submitter"])]}
            delegate = patch.get("delegate")
            if delegate:
                needs["users"] = [self.user_row(delegate)]
            related = [patch["id"], *(other["id"] for other in patch.get("related", []))]
            relation_id = min(related) if len(related) > 1 else None
            if relation_id:
                needs["relations"] = [{"id": relation_id}]
            series = patch.get("series") or []
            yield {
                "id": patch["id"],
                "msgid": patch["msgid"],
                "date": parse_date(patch["date"]),
                "updated": parse_date(patch["date"]),
                "name": patch["name"],
                "project_id": patch["project"]["id"],
                "submitter_id": patch["submitter"]["id"],
                "headers": render_headers(detail.get("headers")),
                "content": detail.get("content"),
                "diff": detail.get("diff") or None,
                "pull_url": patch.get("pull_url") or None,
                "commit_ref": patch.get("commit_ref") or None,
                # "" is how some servers show "none" (a pull request has no diff)
                "hash": patch.get("hash") or None,
                "state_id": self.state_id(patch.get("state"), needs),
                "delegate_id": delegate["id"] if delegate else None,
                "archived": patch.get("archived", False),
                "related_id": relation_id,
                "series_id": series[0]["id"] if series else None,
                "number": number_from_name(patch["name"]) if series else None,
                NEEDS: needs,
            }

    def _comments(self, kind: str) -> Iterator[dict]:
        parent = "patch" if kind == "patches" else "cover"
        for item in self.walk(f"{kind}/", order="id"):
            for comment in self.walk(f"{kind}/{item['id']}/comments/"):
                yield {
                    "id": comment["id"],
                    "msgid": comment["msgid"],
                    "date": parse_date(comment["date"]),
                    "headers": render_headers(comment.get("headers")),
                    "content": comment.get("content"),
                    f"{parent}_id": item["id"],
                    "submitter_id": comment["submitter"]["id"],
                    "addressed": comment.get("addressed"),
                    **self.needs(people=[self.person_row(comment["submitter"])]),
                }

    def patch_comments(self) -> Iterator[dict]:
        return self._comments("patches")

    def cover_comments(self) -> Iterator[dict]:
        return self._comments("covers")

    def checks(self) -> Iterator[dict]:
        for patch in self.walk("patches/", order="id"):
            for check in self.walk(f"patches/{patch['id']}/checks/"):
                yield {
                    "id": check["id"],
                    "patch_id": patch["id"],
                    "user_id": check["user"]["id"],
                    "date": parse_date(check["date"]),
                    "state": CHECK_STATES.get(check["state"], 0),
                    "target_url": check.get("target_url"),
                    "description": check.get("description"),
                    "context": check.get("context") or "default",
                    **self.needs(users=[self.user_row(check["user"])]),
                }

    def bundles(self) -> Iterator[dict]:
        for bundle in self.walk("bundles/", order="id"):
            yield {
                "id": bundle["id"],
                "owner_id": bundle["owner"]["id"],
                "project_id": bundle["project"]["id"],
                "name": bundle["name"],
                "public": bundle["public"],
                **self.needs(users=[self.user_row(bundle["owner"])]),
            }

    def bundle_patches(self) -> Iterator[dict]:
        row_id = 0
        for bundle in self.walk("bundles/", order="id"):
            for order, patch in enumerate(bundle.get("patches", []), start=1):
                row_id += 1
                yield {
                    "id": row_id,
                    "bundle_id": bundle["id"],
                    "patch_id": patch["id"],
                    "order": order,
                }

    def events(self) -> Iterator[dict]:
        for event in self.walk("events/", order="date"):
            payload = event.get("payload") or {}
            needs: dict[str, list] = {}
            users = [u for u in (event.get("actor"), payload.get("previous_delegate"),
                                 payload.get("current_delegate")) if u]  # fmt: skip
            if users:
                needs["users"] = [self.user_row(user) for user in users]

            comment = payload.get("comment")
            category = event["category"]
            yield {
                "id": event["id"],
                "project_id": event["project"]["id"],
                "category": category,
                "actor_id": ref_of(event.get("actor")),
                "date": parse_date(event["date"]),
                "patch_id": ref_of(payload.get("patch")),
                "series_id": ref_of(payload.get("series")),
                "cover_id": ref_of(payload.get("cover")),
                "previous_state_id": self.state_id(payload.get("previous_state"), needs),
                "current_state_id": self.state_id(payload.get("current_state"), needs),
                "previous_delegate_id": ref_of(payload.get("previous_delegate")),
                "current_delegate_id": ref_of(payload.get("current_delegate")),
                "created_check_id": ref_of(payload.get("check")),
                "patch_comment_id": comment["id"]
                if comment and category == "patch-comment-created"
                else None,
                "cover_comment_id": comment["id"]
                if comment and category == "cover-comment-created"
                else None,
                NEEDS: needs,
            }


def ref_of(value: dict | None) -> int | None:
    return value["id"] if value else None
