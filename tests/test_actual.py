"""Actual requests: Vary merging, app-set Access-Control-* replaced, error paths,
the ``write`` callable and the app's iterable (docs/behaviour.rst, "2. No Origin
header", "4. Actual request", "Vary", "The application's own CORS headers" and
"Error responses").
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Dict, Iterable, List, Tuple

import pytest

from cors_wsgi import CORSMiddleware
from tests.support.apps import APP_BODY, ClosingBody, EchoApp
from tests.support.client import MakeClient
from tests.support.environ import make_environ, preflight_headers, run_pep3333
from tests.support.headers import (
    ACAC,
    ACAM,
    ACAO,
    ACEH,
    ACMA,
    assert_cors_headers,
    header_lines,
    list_items,
)
from tests.support.origins import EVIL, ORIGIN

CACHES = "https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches"

#: Access-Control-* headers an app might set itself, in odd spellings.
APP_SET_CORS = [
    ("Access-Control-Allow-Origin", "https://app-set.example"),
    ("access-control-allow-credentials", "true"),
    ("ACCESS-CONTROL-EXPOSE-HEADERS", "X-App-Secret"),
    ("Access-Control-Allow-Methods", "DELETE"),
    ("Access-Control-Max-Age", "99999"),
    ("Access-Control-Allow-Headers", "*"),
]


# --- Vary ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "cors"),
    [
        pytest.param(ORIGIN, {ACAO: ORIGIN}, id="allowed"),
        pytest.param(EVIL, {}, id="refused"),
        pytest.param(None, {}, id="no-origin"),
    ],
)
def test_origin_is_merged_into_the_apps_vary(
    make_client: MakeClient, origin: Any, cors: Dict[str, str]
) -> None:
    """https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches: one Vary line
    naming the app's fields and Origin."""
    client = make_client(
        app=EchoApp(headers=[("Vary", "Accept-Encoding")]), allow_origins=[ORIGIN]
    )
    response = client.actual(origin)
    assert_cors_headers(response, {**cors, "Vary": "Accept-Encoding, Origin"})


@pytest.mark.parametrize(
    "app_vary",
    [
        pytest.param("Origin", id="Origin"),
        pytest.param("origin", id="lower-case"),
        pytest.param("Accept-Encoding, Origin", id="among-others"),
        pytest.param("Accept-Encoding,ORIGIN,Cookie", id="upper-case-among-others"),
    ],
)
def test_origin_already_in_the_apps_vary_is_not_repeated(
    make_client: MakeClient, app_vary: str
) -> None:
    """#cors-protocol-and-http-caches; RFC 9110 12.5.5: no duplicate, any case."""
    client = make_client(
        app=EchoApp(headers=[("Vary", app_vary)]), allow_origins=[ORIGIN]
    )
    response = client.actual(ORIGIN)
    items = [item.lower() for item in list_items(response, "Vary")]
    assert items.count("origin") == 1
    assert set(items) == {item.strip().lower() for item in app_vary.split(",")}
    assert len(header_lines(response, "Vary")) == 1


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param(ORIGIN, id="allowed"),
        pytest.param(EVIL, id="refused"),
        pytest.param(None, id="no-origin"),
    ],
)
def test_vary_star_is_kept_as_it_is(make_client: MakeClient, origin: Any) -> None:
    """RFC 9110 12.5.5: ``Vary: *`` already varies on everything; kept unchanged."""
    client = make_client(app=EchoApp(headers=[("Vary", "*")]), allow_origins=[ORIGIN])
    response = client.actual(origin)
    assert header_lines(response, "Vary") == ["*"]


def test_star_policy_leaves_the_apps_vary_alone(make_client: MakeClient) -> None:
    """https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches: a ``*`` answer does
    not depend on Origin, so Origin is not added to Vary."""
    client = make_client(
        app=EchoApp(headers=[("Vary", "Accept-Encoding")]), allow_origins="*"
    )
    response = client.actual(ORIGIN)
    assert_cors_headers(response, {ACAO: "*", "Vary": "Accept-Encoding"})


