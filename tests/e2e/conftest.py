"""Browser fixtures: Debian's Chromium driven by Playwright, every non-local request recorded.

Create database rows before the browser starts: Playwright's sync API runs an event loop in this
thread, and Django refuses ORM calls from inside one.
"""

from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import sync_playwright

# Debian's wrapper script prints noise about /dev/shm; the binary behind it is the same browser.
CHROMIUM = next(p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if Path(p).exists())
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


class BrowserSession:
    """A page plus what it did: requests to other hosts (aborted) and JavaScript errors."""

    def __init__(self, page):
        self.page = page
        self.external_requests: list[str] = []
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.route("**/*", self._route)

    def _route(self, route):
        if urlparse(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.external_requests.append(route.request.url)
            route.abort()  # the base map's tiles fail: the sites must still show

    def external_hosts(self) -> set[str]:
        return {urlparse(url).hostname for url in self.external_requests}


@pytest.fixture
def browser_session():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        try:
            yield BrowserSession(context.new_page())
        finally:
            context.close()
            browser.close()


def wait_for_at_least(locator, count: int, timeout_ms: int = 30_000) -> None:
    """Wait until `locator` matches at least `count` elements.

    Polled from here rather than with `page.wait_for_function`, which evaluates its expression with
    `eval` in the page, where the pages' Content-Security-Policy forbids it.
    """
    waited = 0
    while locator.count() < count:
        if waited >= timeout_ms:
            raise AssertionError(f"{locator} matched {locator.count()} elements after {timeout_ms} ms, not {count}")
        locator.page.wait_for_timeout(100)
        waited += 100
