"""The middleware under real servers: gunicorn (sync and gthread workers),
waitress, uWSGI and Apache httpd with mod_wsgi in daemon mode.

Each server is started once per module from the recipe its docs page shows
(``docs/recipes/examples``), on a free loopback port, serving
``legacy.wsgi:application`` (``tests/apps``) behind cors_wsgi: through the
zero-code ``cors_wsgi.wsgi:application`` and ``CORS_*`` variables, and under
mod_wsgi also through a ``.wsgi`` file that wraps the app in Python. The
client is ``http.client``, which shows every header line, duplicates
included. Rule numbers are those of API.md, "Behaviour on the wire".

Run with ``tox -e servers`` (or ``pytest -m servers``); a server that is not
installed skips its tests with the command that installs it, and fails them
when ``CI`` is set.
"""

from __future__ import annotations

import concurrent.futures
import shutil
import time
from pathlib import Path
from typing import Callable, Dict, Iterator, List

import pytest

from tests.servers import (
    Reply,
    Server,
    apache,
    gunicorn_gthread,
    gunicorn_sync,
    http_request,
    private_dir,
    uwsgi,
    waitress,
)

pytestmark = pytest.mark.servers

ORIGIN = "https://app.example.com"
EVIL = "https://evil.example"
ACAO = "Access-Control-Allow-Origin"
STREAMED = b"".join(f"chunk {n}\n".encode() for n in range(5))

#: Each server, by the name its tests carry.
SERVERS: Dict[str, Callable[[Path], Server]] = {
    "gunicorn-sync": gunicorn_sync,
    "gunicorn-gthread": gunicorn_gthread,
    "waitress": waitress,
    "uwsgi": uwsgi,
    "mod_wsgi-wrapped": lambda work: apache(work, "legacy-cors.wsgi"),
    "mod_wsgi-environ": lambda work: apache(work, "legacy-env.wsgi"),
}


def started(name: str) -> Iterator[Server]:
    work = private_dir(f"cors_wsgi-{name}-")
    server = None
    try:
        server = SERVERS[name](work)
        yield server.start()
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="module")
def gthread() -> Iterator[Server]:
    """gunicorn with gthread workers, shared by the wire tests and the load test."""
    yield from started("gunicorn-gthread")


@pytest.fixture(scope="module", params=list(SERVERS))
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    """Each real server in turn, started once for the module."""
    if request.param == "gunicorn-gthread":
        yield request.getfixturevalue("gthread")
    else:
        yield from started(request.param)


def send(
    server: Server, method: str, path: str, origin: str = "", **headers: str
) -> Reply:
    """A request to *server*'s app; keyword headers are written with dashes
    (``access_control_request_method``)."""
    fields = {name.replace("_", "-"): value for name, value in headers.items()}
    if origin:
        fields["Origin"] = origin
    return http_request(server.port, method, server.path_prefix + path, fields)


def preflight(server: Server, origin: str = ORIGIN, **headers: str) -> Reply:
    headers.setdefault("access_control_request_method", "PUT")
    return send(server, "OPTIONS", "/", origin, **headers)


def known_server_bug(
    request: pytest.FixtureRequest, server: Server, names: List[str], reason: str
) -> None:
    """Expect this test to fail on the servers *names* (strictly: it fails
    the run if they ever pass), for a defect of theirs, not ours."""
    if any(server.name.startswith(name) for name in names):
        request.node.add_marker(pytest.mark.xfail(reason=reason, strict=True))


# --- preflights (rule 3) ----------------------------------------------------------


def test_accepted_preflight_is_answered_by_the_middleware(server: Server) -> None:
    """Rule 3: preflight_status, empty body, the request's Origin byte for byte,
    the requested method and headers, credentials, Max-Age and Vary."""
    reply = preflight(
        server, access_control_request_headers="authorization, x-request-id"
    )
    assert (reply.version, reply.status, reply.reason) == (11, 204, "No Content")
    assert reply.body == b""
    assert reply.header(ACAO) == ORIGIN
    assert "put" in reply.items("Access-Control-Allow-Methods")
    assert {"authorization", "x-request-id"} <= set(
        reply.items("Access-Control-Allow-Headers")
    )
    assert reply.header("Access-Control-Allow-Credentials") == "true"
    assert reply.header("Access-Control-Max-Age") == "600"
    assert "origin" in reply.items("Vary")


@pytest.mark.parametrize(
    ("origin", "headers", "reason"),
    [
        pytest.param(EVIL, {}, b"origin", id="origin"),
        pytest.param(
            ORIGIN, {"access_control_request_method": "PATCH"}, b"method", id="method"
        ),
        pytest.param(
            ORIGIN,
            {"access_control_request_headers": "x-secret"},
            b"header",
            id="headers",
        ),
    ],
)
def test_refused_preflight_says_which_part_was_refused(
    server: Server, origin: str, headers: Dict[str, str], reason: bytes
) -> None:
    """Rule 3: deny_status, a text/plain body naming the refused part, no
    Access-Control-Allow-* header, and Vary naming Origin."""
    reply = preflight(server, origin, **headers)
    assert (reply.status, reply.reason) == (403, "Forbidden")
    assert reason in reply.body
    assert reply.cors_headers() == []
    assert "origin" in reply.items("Vary")


