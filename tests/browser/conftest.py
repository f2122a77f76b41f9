"""The browser tier: Debian's chromium, driven by Playwright, against gunicorn.

The server runs on a database of its own (tests/e2e/server.py), filled the way an
administrator would: ``manage.py demo`` (project ``demo``, maintainer ``carol`` and the
sample mail), ``manage.py user password`` for carol's password. Chromium is launched
from ``/usr/bin/chromium`` (``CHROMIUM`` overrides it); Playwright never downloads a
browser. Without chromium or Playwright the tier is skipped with the reason.

A failing test leaves a screenshot of its page in ``BROWSER_SCREENSHOT_DIR`` (default
``test-screenshots/`` in the checkout); ``BROWSER_SCREENSHOTS=always`` keeps one of every
page a test visits (to look at the pages).
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import missing_chromium
from tests.e2e.server import REPO_ROOT, Database, Server, manage, server_environment

SCREENSHOT_DIR = Path(os.environ.get("BROWSER_SCREENSHOT_DIR", REPO_ROOT / "test-screenshots"))
MAINTAINER = "carol"
MAINTAINER_PASSWORD = "carol-browser-password"
PROJECT = "demo"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test of this directory belongs to the ``browser`` tier."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """On failure, a screenshot of the test's page and the end of the server's log."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    page = item.funcargs.get("page") if hasattr(item, "funcargs") else None
    if page is not None:
        path = save_screenshot(page, f"FAILED-{item.name}")
        report.sections.append(("screenshot", f"{path} (at {page.url})"))
    site = item.funcargs.get("site") if hasattr(item, "funcargs") else None
    if site is not None:
        report.sections.append(("gunicorn log", site.server.log()))


def save_screenshot(page, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@dataclass
class Site:
    server: Server
    environment: dict[str, str]

    @property
    def url(self) -> str:
        return self.server.url

    def shell(self, code: str) -> str:
        """Python in ``manage.py shell`` against the server's database."""
        completed = manage(self.environment, "shell", "--no-imports", "-c", code)
        return completed.stdout.decode().strip()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    reason = missing_chromium()
    if reason:
        pytest.skip(reason)
    workdir = tmp_path_factory.mktemp("browser")
    database = Database.create(workdir, os.environ.get("DATABASE_URL"))
    server = None
    try:
        (workdir / "data").mkdir()
        environment = server_environment(database.url, workdir / "data")
        manage(environment, "migrate", "--no-input")
        manage(environment, "demo")
        manage(
            environment,
            "user",
            "password",
            MAINTAINER,
            stdin=f"{MAINTAINER_PASSWORD}\n".encode(),
        )
        server = Server(environment, log_path=workdir / "gunicorn.log")
        server.start()
        yield Site(server=server, environment=environment)
    finally:
        if server is not None:
            server.stop()
        database.drop()


@pytest.fixture(scope="session")
def browser(site: Site, chromium):
    """The session's chromium (tests/conftest.py), once the site is up."""
    return chromium


@pytest.fixture
def page(browser, site: Site):
    """A fresh browser context (no cookies) whose every page load may be kept as a
    screenshot; a JavaScript dialog (an injected ``alert``) fails the test."""
    context = browser.new_context(base_url=site.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    new_page = context.new_page()
    dialogs: list[str] = []
    new_page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    errors: list[str] = []
    new_page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield new_page
    finally:
        context.close()
    assert dialogs == [], f"the page opened dialogs: {dialogs}"
    assert errors == [], f"JavaScript errors: {errors}"


@pytest.fixture
def keep_screenshot():
    """``keep_screenshot(page, name)`` saves the page when BROWSER_SCREENSHOTS=always."""

    def keep(page, name: str) -> None:
        if os.environ.get("BROWSER_SCREENSHOTS") == "always":
            save_screenshot(page, name)

    return keep
