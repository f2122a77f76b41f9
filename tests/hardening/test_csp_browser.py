"""The Content-Security-Policy in a real browser (issue 12, item 9): Debian's chromium,
driven by Playwright, loads the browsable API (anonymous and as a maintainer, whose
pages carry the write forms) and the web pages, and the browser reports no policy
violation while their scripts run."""

import os
from collections.abc import Iterator

import pytest

from tests.conftest import missing_chromium
from tests.served.site import BROWSER_MAINTAINER, BROWSER_PASSWORD, ServedSite, served_site

pytestmark = pytest.mark.e2e

# Records every violation the page reports, before any of its own scripts run.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
});
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[ServedSite]:
    reason = missing_chromium()
    if reason:
        pytest.skip(reason)
    with served_site(tmp_path_factory.mktemp("csp"), os.environ.get("DATABASE_URL")) as served:
        yield served


@pytest.fixture(scope="module")
def browser(site, chromium):
    """The session's chromium (tests/conftest.py)."""
    return chromium


def visit(context, url: str) -> tuple[list[str], int]:
    """Violations (reported events and console errors) of one page, and its status."""
    page = context.new_page()
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    response = page.goto(url, wait_until="load")
    page.wait_for_timeout(300)
    violations = page.evaluate("window.__violations") + console
    assert page.evaluate("typeof window.jQuery === 'undefined' || !!window.jQuery")
    page.close()
    return violations, response.status


def pages(site: ServedSite) -> list[str]:
    patch = site.get("/api/patches/").json()[0]
    web = patch["web_url"].split("://", 1)[1].split("/", 1)[1]
    return [
        "/api/?format=api",
        "/api/1.3/patches/?format=api",
        f"/api/1.3/patches/{patch['id']}/?format=api",
        f"/api/1.3/patches/{patch['id']}/checks/?format=api",
        "/api/1.3/series/?format=api",
        "/api/1.3/projects/1/?format=api",
        "/api/1.3/bundles/?format=api",
        "/api/1.3/events/?format=api",
        "/project/demo/list/",
        f"/{web}",
        "/bundle/mallory/mine/",
    ]


def test_browsable_api_and_pages_have_no_csp_violation(site, browser):
    anonymous = browser.new_context()
    anonymous.add_init_script(RECORD_VIOLATIONS)
    maintainer = browser.new_context()
    maintainer.add_init_script(RECORD_VIOLATIONS)
    login = maintainer.new_page()
    login.goto(f"{site.url}/api-auth/login/?next=/api/")
    login.fill("input[name=username]", BROWSER_MAINTAINER)
    login.fill("input[name=password]", BROWSER_PASSWORD)
    login.click("[type=submit]")
    login.wait_for_url("**/api/")
    assert BROWSER_MAINTAINER in login.content()
    login.close()

    found = {}
    for context_name, context in (("anonymous", anonymous), ("maintainer", maintainer)):
        for path in ["/api-auth/login/", *pages(site)]:
            violations, status = visit(context, f"{site.url}{path}")
            assert status == 200, (context_name, path, status)
            if violations:
                found[(context_name, path)] = violations
    assert not found, "\n".join(f"{key}: {value}" for key, value in found.items())


def test_maintainer_pages_carry_the_write_forms(site, browser):
    """The pages checked above are the ones with forms (so their templates were used)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site.url}/api-auth/login/?next=/api/1.3/projects/1/")
    page.fill("input[name=username]", BROWSER_MAINTAINER)
    page.fill("input[name=password]", BROWSER_PASSWORD)
    page.click("[type=submit]")
    page.wait_for_url("**/api/1.3/projects/1/")
    assert page.locator("form").count() >= 2
    page.click(
        "button[data-toggle=modal]"
        if page.locator("button[data-toggle=modal]").count()
        else "body"
    )
    context.close()