# --- actual requests (rules 2, 4, 5) ----------------------------------------------


def test_allowed_credentialed_request_gets_cors_headers(server: Server) -> None:
    """Rule 4: the app runs; Allow-Origin echoes the Origin, with credentials
    and the exposed headers."""
    reply = send(server, "GET", "/", ORIGIN, cookie="session=1")
    assert (reply.status, reply.reason) == (200, "OK")
    assert reply.body == b"hello from the legacy app\n"
    assert reply.header(ACAO) == ORIGIN
    assert reply.header("Access-Control-Allow-Credentials") == "true"
    assert reply.items("Access-Control-Expose-Headers") == ["x-request-id"]


def test_app_set_access_control_header_is_replaced(server: Server) -> None:
    """Rule 5: the app's own stray Allow-Origin is gone; the middleware's is
    the only one."""
    reply = send(server, "GET", "/", ORIGIN)
    assert reply.values(ACAO) == [ORIGIN]


def test_origin_is_merged_into_the_app_vary(server: Server) -> None:
    """Rule 4: Vary: Origin merged into the app's Vary, each name once."""
    reply = send(server, "GET", "/", ORIGIN)
    assert sorted(reply.items("Vary")) == ["accept-encoding", "origin"]


def test_refused_actual_request_gets_no_cors_header(server: Server) -> None:
    """Rule 4: the app runs and answers, with no Access-Control-* header at
    all (rule 5: the app's stray one is removed too), and Vary: Origin."""
    reply = send(server, "GET", "/", EVIL)
    assert reply.status == 200
    assert reply.body == b"hello from the legacy app\n"
    assert reply.cors_headers() == []
    assert "origin" in reply.items("Vary")


def test_request_without_origin_gets_vary_only(server: Server) -> None:
    """Rule 2: an origin-dependent policy adds only Vary: Origin."""
    reply = send(server, "GET", "/")
    assert reply.status == 200
    assert reply.cors_headers() == []
    assert "origin" in reply.items("Vary")


# --- error responses (rule 6) -----------------------------------------------------


def test_error_response_carries_cors_headers(server: Server) -> None:
    """Rule 6: a 500 from the app gets the same headers, so a page can read it."""
    reply = send(server, "GET", "/error", ORIGIN)
    assert (reply.status, reply.reason) == (500, "Internal Server Error")
    assert reply.header(ACAO) == ORIGIN
    assert reply.header("Access-Control-Allow-Credentials") == "true"


def test_response_restarted_with_exc_info_carries_cors_headers(server: Server) -> None:
    """Rule 6 and PEP 3333: a 500 that replaces a started 200 through
    start_response(..., exc_info) carries Allow-Origin."""
    reply = send(server, "GET", "/exc-info", ORIGIN)
    assert reply.status == 500
    assert reply.values(ACAO)
    assert set(reply.values(ACAO)) == {ORIGIN}


def test_response_restarted_with_exc_info_has_each_cors_header_once(
    server: Server, request: pytest.FixtureRequest
) -> None:
    """Rule 5 under PEP 3333's exc_info: the second start_response replaces
    the first one's headers, so none appears twice."""
    known_server_bug(
        request,
        server,
        ["gunicorn"],
        "gunicorn appends the headers of a start_response(..., exc_info) call "
        "to those of the call it replaces (PEP 3333 says replace), so every "
        "header of the first call, the app's own too, is sent twice",
    )
    reply = send(server, "GET", "/exc-info", ORIGIN)
    assert reply.status == 500
    names = reply.cors_headers()
    assert sorted(names) == sorted(set(names))


# --- bodies (rule 4) --------------------------------------------------------------


def test_streamed_response_carries_cors_headers(server: Server) -> None:
    """Rule 4 with a generator body and no Content-Length: every chunk
    arrives, after the CORS headers."""
    reply = send(server, "GET", "/stream", ORIGIN)
    assert reply.status == 200
    assert reply.body == STREAMED
    assert reply.header(ACAO) == ORIGIN


def test_chunked_request_gets_cors_headers(server: Server) -> None:
    """Rule 4 for a request body sent with Transfer-Encoding: chunked."""
    reply = http_request(
        server.port,
        "POST",
        server.path_prefix + "/echo",
        {"Origin": ORIGIN, "Content-Type": "text/plain"},
        chunks=[b"abc", b"defg"],
    )
    assert reply.status == 200
    assert reply.header(ACAO) == ORIGIN


