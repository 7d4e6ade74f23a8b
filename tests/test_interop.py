"""Key cases through other clients: WebOb's ``Request.blank(...).get_response``
and a real ``wsgiref`` server on 127.0.0.1 spoken to with ``http.client``
(WebOb's test_in_wsgiref). The stack is the same protocol-checked one.
"""

from __future__ import annotations

import http.client
import threading
import warnings
from typing import Any, Dict, Iterator, List, Optional, Tuple
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from tests.support.apps import APP_BODY
from tests.support.client import build_client
from tests.support.environ import preflight_headers
from tests.support.headers import ACAC, ACAH, ACAM, ACAO, ACMA, assert_cors_headers
from tests.support.origins import EVIL, ORIGIN
from tests.support.refusals import REFUSED_HEADERS, REFUSED_ORIGIN

with warnings.catch_warnings():
    # WebOb 1.8 imports the cgi module, deprecated since Python 3.11.
    warnings.filterwarnings("ignore", "'cgi' is deprecated", DeprecationWarning)
    # WebOb 1.8 ships no type hints.
    from webob import Request  # type: ignore[import-untyped, unused-ignore]

PREFLIGHT = "https://fetch.spec.whatwg.org/#cors-preflight-fetch"

#: One middleware with a resource per kind of policy, for both clients.
RESOURCES: Dict[Any, Any] = {
    "/api/*": {
        "allow_origins": [ORIGIN],
        "allow_credentials": True,
        "allow_headers": ["X-Requested-With"],
        "allow_methods": ["GET", "PUT"],
    },
    "/public/*": {"allow_origins": "*"},
}


def stack() -> Any:
    """The protocol-checked WSGI stack shared by both clients."""
    return build_client(resources=RESOURCES).wsgi


# --- WebOb ---------------------------------------------------------------------------


def webob_get(
    path: str, method: str = "GET", headers: Optional[Dict[str, str]] = None
) -> Tuple[Any, bytes]:
    """``Request.blank(...).get_response(app)``; returns the response and body.

    WebOb hands back the app's iterable unread; reading and closing it here keeps
    PEP 3333's close() promise, which the validator checks.
    """
    request = Request.blank(path, method=method, headers=headers or {})
    response = request.get_response(stack())
    app_iter = response.app_iter
    try:
        body = b"".join(app_iter)
    finally:
        close = getattr(app_iter, "close", None)
        if close is not None:
            close()
    return response, body


def test_webob_accepted_preflight() -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-fetch through WebOb."""
    response, body = webob_get(
        "/api/items", "OPTIONS", preflight_headers(ORIGIN, "PUT", "x-requested-with")
    )
    assert response.status == "204 No Content"
    assert body == b""
    assert_cors_headers(
        response.headerlist,
        {
            ACAO: ORIGIN,
            ACAM: "PUT",
            ACAH: "x-requested-with",
            ACAC: "true",
            ACMA: "600",
            "Vary": "Origin",
        },
    )


def test_webob_refused_preflight() -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-fetch: refused, reason given."""
    response, body = webob_get("/api/items", "OPTIONS", preflight_headers(EVIL, "PUT"))
    assert response.status == "403 Forbidden"
    assert body == REFUSED_ORIGIN
    assert_cors_headers(response.headerlist, {"Vary": "Origin"})


def test_webob_actual_request_allowed() -> None:
    """https://fetch.spec.whatwg.org/#http-access-control-allow-origin."""
    response, body = webob_get("/api/items", headers={"Origin": ORIGIN})
    assert response.status_int == 200
    assert body == APP_BODY
    assert_cors_headers(
        response.headerlist, {ACAO: ORIGIN, ACAC: "true", "Vary": "Origin"}
    )


def test_webob_actual_request_refused() -> None:
    """https://fetch.spec.whatwg.org/#cors-check: no CORS headers, app still ran."""
    response, body = webob_get("/api/items", headers={"Origin": EVIL})
    assert body == APP_BODY
    assert_cors_headers(response.headerlist, {"Vary": "Origin"})


