"""The HTTP calls of CI bots (netdev's nipa, BPF's kernel-patches-daemon) and of b4,
made with plain ``requests`` the way those tools make them."""

from urllib.parse import parse_qs, urlsplit

import requests

from tests.e2e.conftest import CI_BOT, MAINTAINER, PROJECT, Site
from tests.e2e.mails import SERIES_AUTHOR

TIMEOUT = 30


def next_link(response: requests.Response) -> str | None:
    """The rel="next" URL, found by splitting the Link header by hand as nipa does."""
    for entry in response.headers.get("Link", "").split(","):
        url, _semicolon, relation = entry.partition(";")
        if relation.strip() == 'rel="next"':
            return url.strip().lstrip("<").rstrip(">")
    return None


def poll(url: str, params: dict) -> list[dict]:
    """Every item of a list, page after page."""
    items = []
    response = requests.get(url, params=params, timeout=TIMEOUT)
    while True:
        assert response.status_code == 200, response.text
        items += response.json()
        url = next_link(response)
        if url is None:
            return items
        response = requests.get(url, timeout=TIMEOUT)


def test_ci_bot_polls_events_tests_series_and_reports(site: Site):
    api = f"{site.url}/api/1.1"
    auth = {"Authorization": f"Token {CI_BOT.token}"}

    events = poll(
        f"{api}/events/",
        {
            "project": PROJECT,
            "category": "series-completed",
            "since": "2000-01-01T00:00:00",
            "order": "date",
        },
    )
    completed = {event["payload"]["series"]["id"]: event for event in events}
    assert site.series_ids["v1"] in completed

    series = requests.get(
        completed[site.series_ids["v1"]]["payload"]["series"]["url"], timeout=TIMEOUT
    ).json()
    mbox = requests.get(series["mbox"], timeout=TIMEOUT)
    assert mbox.status_code == 200
    assert mbox.text.count("\nX-Patchwork-Id: ") == 3
    first, second, third = (patch["id"] for patch in series["patches"])

    form = requests.post(
        f"{api}/patches/{first}/checks/",
        headers=auth,
        timeout=TIMEOUT,
        data={
            "state": "success",
            "context": "nipa-build",
            "target_url": "https://ci.example.org/1",
            "description": "ok",
        },
    )
    as_json = requests.post(
        f"{api}/patches/{second}/checks/",
        headers=auth,
        timeout=TIMEOUT,
        json={
            "state": "fail",
            "context": "nipa-build",
            "target_url": "https://ci.example.org/2",
            "description": "build broke",
        },
    )
    assert (form.status_code, as_json.status_code) == (201, 201), (form.text, as_json.text)

    latest = requests.get(
        f"{api}/patches/{second}/checks/",
        timeout=TIMEOUT,
        params={"context": "nipa-build", "order": "-date", "per_page": 1},
    )
    assert [(check["state"], check["description"]) for check in latest.json()] == [
        ("fail", "build broke")
    ]
    assert site.api.patch(second)["check"] == "fail"

    changed = requests.patch(
        f"{api}/patches/{third}/",
        headers=auth,
        timeout=TIMEOUT,
        data={"state": "changes-requested"},
    )
    assert changed.status_code == 200, changed.text
    assert site.api.patch(third)["state"] == "changes-requested"


def test_events_oldest_first_with_order_in_every_version(site: Site):
    """``order=date`` lists events oldest first in 1.1 as in 1.2: Patchwork honours it in
    every version, though its spec documents ``order`` from 1.2 (measured side by side)."""
    params = {"project": PROJECT, "category": "patch-created", "order": "date"}

    dates_1_2 = [event["date"] for event in poll(f"{site.url}/api/1.2/events/", params)]
    dates_1_1 = [event["date"] for event in poll(f"{site.url}/api/1.1/events/", params)]

    assert dates_1_2 == sorted(dates_1_2)
    assert dates_1_1 == dates_1_2


def test_ci_bot_pages_through_events_by_hand(site: Site):
    """More events than one page holds: the hand-split Link header reaches them all."""
    events = poll(f"{site.url}/api/1.1/events/", {"project": PROJECT, "category": "patch-created"})

    created = {event["payload"]["patch"]["id"] for event in events}
    assert len(events) > 30
    assert set(site.patch_ids.values()) <= created


def test_b4_looks_up_a_patch_by_msgid_without_trailing_slash(site: Site):
    msgid = site.mails.series_v2.msgids[1]

    response = requests.get(
        f"{site.url}/api/1.2/patches",
        params={"project": PROJECT, "archived": "false", "msgid": msgid.strip("<>")},
        headers={"Authorization": f"Token {MAINTAINER.token}"},
        timeout=TIMEOUT,
    )

    assert response.status_code == 200, response.text
    assert [patch["id"] for patch in response.json()] == [site.patch_id(msgid)]


def b4_count(site: Site, **params) -> int:
    """b4's count: ask for one item per page, read the page number of rel="last". An empty
    list still links ``last`` to page 1, as Patchwork's does, so no item means 0."""
    response = requests.get(
        f"{site.url}/api/1.2/patches/",
        timeout=TIMEOUT,
        params={"project": PROJECT, "per_page": 1, **params},
        headers={"Authorization": f"Token {MAINTAINER.token}"},
    )
    assert response.status_code == 200, response.text
    last = response.links["last"]
    if not response.json():
        assert parse_qs(urlsplit(last["url"]).query)["page"] == ["1"]
        return 0
    return int(parse_qs(urlsplit(last["url"]).query)["page"][0])


def test_b4_counts_with_per_page_one(site: Site):
    by_sam = site.api.every("/api/patches/", project=PROJECT, submitter=SERIES_AUTHOR[1])

    assert b4_count(site, submitter=SERIES_AUTHOR[1]) == len(by_sam)
    assert b4_count(site, submitter="alice@example.org") == 1
    assert b4_count(site, submitter="nobody@example.org") == 0


def test_b4_sets_state_and_archived_form_encoded(site: Site):
    patch_id = site.patch_id(site.mails.bulk.msgids[20])

    response = requests.patch(
        f"{site.url}/api/1.2/patches/{patch_id}/",
        data={"state": "accepted", "archived": "True"},
        headers={"Authorization": f"Token {MAINTAINER.token}"},
        timeout=TIMEOUT,
    )

    assert response.status_code == 200, response.text
    stored = site.api.patch(patch_id)
    assert (stored["state"], stored["archived"]) == ("accepted", True)
