"""Fixtures of the browser suite: real Chromium, through Playwright, against
cors_wsgi under real waitress servers on loopback.

- ``chromium_path`` (session): the Chromium to drive; skips with how to
  install it when it or Playwright is missing (fails instead under ``CI``).
- ``browser`` (session): one headless Chromium for the whole session.
- ``context`` (function): a fresh ``BrowserContext`` per test, so that no
  cookie, HTTP cache entry or preflight cache entry outlives its test.
- ``serve`` (session): ``serve(policy=None, *, app=None) -> base URL`` runs an
  app under waitress in a process of its own (see :class:`Serve`).
- ``page_origin`` (session): the base URL of a second server whose pages the
  tests open, so that page and API are cross-origin but same-site (same host,
  another port).
- ``path_prefix`` (function): a URL path prefix unique to the test.
- ``cross_origin_page`` (function): a page of ``context`` opened at
  ``page_origin``.
- ``js_fetch`` (function): ``js_fetch(url, init=None, *, header=None)`` runs
  ``fetch(url, init)`` in ``cross_origin_page`` and returns what JavaScript
  saw (see :data:`FETCH_JS`).
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    Iterator,
    List,
    Mapping,
    Optional,
    Protocol,
    Tuple,
)

import pytest

from tests.browser_suite.api_app import APP_VARIABLE, POLICY_VARIABLE

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = "127.0.0.1"
CHROMIUM = "/usr/bin/chromium"
#: Flags that let Chromium run headless here and talk to nothing but loopback.
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
INSTALL_BROWSER = (
    "this test needs Chromium driven by Playwright; install them with: "
    "apt-get install -y chromium; pip install playwright"
)
INSTALL_WAITRESS = "this test needs waitress; install it with: pip install waitress"
#: Seconds a server may take to accept connections, and to stop.
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0

#: ``fetch(url, init)`` in the page, as a function of ``[url, init, header]``.
#: It resolves to ``{ok, status, body, header, error}``: ``header`` is the
#: value of the response header named ``header`` as JavaScript reads it (null
#: when it is not exposed), ``error`` is ``String(e)`` when fetch rejects.
FETCH_JS = """
async ([url, init, header]) => {
  try {
    const response = await fetch(url, init);
    return {
      ok: response.ok,
      status: response.status,
      body: await response.text(),
      header: header === null ? null : response.headers.get(header),
      error: null,
    };
  } catch (e) {
    return {ok: false, status: null, body: null, header: null, error: String(e)};
  }
}
"""


def _missing(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


class Serve(Protocol):
    def __call__(
        self, policy: Optional[Mapping[str, Any]] = None, *, app: Optional[str] = None
    ) -> str: ...


class JSFetch(Protocol):
    def __call__(
        self,
        url: str,
        init: Optional[Mapping[str, Any]] = None,
        *,
        header: Optional[str] = None,
    ) -> Dict[str, Any]: ...


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
    return port


def _accepts(port: int) -> bool:
    try:
        socket.create_connection((LOOPBACK, port), timeout=1).close()
    except OSError:
        return False
    return True


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(STOP_TIMEOUT)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """``/usr/bin/chromium``, when it and Playwright are installed."""
    if importlib.util.find_spec("playwright") is None or not Path(CHROMIUM).exists():
        _missing(INSTALL_BROWSER)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    """One headless Chromium for the session, with a fresh profile of its own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=list(CHROMIUM_FLAGS)
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh context: no cookies, no HTTP cache, no preflight cache."""
    fresh = browser.new_context()
    try:
        yield fresh
    finally:
        fresh.close()


@pytest.fixture(scope="session")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serve]:
    """A factory: ``serve(policy=None, *, app=None) -> "http://127.0.0.1:PORT"``.

    Each call runs ``python -m waitress`` on a free loopback port in a process
    of its own, with this checkout first on the Python path, and returns once
    the port accepts connections. What it serves:

    - ``app=None``: the test API of :mod:`tests.browser_suite.api_app`,
      wrapped in ``CORSMiddleware(api, **policy)`` (``policy`` defaults to
      ``{}``, the middleware's defaults), under the request counter that
      :func:`~tests.browser_suite.api_app.request_count` asks;
    - ``app="module:callable"``: that WSGI application, as it is when
      ``policy`` is None, else wrapped in ``CORSMiddleware(app, **policy)``.

    ``policy`` holds keyword options of ``CORSMiddleware`` and must be
    JSON-able. A second call with the same arguments returns the server of the
    first. Every process is stopped by its PID at the end of the session.
    """
    if importlib.util.find_spec("waitress") is None:
        _missing(INSTALL_WAITRESS)
    logs = tmp_path_factory.mktemp("servers")
    started: Dict[Tuple[Optional[str], str], str] = {}
    processes: List[subprocess.Popen[bytes]] = []

    def start(
        policy: Optional[Mapping[str, Any]] = None, *, app: Optional[str] = None
    ) -> str:
        if app is None and policy is None:
            policy = {}
        key = (app, json.dumps(policy, sort_keys=True))
        if key in started:
            return started[key]
        environ = {
            name: value
            for name, value in os.environ.items()
            if name not in (APP_VARIABLE, POLICY_VARIABLE)
        }
        environ["PYTHONPATH"] = os.pathsep.join(
            [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        if app is not None:
            environ[APP_VARIABLE] = app
        if policy is not None:
            environ[POLICY_VARIABLE] = json.dumps(policy)
        port = _free_port()
        log = logs / f"waitress-{len(processes)}-{port}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "waitress",
                    f"--listen={LOOPBACK}:{port}",
                    "--threads=8",
                    "--call",
                    "tests.browser_suite.api_app:make_app",
                ],
                cwd=ROOT,
                env=environ,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        processes.append(process)
        deadline = time.monotonic() + START_TIMEOUT
        while not _accepts(port):
            if process.poll() is not None or time.monotonic() > deadline:
                _stop(process)
                output_text = log.read_text(encoding="utf-8", errors="replace")
                pytest.fail(
                    f"waitress did not start on port {port} for app={app!r}, "
                    f"policy={policy!r}:\n{output_text}"
                )
            time.sleep(0.05)
        started[key] = url = f"http://{LOOPBACK}:{port}"
        return url

    try:
        yield start
    finally:
        for process in processes:
            _stop(process)


@pytest.fixture(scope="session")
def page_origin(serve: Serve) -> str:
    """The origin of the pages the tests open: an empty HTML page at any path."""
    return serve(app="tests.browser_suite.api_app:page")


@pytest.fixture
def path_prefix(request: pytest.FixtureRequest) -> str:
    """A URL path prefix of this test's own (its name, parameters included)."""
    name = "".join(c if c.isalnum() else "-" for c in request.node.name)
    return f"/{name}"


@pytest.fixture
def cross_origin_page(context: BrowserContext, page_origin: str) -> Page:
    """A page of ``context`` at ``page_origin``, cross-origin to every API."""
    opened = context.new_page()
    opened.goto(f"{page_origin}/")
    return opened


@pytest.fixture
def js_fetch(cross_origin_page: Page) -> JSFetch:
    """``js_fetch(url, init=None, *, header=None)``: ``fetch`` in the page."""

    def run(
        url: str,
        init: Optional[Mapping[str, Any]] = None,
        *,
        header: Optional[str] = None,
    ) -> Dict[str, Any]:
        result: Dict[str, Any] = cross_origin_page.evaluate(
            FETCH_JS, [url, dict(init or {}), header]
        )
        return result

    return run