def test_other_app_headers_are_kept_in_order(make_client: MakeClient) -> None:
    """docs/behaviour.rst, "The application's own CORS headers": only Access-Control-*
    headers are the middleware's."""
    extra = [("X-First", "1"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]
    client = make_client(app=EchoApp(headers=extra), allow_origins=[ORIGIN])
    response = client.actual(ORIGIN)
    kept = [
        (name, value)
        for name, value in response.headers.to_wsgi_list()
        if name in ("X-First", "Set-Cookie")
    ]
    assert kept == extra


# --- Access-Control-* set by the app -------------------------------------------------


@pytest.mark.parametrize(
    ("options", "origin", "expected"),
    [
        pytest.param(
            {"allow_origins": [ORIGIN]},
            ORIGIN,
            {ACAO: ORIGIN, "Vary": "Origin"},
            id="allowed",
        ),
        pytest.param(
            {"allow_origins": [ORIGIN], "allow_credentials": True},
            ORIGIN,
            {ACAO: ORIGIN, ACAC: "true", "Vary": "Origin"},
            id="allowed-with-credentials",
        ),
        pytest.param(
            {"allow_origins": [ORIGIN], "expose_headers": ["X-Total"]},
            ORIGIN,
            {ACAO: ORIGIN, ACEH: "X-Total", "Vary": "Origin"},
            id="allowed-with-expose",
        ),
        pytest.param(
            {"allow_origins": [ORIGIN]}, EVIL, {"Vary": "Origin"}, id="refused"
        ),
        pytest.param(
            {"allow_origins": [ORIGIN]}, None, {"Vary": "Origin"}, id="no-origin"
        ),
        pytest.param({"allow_origins": "*"}, ORIGIN, {ACAO: "*"}, id="star"),
        pytest.param({"allow_origins": "*"}, None, {ACAO: "*"}, id="star-no-origin"),
    ],
)
def test_app_set_access_control_headers_are_replaced(
    make_client: MakeClient,
    options: Dict[str, Any],
    origin: Any,
    expected: Dict[str, str],
) -> None:
    """docs/behaviour.rst, "The application's own CORS headers": on covered paths the
    middleware owns Access-Control-*; none the app set survives, none appears twice (the
    exact set is asserted)."""
    client = make_client(app=EchoApp(headers=APP_SET_CORS), **options)
    assert_cors_headers(client.actual(origin), expected)


def test_app_set_access_control_headers_are_replaced_on_passthrough_preflight(
    make_client: MakeClient,
) -> None:
    """docs/behaviour.rst, "3. Preflight": the accepted preflight's headers replace the
    app's own."""
    client = make_client(
        app=EchoApp(headers=APP_SET_CORS),
        allow_origins=[ORIGIN],
        preflight_passthrough=True,
    )
    response = client.preflight(ORIGIN, "GET")
    assert_cors_headers(
        response, {ACAO: ORIGIN, ACAM: "GET", ACMA: "600", "Vary": "Origin"}
    )


def test_app_set_access_control_headers_are_removed_on_refused_passthrough(
    make_client: MakeClient,
) -> None:
    """docs/behaviour.rst, "3. Preflight": a refused passthrough preflight carries no
    Access-Control-*."""
    client = make_client(
        app=EchoApp(headers=APP_SET_CORS),
        allow_origins=[ORIGIN],
        preflight_passthrough=True,
    )
    assert_cors_headers(client.preflight(EVIL, "GET"), {"Vary": "Origin"})


def test_app_set_access_control_headers_survive_on_uncovered_paths(
    make_client: MakeClient,
) -> None:
    """docs/behaviour.rst, "1. Not covered": not covered means untouched, the app's own
    CORS included."""
    client = make_client(
        app=EchoApp(headers=APP_SET_CORS),
        resources={"/api/*": {"allow_origins": [ORIGIN]}},
    )
    response = client.actual(ORIGIN, path="/elsewhere")
    assert header_lines(response, ACAO) == ["https://app-set.example"]


# --- error responses -----------------------------------------------------------------


@pytest.mark.parametrize(
    "status",
    [
        pytest.param("400 Bad Request", id="400"),
        pytest.param("401 Unauthorized", id="401"),
        pytest.param("404 Not Found", id="404"),
        pytest.param("500 Internal Server Error", id="500"),
        pytest.param("503 Service Unavailable", id="503"),
    ],
)
def test_error_response_carries_the_cors_headers(
    make_client: MakeClient, status: str
) -> None:
    """docs/behaviour.rst, "Error responses": a browser can read the error (a middleware
    that left errors bare was a common Starlette complaint)."""
    client = make_client(
        app=EchoApp(status=status), allow_origins=[ORIGIN], allow_credentials=True
    )
    response = client.actual(ORIGIN)
    assert response.status == status
    assert response.data == APP_BODY
    assert_cors_headers(response, {ACAO: ORIGIN, ACAC: "true", "Vary": "Origin"})


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        pytest.param(ORIGIN, {ACAO: ORIGIN, "Vary": "Origin"}, id="allowed"),
        pytest.param(EVIL, {"Vary": "Origin"}, id="refused"),
        pytest.param(None, {"Vary": "Origin"}, id="no-origin"),
    ],
)
def test_response_started_with_exc_info_carries_the_cors_headers(
    make_client: MakeClient, origin: Any, expected: Dict[str, str]
) -> None:
    """docs/behaviour.rst, "Error responses": exc_info is passed through and the
    replacing 500's headers get the CORS headers, once (PEP 3333 error handling)."""
    client = make_client(app=EchoApp(fail_with_exc_info=True), allow_origins=[ORIGIN])
    headers = {"Origin": origin} if origin is not None else {}
    result = client.serve(make_environ("GET", "/", headers))
    assert result.status == "500 Internal Server Error"
    assert result.body == b"internal error"
    assert_cors_headers(result.headers, expected)


