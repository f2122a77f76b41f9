"""A maintainer triages in a real browser: log in, filter the list, change patches in
bulk, edit one patch, bundle patches, and find every change in the events API."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import MAINTAINER, MAINTAINER_PASSWORD, PROJECT

LIST = f"/project/{PROJECT}/list/"


def log_in(page) -> None:
    page.goto(LIST)
    page.click("#login-link")
    expect(page).to_have_url(re.compile(r"/user/login/\?next="))
    page.fill("#id_username", MAINTAINER)
    page.fill("#id_password", MAINTAINER_PASSWORD)
    page.click("#login-form button[type=submit]")
    expect(page).to_have_url(re.compile(rf"{LIST}$"))
    expect(page.locator(".account .username")).to_have_text(MAINTAINER)


def rows(page):
    return page.locator("#patch-list tbody tr[data-patch-id]")


def row_ids(page) -> list[int]:
    return [
        int(value)
        for value in rows(page).evaluate_all("rows => rows.map(row => row.dataset.patchId)")
    ]


def events(page, category: str) -> list[dict]:
    response = page.request.get(f"/api/events/?project={PROJECT}&category={category}")
    assert response.ok
    return response.json()


def test_maintainer_triages_in_the_browser(page, site, keep_screenshot):
    log_in(page)
    keep_screenshot(page, "list")

    # Filter: the first patch of both versions of "greet by name", by name.
    page.fill("#filters input[name=q]", "greet:")
    page.click("#filters button[type=submit]")
    expect(page).to_have_url(re.compile(rf"{LIST}\?q=greet%3A$"))  # empty fields left out
    greet_ids = row_ids(page)
    assert len(greet_ids) == 2
    for name in page.locator("#patch-list td.name").all_inner_texts():
        assert "greet:" in name

    # Bulk: both to Under Review, through the select-all box (progressive enhancement).
    page.check("#patch-list thead input.select-all")
    page.select_option("#patch-list-form select[name=state]", label="Under Review")
    page.click("#bulk-update")
    expect(page.locator(".flash.success")).to_have_text("2 patches updated.")
    expect(page).to_have_url(re.compile(r"q=greet"))  # back to the same filtered list
    for state in page.locator("#patch-list td.state").all_inner_texts():
        assert state.strip() == "Under Review"
    keep_screenshot(page, "list-after-bulk")

    # Edit one patch from its page: delegate, commit, archive.
    first_id = greet_ids[0]
    page.click(f'tr[data-patch-id="{first_id}"] td.name a')
    expect(page.locator("#patch-form")).to_be_visible()
    page.select_option("#id_delegate", label=MAINTAINER)
    page.select_option("#id_state", label="Accepted")
    page.fill("#id_commit_ref", "0123abcd")
    page.check("#id_archived")
    page.click("#patch-form button[value=update]")
    expect(page.locator(".flash.success")).to_have_text("Patch updated.")
    expect(page.locator("td.state")).to_have_text("Accepted, archived")
    expect(page.locator("td.delegate")).to_have_text(MAINTAINER)
    expect(page.locator("td.commit")).to_have_text("0123abcd")
    expect(page.locator("pre.diff .diff-add").first).to_be_visible()
    keep_screenshot(page, "patch")

    # Bundle it from the patch page, then add the other one from the list.
    page.fill("#bundle-form input[name=name]", "review-queue")
    page.click("#bundle-form button[value=create]")
    expect(page.locator(".flash.success")).to_have_text("Bundle review-queue created.")
    page.goto(f"{LIST}?q=greet:&state=*&archive=both")
    page.check(f'input[name=patch_id][value="{greet_ids[1]}"]')
    page.select_option("#patch-list-form select[name=bundle_id]", label="review-queue")
    page.click("#patch-list-form button[value=add]")
    expect(page.locator(".flash.success")).to_contain_text("added to bundle review-queue")
    page.goto(f"/bundle/{MAINTAINER}/review-queue/")
    assert row_ids(page) == [first_id, greet_ids[1]]
    keep_screenshot(page, "bundle")

    # Each change is in the events feed, with the maintainer as actor.
    state_events = events(page, "patch-state-changed")
    changed = {
        (event["payload"]["patch"]["id"], event["payload"]["current_state"])
        for event in state_events
    }
    assert {(greet_ids[0], "under-review"), (greet_ids[1], "under-review")} <= changed
    assert (first_id, "accepted") in changed
    assert {event["actor"]["username"] for event in state_events} == {MAINTAINER}
    delegated = events(page, "patch-delegated")
    assert [event["payload"]["patch"]["id"] for event in delegated] == [first_id]
    assert delegated[0]["payload"]["current_delegate"]["username"] == MAINTAINER


def test_visitors_see_no_triage_controls_and_hostile_mail_is_inert(page, site, keep_screenshot):
    """Anonymous: no checkboxes or forms; a subject full of script runs nothing (the page
    fixture fails the test on any dialog)."""
    site.shell(
        "from patches.models import Patch; from projects.models import Project; "
        "p = Patch.objects.filter(project__linkname='demo').first(); "
        "p.pk = None; p.msgid = '<hostile@example.org>'; "
        "p.name = '<script>alert(1)</script><img src=x onerror=alert(2)>'; "
        "p.content = '<svg onload=alert(3)>'; p.save()"
    )
    page.goto(LIST)
    expect(page.locator("#patch-list input[type=checkbox]")).to_have_count(0)
    expect(page.locator("#bulk-update")).to_have_count(0)
    hostile = page.locator("#patch-list td.name a", has_text="<script>alert(1)</script>")
    expect(hostile).to_have_count(1)
    hostile.click()
    expect(page.locator("h1.submission-name")).to_contain_text("<img src=x onerror=alert(2)>")
    expect(page.locator("pre.message")).to_contain_text("<svg onload=alert(3)>")
    keep_screenshot(page, "hostile-patch")


@pytest.mark.parametrize("path", ["/", f"/project/{PROJECT}/", "/user/login/", "/series/1/"])
def test_pages_load_without_errors(page, site, path):
    response = page.goto(path)
    assert response.status == 200
    expect(page.locator("h1")).to_be_visible()