def test_webob_public_resource_without_origin() -> None:
    """https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches: ``*``, no Vary."""
    response, body = webob_get("/public/logo.png")
    assert_cors_headers(response.headerlist, {ACAO: "*"}, absent=["Vary"])


def test_webob_uncovered_path() -> None:
    """docs/behaviour.rst, "1. Not covered": untouched."""
    response, body = webob_get("/elsewhere", headers={"Origin": ORIGIN})
    assert_cors_headers(response.headerlist, {}, absent=["Vary"])


# --- a real server -------------------------------------------------------------------


class QuietHandler(WSGIRequestHandler):
    """wsgiref's handler, without a log line per request on stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[Tuple[str, int]]:
    """A wsgiref server on 127.0.0.1, an ephemeral port, in a thread; shut down and
    closed at the end of the module."""
    httpd: WSGIServer = make_server("127.0.0.1", 0, stack(), handler_class=QuietHandler)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield "127.0.0.1", httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def http_request(
    server: Tuple[str, int],
    method: str,
    path: str,
    headers: Dict[str, Any],
) -> Tuple[int, List[Tuple[str, str]], bytes]:
    """One real HTTP/1.1 exchange; returns status, header list and body."""
    connection = http.client.HTTPConnection(*server, timeout=10)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        try:
            body = response.read()
            return response.status, response.getheaders(), body
        finally:
            response.close()
    finally:
        connection.close()


def test_real_http_accepted_preflight(server: Tuple[str, int]) -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-fetch over a socket."""
    status, headers, body = http_request(
        server, "OPTIONS", "/api/items", preflight_headers(ORIGIN, "PUT")
    )
    assert (status, body) == (204, b"")
    assert_cors_headers(
        headers,
        {ACAO: ORIGIN, ACAM: "PUT", ACAC: "true", ACMA: "600", "Vary": "Origin"},
    )


def test_real_http_refused_preflight(server: Tuple[str, int]) -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-fetch: refused headers."""
    status, headers, body = http_request(
        server, "OPTIONS", "/api/items", preflight_headers(ORIGIN, "GET", "x-secret")
    )
    assert (status, body) == (403, REFUSED_HEADERS)
    assert_cors_headers(headers, {"Vary": "Origin"})


def test_real_http_actual_request(server: Tuple[str, int]) -> None:
    """https://fetch.spec.whatwg.org/#http-access-control-allow-origin."""
    status, headers, body = http_request(
        server, "GET", "/api/items", {"Origin": ORIGIN}
    )
    assert (status, body) == (200, APP_BODY)
    assert_cors_headers(headers, {ACAO: ORIGIN, ACAC: "true", "Vary": "Origin"})


def test_real_http_public_resource(server: Tuple[str, int]) -> None:
    """https://fetch.spec.whatwg.org/#http-access-control-allow-origin: ``*``."""
    status, headers, body = http_request(
        server, "GET", "/public/logo.png", {"Origin": EVIL}
    )
    assert status == 200
    assert_cors_headers(headers, {ACAO: "*"}, absent=["Vary"])


def test_real_http_non_ascii_origin_bytes_are_not_reflected(
    server: Tuple[str, int],
) -> None:
    """docs/behaviour.rst, "Malformed requests": raw latin-1 bytes from the socket are
    refused, not echoed."""
    status, headers, body = http_request(
        server, "GET", "/api/items", {"Origin": b"https://app.example.com\xe4"}
    )
    assert status == 200
    assert_cors_headers(headers, {"Vary": "Origin"})


def test_real_http_uncovered_path(server: Tuple[str, int]) -> None:
    """docs/behaviour.rst, "1. Not covered": untouched."""
    status, headers, body = http_request(
        server, "OPTIONS", "/elsewhere", preflight_headers(ORIGIN, "PUT")
    )
    assert (status, body) == (200, APP_BODY)
    assert_cors_headers(headers, {}, absent=["Vary"])
