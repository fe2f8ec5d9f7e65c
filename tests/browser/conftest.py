"""Fixtures for the real-browser suite: Debian's Chromium driven by Playwright against a live server.

Chromium is Debian's package at ``/usr/bin/chromium`` (``CHROMIUM_PATH`` overrides it); Playwright's
own browser downloads are never used. When that file is missing, and only then, the tests marked
``browser`` are skipped with a reason that says so (the HTML validity test needs no browser and
always runs); ``make test`` prints the same notice, and CI installs the package first, so there
these tests always run.

The live server (``live_server``) runs in a thread of the test process and answers one request
at a time (``SerialLiveServerThread``). Playwright is started before anything else in this folder
(``_orm_beside_playwright`` explains why and what that changes for the ORM); Playwright and the
browser live only while this folder's tests run.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler
from playwright.sync_api import sync_playwright
from pytest_django.live_server_helper import LiveServer

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_MISSING = (
    f"browser tests not run: no Chromium at {CHROMIUM} "
    "(apt-get install chromium, or set CHROMIUM_PATH; CI installs it)"
)
REPO_ROOT = Path(settings.BASE_DIR)
ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"
NODE_MODULES = REPO_ROOT / "node_modules"
# Generous for a loaded CI machine; a healthy step takes well under a second.
ACTION_TIMEOUT_MS = 20_000
FLAGSHIP_SLUG = "after-the-breach-couples-therapy-and-rebuilding-trust"


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=CHROMIUM_MISSING)
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


def pytest_report_header(config):
    return f"browser tests: {'Chromium at ' + str(CHROMIUM) if CHROMIUM.exists() else CHROMIUM_MISSING}"


class SerialLiveServerThread(LiveServerThread):
    """A live server thread that handles one request at a time.

    With SQLite, the test database lives in memory and the server thread shares the test's
    connection; Django's default threaded server lets a browser's parallel requests (a favicon, an
    autosave beside a form post) use that one connection at once, which fails with "database table
    is locked". Served in turn, with ``Connection: close``, they cannot collide.
    """

    def _create_server(self, connections_override=None):
        return WSGIServer((self.host, self.port), QuietWSGIRequestHandler, allow_reuse_address=False)


@pytest.fixture(scope="package")
def live_server(request):
    """pytest-django's live server (same address options), serving requests one at a time."""
    addr = (
        request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    )
    with mock.patch("django.test.testcases.LiveServerThread", SerialLiveServerThread):
        server = LiveServer(addr)
    yield server
    server.stop()


@pytest.fixture(scope="package", autouse=True)
def _orm_beside_playwright(request):
    """Runs Playwright for this folder's tests only, started before their other fixtures.

    While Playwright's event loop runs in the main thread, asgiref treats the thread as async:
    ``django.db.connections`` hands out other connection objects (context-local instead of
    thread-local), and Django refuses ORM calls unless ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set.
    Starting Playwright first means the live server and the tests share one set of connections.
    The test database's serialized contents (what ``serialized_rollback`` restores after a flush)
    are carried between the two sets, whichever created the database. When the folder is done,
    Playwright stops and the variable is removed, so later tests (and the subprocesses they start,
    e.g. ``check --deploy``) run exactly as without this folder.
    """
    from django.db import connections

    def carry_serialized(source: dict, target: dict) -> None:
        for alias, conn in source.items():
            if hasattr(conn, "_test_serialized_contents") and not hasattr(
                target[alias], "_test_serialized_contents"
            ):
                target[alias]._test_serialized_contents = conn._test_serialized_contents

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    thread_connections = {alias: connections[alias] for alias in connections}
    request.getfixturevalue("playwright")
    loop_connections = {alias: connections[alias] for alias in connections}
    carry_serialized(thread_connections, loop_connections)
    yield
    carry_serialized(loop_connections, thread_connections)
    connections.close_all()  # the event loop still runs: these are the context-local connections
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# pytest-playwright's own fixtures, narrowed from the session to this folder (same bodies).
@pytest.fixture(scope="package")
def playwright(_pw_api_request_contexts):
    pw = sync_playwright().start()
    if _pw_api_request_contexts:
        _pw_api_request_contexts.instrument(pw)
    yield pw
    pw.stop()


@pytest.fixture(scope="package")
def browser_type(playwright, browser_name):
    return getattr(playwright, browser_name)


@pytest.fixture(scope="package")
def launch_browser(browser_type_launch_args, browser_type):
    def launch(**kwargs):
        return browser_type.launch(**{**browser_type_launch_args, **kwargs})

    return launch


@pytest.fixture(scope="package")
def browser(launch_browser):
    browser = launch_browser()
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="package")
def browser_context_args():
    # Replaces pytest-playwright's (which needs a session-wide Playwright for its device presets).
    # An English-speaking reader in the United States: fixes what "find support" suggests.
    return {
        "viewport": {"width": 1280, "height": 900},
        "locale": "en-US",
        "extra_http_headers": {"Accept-Language": "en-US,en;q=0.8"},
    }


@pytest.fixture
def artifacts() -> Path:
    """Folder for screenshots and saved pages (kept by CI as test artefacts; gitignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def new_page(browser, browser_context_args):
    """Opens a page in a fresh browser context (its own cookies: one per user); all closed after."""
    contexts = []

    def open_page(**overrides):
        context = browser.new_context(**{**browser_context_args, **overrides})
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def demo_site(live_server):
    """The demo content and accounts (``manage.py load_demo``) behind the live server.

    ``article`` is the demo's flagship article (every kind of body block, an expert review),
    ``section`` its section and ``reviewer`` the expert who reviewed it.
    """
    from django.core.management import call_command

    from articles.models import ArticlePage

    call_command("load_demo", verbosity=0)
    article = (
        ArticlePage.objects.live().public().select_related("last_review__reviewer").get(slug=FLAGSHIP_SLUG)
    )
    assert article.last_review is not None, "the demo's flagship article should carry an expert review"
    return SimpleNamespace(
        url=live_server.url,
        article=article,
        section=article.get_parent().specific,
        reviewer=article.last_review.reviewer,
    )
