"""The WSGI apps the browser suite serves, each in its own waitress process.

``make_app`` is the factory waitress calls (``python -m waitress --call``). It
reads two environment variables:

``BROWSER_SUITE_APP``
    ``module:callable``, a WSGI application to serve instead of the API below.
``BROWSER_SUITE_POLICY``
    A JSON object of ``CORSMiddleware`` keyword options. When it is set the
    application is wrapped in ``CORSMiddleware(app, **policy)``.

Without ``BROWSER_SUITE_APP`` the application is the test API, and a counter
sits outside the middleware (which answers preflights itself, so the app
never sees them): it counts every request by (method, path) and answers
``GET /_count?method=M&path=P`` with that count, for :func:`request_count`.

The API's answer depends on the last segment of the path only, so that every
test can give its requests a path prefix of its own (browsers cache
preflights and responses per URL):

``.../echo``
    200, JSON: the method, the path, the ``Origin`` header and the body received.
``.../set-cookie``
    200, JSON, and ``Set-Cookie: browser_suite=baked; Path=/; SameSite=Lax``.
``.../cookie``
    200, JSON: the ``Cookie`` header received, or null.
``.../request-id``
    200, text, with the custom response header ``X-Request-Id: req-42``.
``.../fail``
    500, text: ``the app failed on purpose``.

:data:`page` answers every path with an empty HTML document: the page the
browser opens, on an origin of its own, before it fetches from the API.

Run one by hand::

    BROWSER_SUITE_POLICY='{"allow_origins": ["http://127.0.0.1:8001"]}' \\
        python -m waitress --listen=127.0.0.1:8002 \\
        --call tests.browser_suite.api_app:make_app
"""

from __future__ import annotations

import json
import os
import threading
import urllib.parse
import urllib.request
from collections import Counter
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Tuple

from cors_wsgi import CORSMiddleware
from cors_wsgi._loading import import_app

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = [
    "APP_VARIABLE",
    "COUNT_PATH",
    "POLICY_VARIABLE",
    "REQUEST_ID",
    "make_app",
    "page",
    "request_count",
]

APP_VARIABLE = "BROWSER_SUITE_APP"
POLICY_VARIABLE = "BROWSER_SUITE_POLICY"
#: The counter's own endpoint, outside the middleware.
COUNT_PATH = "/_count"
#: The value of the API's ``X-Request-Id`` response header.
REQUEST_ID = "req-42"
#: The cookie ``.../set-cookie`` sets.
COOKIE = "browser_suite=baked"
#: The body of ``.../fail``.
FAILURE = "the app failed on purpose"

PAGE_HTML = (
    b"<!doctype html><html><head><meta charset='utf-8'>"
    b"<title>cors_wsgi browser suite</title></head><body></body></html>"
)


def _answer(
    start_response: StartResponse,
    status: str,
    content_type: str,
    body: bytes,
    extra: Iterable[Tuple[str, str]] = (),
) -> List[bytes]:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    headers.extend(extra)
    start_response(status, headers)
    return [body]


def _json(
    start_response: StartResponse,
    data: Dict[str, Any],
    extra: Iterable[Tuple[str, str]] = (),
) -> List[bytes]:
    body = json.dumps(data).encode("utf-8")
    return _answer(start_response, "200 OK", "application/json", body, extra)


def api(environ: WSGIEnvironment, start_response: StartResponse) -> List[bytes]:
    """The test API; see the module's docstring for its endpoints."""
    path = environ.get("PATH_INFO", "")
    endpoint = path.rsplit("/", 1)[-1]
    if endpoint == "echo":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        received = environ["wsgi.input"].read(length) if length else b""
        data = {
            "method": environ["REQUEST_METHOD"],
            "path": path,
            "origin": environ.get("HTTP_ORIGIN"),
            "body": received.decode("utf-8", "replace"),
        }
        result = _json(start_response, data)
    elif endpoint == "set-cookie":
        cookie = ("Set-Cookie", f"{COOKIE}; Path=/; SameSite=Lax")
        result = _json(start_response, {"set": COOKIE}, [cookie])
    elif endpoint == "cookie":
        result = _json(start_response, {"cookie": environ.get("HTTP_COOKIE")})
    elif endpoint == "request-id":
        result = _answer(
            start_response,
            "200 OK",
            "text/plain; charset=utf-8",
            b"see the X-Request-Id header",
            [("X-Request-Id", REQUEST_ID)],
        )
    elif endpoint == "fail":
        result = _answer(
            start_response,
            "500 Internal Server Error",
            "text/plain; charset=utf-8",
            FAILURE.encode("utf-8"),
        )
    else:
        result = _answer(
            start_response, "404 Not Found", "text/plain; charset=utf-8", b"no such"
        )
    return result


class CountingApp:
    """Counts requests by (method, path) before *application* sees them."""

    def __init__(self, application: WSGIApplication) -> None:
        self.application = application
        self.counts: Counter[Tuple[str, str]] = Counter()
        self.lock = threading.Lock()

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == COUNT_PATH:
            query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
            key = (query.get("method", [""])[0], query.get("path", [""])[0])
            with self.lock:
                count = self.counts[key]
            return _answer(start_response, "200 OK", "text/plain", b"%d" % count)
        with self.lock:
            self.counts[environ["REQUEST_METHOD"], path] += 1
        return self.application(environ, start_response)


def page(environ: WSGIEnvironment, start_response: StartResponse) -> List[bytes]:
    """An empty HTML page, whatever the path."""
    return _answer(start_response, "200 OK", "text/html; charset=utf-8", PAGE_HTML)


def make_app() -> WSGIApplication:
    """The application that ``BROWSER_SUITE_APP`` and ``BROWSER_SUITE_POLICY`` name."""
    spec = os.environ.get(APP_VARIABLE)
    application = api if spec is None else import_app(spec, APP_VARIABLE)
    policy = os.environ.get(POLICY_VARIABLE)
    if policy is not None:
        application = CORSMiddleware(application, **json.loads(policy))
    return CountingApp(application) if spec is None else application


def request_count(base_url: str, method: str, path: str) -> int:
    """How many *method* requests for *path* the API served at *base_url* got."""
    query = urllib.parse.urlencode({"method": method, "path": path})
    # No proxy: the request goes to loopback, whatever the environment says.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{base_url}{COUNT_PATH}?{query}", timeout=10) as response:
        return int(response.read())