def test_exc_info_after_headers_were_sent_is_re_raised() -> None:
    """PEP 3333: exc_info after output began must reach the server, which re-raises it;
    the middleware must not swallow it."""

    def late_failure(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
        write = start_response("200 OK", [("Content-Type", "text/plain")])
        write(b"partial")
        try:
            raise KeyError("late")
        except KeyError:
            start_response("500 Internal Server Error", [], sys.exc_info())
        return []  # pragma: no cover

    middleware = CORSMiddleware(late_failure, allow_origins=[ORIGIN])
    with pytest.raises(KeyError, match="late"):
        run_pep3333(middleware, make_environ("GET", "/", {"Origin": ORIGIN}))


# --- write() and the app's iterable --------------------------------------------------


def test_write_callable_works_through_the_middleware(make_client: MakeClient) -> None:
    """PEP 3333 write(): the middleware's start_response returns a working write.

    (werkzeug's buffered client drops write() output, so the strict runner is used.)
    """
    client = make_client(app=EchoApp(use_write=True), allow_origins=[ORIGIN])
    result = client.serve(make_environ("GET", "/", {"Origin": ORIGIN}))
    assert result.body == APP_BODY
    assert_cors_headers(result.headers, {ACAO: ORIGIN, "Vary": "Origin"})


def fake_server() -> Tuple[Callable[..., Any], Callable[[bytes], None], List[bytes]]:
    """A bare start_response returning a known write callable."""
    written: List[bytes] = []

    def write(data: bytes) -> None:
        written.append(data)

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        return write

    return start_response, write, written


#: (id, options, request headers) of actual requests on every kind of path.
ACTUAL_REQUESTS: List[Tuple[str, Dict[str, Any], Dict[str, str]]] = [
    ("allowed", {"allow_origins": [ORIGIN]}, {"Origin": ORIGIN}),
    ("refused", {"allow_origins": [ORIGIN]}, {"Origin": EVIL}),
    ("no-origin-dependent", {"allow_origins": [ORIGIN]}, {}),
    ("star", {"allow_origins": "*"}, {"Origin": ORIGIN}),
    ("star-no-origin", {"allow_origins": "*"}, {}),
    (
        "not-covered",
        {"resources": {"/api/*": {"allow_origins": [ORIGIN]}}},
        {"Origin": ORIGIN},
    ),
]
ACTUAL_CASES = [pytest.param(o, h, id=i) for i, o, h in ACTUAL_REQUESTS]


@pytest.mark.parametrize(("options", "headers"), ACTUAL_CASES)
def test_the_servers_write_callable_is_returned_to_the_app(
    options: Dict[str, Any], headers: Dict[str, str]
) -> None:
    """PEP 3333 ("the write() callable"): the middleware's start_response returns the
    server's write itself, not a wrapper."""
    start_response, write, written = fake_server()
    seen: List[Any] = []

    def app(environ: Dict[str, Any], start: Any) -> List[bytes]:
        seen.append(start("200 OK", [("Content-Type", "text/plain")]))
        seen[0](b"via write")
        return []

    CORSMiddleware(app, **options)(make_environ("GET", "/", headers), start_response)
    assert seen == [write]
    assert seen[0] is write
    assert written == [b"via write"]


@pytest.mark.parametrize(
    ("options", "method", "headers"),
    [
        pytest.param(options, "GET", headers, id=name)
        for name, options, headers in ACTUAL_REQUESTS
    ]
    + [
        pytest.param(
            {"allow_origins": [ORIGIN], "preflight_passthrough": True},
            "OPTIONS",
            preflight_headers(ORIGIN, "GET"),
            id="passthrough-preflight",
        )
    ],
)
def test_the_apps_iterable_is_handed_back_untouched(
    options: Dict[str, Any], method: str, headers: Dict[str, str]
) -> None:
    """PEP 3333 (optional platform-specific file handling): the app's iterable is
    returned as is, so file wrappers and close() reach the server."""
    body = ClosingBody([b"body"])

    def app(environ: Dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return body

    start_response, _, _ = fake_server()
    result = CORSMiddleware(app, **options)(
        make_environ(method, "/", headers), start_response
    )
    assert result is body


@pytest.mark.parametrize(
    ("origin", "method"),
    [
        pytest.param(ORIGIN, "GET", id="allowed"),
        pytest.param(EVIL, "GET", id="refused"),
        pytest.param(None, "GET", id="no-origin"),
    ],
)
def test_the_apps_close_reaches_the_server(
    make_client: MakeClient, origin: Any, method: str
) -> None:
    """PEP 3333: the server calls close() on what it got; it must reach the app."""
    client = make_client(allow_origins=[ORIGIN])
    client.actual(origin, method)
    assert client.app.closed == 1


# --- header lists that are not lists, and many header names ---------------------------


def tuple_headers_app(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
    """An app that hands start_response a tuple, which PEP 3333 does not allow."""
    start_response("200 OK", (("Content-Type", "text/plain"),))
    return [b"ok"]


def test_headers_given_as_a_tuple_still_get_cors_headers() -> None:
    """PEP 3333 asks for a list; a tuple from a sloppy app still gets the CORS headers
    (docs/behaviour.rst, "4. Actual request") instead of a crash."""
    middleware = CORSMiddleware(tuple_headers_app, allow_origins=[ORIGIN])
    result = run_pep3333(middleware, make_environ(headers={"Origin": ORIGIN}))
    assert_cors_headers(result.headers, {ACAO: ORIGIN, "Vary": "Origin"})


def test_passthrough_preflight_with_tuple_headers_gets_the_preflight_headers() -> None:
    """docs/configuration.rst, "preflight_passthrough": the accepted preflight's headers
    are added whatever sequence the app's headers came in."""
    middleware = CORSMiddleware(
        tuple_headers_app,
        allow_origins=[ORIGIN],
        allow_methods=["PUT"],
        preflight_passthrough=True,
    )
    environ = make_environ("OPTIONS", "/", preflight_headers(ORIGIN, "PUT"))
    result = run_pep3333(middleware, environ)
    assert_cors_headers(
        result.headers, {ACAO: ORIGIN, ACAM: "PUT", ACMA: "600", "Vary": "Origin"}
    )


def test_an_app_sending_thousands_of_distinct_header_names_is_answered_right() -> None:
    """docs/behaviour.rst, "The application's own CORS headers": however many header
    names an app invents, each response keeps them all, in order, and carries the CORS
    headers once."""
    counter = iter(range(10**9))

    def inventive(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
        start = next(counter) * 50
        names = [f"X-Invented-{number}" for number in range(start, start + 50)]
        start_response("200 OK", [(name, "1") for name in names])
        environ["test.names"] = names
        return [b""]

    middleware = CORSMiddleware(inventive, allow_origins=[ORIGIN])
    for _ in range(40):
        environ = make_environ(headers={"Origin": ORIGIN})
        result = run_pep3333(middleware, environ)
        names = [name for name, _ in result.headers]
        assert names[:50] == environ["test.names"]
        assert_cors_headers(result.headers, {ACAO: ORIGIN, "Vary": "Origin"})