def test_chunked_request_body_reaches_the_app(
    server: Server, request: pytest.FixtureRequest
) -> None:
    """Rule 4 (the app always runs, on the request as sent): the middleware
    leaves a chunked body for the app to read whole."""
    known_server_bug(
        request,
        server,
        ["uwsgi"],
        "uWSGI's http-socket does not de-chunk request bodies into wsgi.input "
        "(its own uwsgi.chunked_read() is the way to read them)",
    )
    reply = http_request(
        server.port,
        "POST",
        server.path_prefix + "/echo",
        {"Origin": ORIGIN, "Content-Type": "text/plain"},
        chunks=[b"abc", b"defg"],
    )
    assert reply.body == b"abcdefg"


@pytest.mark.parametrize(
    ("method", "path", "origin", "headers"),
    [
        pytest.param(
            "OPTIONS",
            "/",
            ORIGIN,
            {"access_control_request_method": "PUT"},
            id="accepted-preflight",
        ),
        pytest.param(
            "OPTIONS",
            "/",
            EVIL,
            {"access_control_request_method": "PUT"},
            id="refused-preflight",
        ),
        pytest.param("GET", "/", ORIGIN, {}, id="allowed"),
        pytest.param("GET", "/", EVIL, {}, id="refused"),
        pytest.param("GET", "/", "", {}, id="no-origin"),
        pytest.param("GET", "/error", ORIGIN, {}, id="error"),
        pytest.param("GET", "/stream", ORIGIN, {}, id="stream"),
    ],
)
def test_no_cors_header_and_no_vary_appears_twice(
    server: Server, method: str, path: str, origin: str, headers: Dict[str, str]
) -> None:
    """Rule 5: no Access-Control-* header line twice; rule 4: Vary names
    each field once."""
    reply = send(server, method, path, origin, **headers)
    names = reply.cors_headers()
    assert sorted(names) == sorted(set(names)), reply.headers
    vary = reply.items("Vary")
    assert sorted(vary) == sorted(set(vary)), reply.headers


# --- load -------------------------------------------------------------------------


def test_200_concurrent_preflights_are_all_answered_correctly(gthread: Server) -> None:
    """Rule 3 under load: 200 preflights at once, half from an allowed origin
    and half from a refused one, each gets its own answer (no answer crosses
    to another origin through the preflight cache or a thread)."""

    def one(n: int) -> Reply:
        origin = ORIGIN if n % 2 else f"https://evil{n}.example"
        return preflight(gthread, origin)

    started_at = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=200) as pool:
        replies = list(pool.map(one, range(200), timeout=60))
    assert time.monotonic() - started_at < 60
    for n, reply in enumerate(replies):
        if n % 2:
            assert (reply.status, reply.header(ACAO)) == (204, ORIGIN), n
        else:
            assert (reply.status, reply.cors_headers()) == (403, []), n


# --- start-up ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "recipe", "old", "new", "message"),
    [
        pytest.param(
            "gunicorn-sync",
            "cors.env",
            "CORS_ALLOW_ORIGINS=",
            "CORS_ALLOW_ORIGIN=",
            "CORS_ALLOW_ORIGIN: not a variable of cors_wsgi; "
            "did you mean CORS_ALLOW_ORIGINS?",
            id="gunicorn-misspelt-variable",
        ),
        pytest.param(
            "gunicorn-sync",
            "cors.env",
            "=https://app.example.com",
            "=app.example.com",
            "CORS_ALLOW_ORIGINS: 'app.example.com' has no scheme",
            id="gunicorn-bad-origin",
        ),
        pytest.param(
            "waitress",
            "cors.env",
            "CORS_WSGI_APP=legacy.wsgi:application",
            "CORS_WSGI_APP=legacy.wsgi:app",
            "CORS_WSGI_APP: 'legacy.wsgi' has no attribute 'app'",
            id="waitress-missing-attribute",
        ),
        pytest.param(
            "uwsgi",
            "uwsgi.ini",
            "CORS_MAX_AGE=600",
            "CORS_MAX_AGE=ten",
            "CORS_MAX_AGE: 'ten' is not a decimal integer",
            id="uwsgi-bad-number",
        ),
    ],
)
def test_server_refuses_to_start_with_a_bad_variable(
    name: str, recipe: str, old: str, new: str, message: str
) -> None:
    """API.md, "Entry points": a bad variable raises ConfigurationError when
    cors_wsgi.wsgi is imported, naming it, so the server does not start."""
    work = private_dir(f"cors_wsgi-{name}-")
    try:
        server = SERVERS[name](work)
        spoilt = work / recipe
        text = spoilt.read_text(encoding="utf-8")
        assert old in text
        spoilt.write_text(text.replace(old, new), encoding="utf-8")
        status, output = server.run_to_exit()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    assert status != 0
    assert message in output
