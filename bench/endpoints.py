"""The endpoints measured: their requests (round robin over sampled rows) and SQL floors."""

import json
from dataclasses import dataclass
from urllib.parse import urlencode

from bench import floors
from bench.dataset import Targets, quoted_msgid

API = "/api/1.3"
# CI bots poll events with the version they were written for; 1.1 is the common one.
EVENTS_API = "/api/1.1"


@dataclass(frozen=True)
class Endpoint:
    name: str
    description: str
    requests: tuple[dict, ...]
    floor: floors.FloorFunction | None = None
    writes: bool = False


def get(path: str, token: str | None = None) -> dict:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    return {"method": "GET", "path": path, "headers": headers}


def web_page(path: str) -> dict:
    """A browser's GET of a web page (anonymous: the pages a visitor sees)."""
    return {"method": "GET", "path": path, "headers": {"Accept": "text/html"}}


# The web list's deep page: 100 patches a page over every state, archived or not (the
# server answers the last page if the list is shorter).
WEB_LIST_DEEP_PAGE = 60


def patch_list_path(targets: Targets, page: int) -> str:
    query = {
        "project": targets.linkname,
        "state": targets.list_state,
        "archived": "false",
        "per_page": floors.PER_PAGE,
        "page": floors.page_for(targets, page),
    }
    return f"{API}/patches/?{urlencode(query)}"


def events_path(targets: Targets) -> str:
    query = {"category": "series-completed", "since": targets.events_since}
    return f"{EVENTS_API}/events/?{urlencode(query)}"


def state_change(patch_id: int, state: str, token: str) -> dict:
    return {
        "method": "PATCH",
        "path": f"{API}/patches/{patch_id}/",
        "headers": {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Authorization": f"Token {token}",
        },
        "body": json.dumps({"state": state}),
    }


def read_endpoints(targets: Targets) -> list[Endpoint]:
    patch_ids, series_ids = targets.detail_patch_ids, targets.ten_patch_series_ids
    return [
        Endpoint(
            "patch-list-p1",
            "patch list, state=new, archived=false, page 1",
            (get(patch_list_path(targets, 1)),),
            floors.patch_list_floor(1),
        ),
        Endpoint(
            "patch-list-p200",
            f"patch list, same filters, page {floors.page_for(targets, 200)}",
            (get(patch_list_path(targets, 200)),),
            floors.patch_list_floor(200),
        ),
        Endpoint(
            "patch-detail",
            "patch detail",
            tuple(get(f"{API}/patches/{i}/") for i in patch_ids),
            floors.patch_detail_floor,
        ),
        Endpoint(
            "series-list",
            "series list of the project, page 1",
            (get(f"{API}/series/?{urlencode({'project': targets.linkname})}"),),
            floors.series_list_floor,
        ),
        Endpoint(
            "series-detail",
            "series detail (10-patch series)",
            tuple(get(f"{API}/series/{i}/") for i in series_ids),
            floors.series_detail_floor,
        ),
        Endpoint(
            "events-since",
            "events since-poll, category=series-completed",
            (get(events_path(targets)),),
            floors.events_floor,
        ),
        Endpoint(
            "checks-list",
            "checks of a patch",
            tuple(get(f"{API}/patches/{i}/checks/") for i in patch_ids),
            floors.checks_floor,
        ),
        Endpoint(
            "patch-mbox",
            "patch mbox download",
            tuple(
                get(f"/project/{targets.linkname}/patch/{quoted_msgid(m)}/mbox/")
                for m in targets.detail_patch_msgids
            ),
            floors.patch_mbox_floor,
        ),
        Endpoint(
            "series-mbox",
            "series mbox (10 patches)",
            tuple(get(f"/series/{i}/mbox/") for i in series_ids),
            floors.series_mbox_floor,
        ),
        Endpoint(
            "people-q",
            f"people search ?q={targets.people_query}",
            (get(f"{API}/people/?{urlencode({'q': targets.people_query})}", targets.token),),
            floors.people_floor,
        ),
        *web_endpoints(targets),
    ]


def web_endpoints(targets: Targets) -> list[Endpoint]:
    """The web pages next to the API: the list (first and a deep page) and patch pages."""
    list_path = f"/project/{targets.linkname}/list/"
    deep_query = urlencode({"state": "*", "archive": "both", "page": WEB_LIST_DEEP_PAGE})
    return [
        Endpoint(
            "web-list-p1",
            "web patch list, default filters (action required), 100 rows",
            (web_page(list_path),),
        ),
        Endpoint(
            "web-list-deep",
            f"web patch list, every patch, page {WEB_LIST_DEEP_PAGE} of 100 rows",
            (web_page(f"{list_path}?{deep_query}"),),
        ),
        Endpoint(
            "web-patch",
            "web patch page (comments, checks, coloured diff)",
            tuple(
                web_page(f"/project/{targets.linkname}/patch/{quoted_msgid(msgid)}/")
                for msgid in targets.detail_patch_msgids
            ),
        ),
    ]


def write_endpoints(targets: Targets) -> list[Endpoint]:
    """PATCH of a patch state as a maintainer, toggling new <-> under-review."""
    requests = tuple(
        state_change(patch_id, state, targets.token)
        for state in ("under-review", "new")
        for patch_id in targets.writable_patch_ids
    )
    return [Endpoint("patch-update", "PATCH state as maintainer (token)", requests, writes=True)]


def all_endpoints(targets: Targets) -> list[Endpoint]:
    return read_endpoints(targets) + write_endpoints(targets)
