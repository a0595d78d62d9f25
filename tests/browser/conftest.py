"""Browser fixtures: Debian's headless Chromium driven by Playwright, a phone and a desktop.

Playwright's own browser download does not work here, so the tests launch /usr/bin/chromium
(apt package ``chromium``, installed by scripts/system-deps.sh). Without it they are skipped.
"""

import os
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# Without these Chromium waits on Google services the sandboxed network never answers.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


class OneRequestAtATimeServer(ThreadedWSGIServer):
    """The live server, running one request at a time (connections are still kept alive).

    The test database is an in-memory SQLite: one connection, shared with the server's threads.
    Two requests at once (an admin page's passport image and its jsi18n script, say) break it
    ("bad parameter or other API misuse", then a 500): a browser test failing now and then.
    """

    def set_app(self, application: Callable[..., Iterable[bytes]]) -> None:
        lock = threading.Lock()

        def one_at_a_time(environ: dict, start_response: Callable) -> Iterable[bytes]:
            with lock:
                return application(environ, start_response)

        super().set_app(one_at_a_time)


# Before pytest-django's session-wide live server is first started.
LiveServerThread.server_class = OneRequestAtATimeServer
_SKIPPED_FOR_NO_BROWSER: list[str] = []


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    """Say it loudly at the end, not only in a skip reason nobody reads."""
    if _SKIPPED_FOR_NO_BROWSER:
        terminalreporter.write_sep(
            "!",
            f"{len(_SKIPPED_FOR_NO_BROWSER)} BROWSER TESTS SKIPPED: {_SKIPPED_FOR_NO_BROWSER[0]}",
            red=True,
            bold=True,
        )


PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Mobile Safari/537.36"
    ),
    "locale": "ru-RU",
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "en-US"}


@pytest.fixture
def browser(transactional_db) -> Iterator["playwright_sync.Browser"]:
    """A Chromium per test, started after the test database is set up and closed before its flush.

    Playwright's sync API keeps an asyncio loop running in this thread while it is started. With a
    loop running, Django refuses ORM calls and hands out a different connection object per context
    (asgiref's Local), one without the serialized data ``serialized_rollback`` restores. So the
    browser must not outlive a test: the database fixture comes first (a dependency here) and
    is torn down after it. ORM calls made while the browser runs (fixtures set up after it) are
    plain sync code and allowed for that time only.
    """
    if not CHROMIUM.exists():
        message = (
            f"{CHROMIUM} is missing: run scripts/system-deps.sh --tests (apt package chromium)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)  # `make test` installs it: in CI a missing browser is a failure
        _SKIPPED_FOR_NO_BROWSER.append(message)
        pytest.skip(message)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with playwright_sync.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()


def _context(browser, live_server, **options):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def phone(browser, live_server) -> Iterator["playwright_sync.Page"]:
    """A page in a fresh phone-sized context, so no cookies carry over between tests."""
    context = _context(browser, live_server, **PHONE)
    # The order is in Russian; pin the customer pages to English so the text assertions do not
    # depend on the translations (the language cookie beats the order's language).
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def desktop(browser, live_server) -> Iterator["playwright_sync.Page"]:
    context = _context(browser, live_server, **DESKTOP)
    try:
        yield context.new_page()
    finally:
        context.close()
