"""Faults: the middleware adds no failure of its own, and closes every body once.

PEP 3333 lets an application fail in several ways: raise before or after
``start_response``, return a body that raises half-way, call
``start_response`` a second time (an error the server must raise unless
``exc_info`` is given; with ``exc_info`` after the headers went out, the server
re-raises it). A server may also stop early and call ``close()``, and a client
may go away in the middle of a slow stream. For each fault of
``tests/faults_apps.py`` the same request is served with the bare application
and with ``CORSMiddleware`` around it, and the two outcomes must be the same:
status, headers other than ``Access-Control-*`` and ``Vary``, the bytes sent,
the exception the server saw (type and message, raised by the application's
own code), and the body's ``close()`` called exactly once (PEP 3333: "the
server or gateway must call close() upon completion of the current request").

First in process, under a server loop written from PEP 3333's own example
(``run_with_cgi``), with ``wsgiref.validate`` between server and stack; then
(``pytest -m servers``) under real gunicorn (gthread) and waitress servers,
where the application records each ``close()`` in a file.
"""

from __future__ import annotations

import http.client
import socket
import time
import traceback
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Iterator,
    List,
    NamedTuple,
    Optional,
    Tuple,
)
from wsgiref.validate import validator

import pytest

from cors_wsgi import CORSMiddleware
from tests.faults_apps import FAULTS, FIRST, NO_BODY, AppFailure
from tests.servers import (
    LOOPBACK,
    Server,
    find_program,
    free_port,
    gunicorn_extra_args,
    private_dir,
    require,
    server_environ,
)
from tests.support.environ import plain_environ

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

ORIGIN = "https://app.example.com"
EVIL = "https://evil.example"
POLICY: Dict[str, Any] = {"allow_origins": [ORIGIN], "allow_credentials": True}

#: The requests each fault is served for: an allowed Origin, a refused one,
#: none, and a preflight that reaches the app (``preflight_passthrough``).
REQUESTS: Dict[str, Dict[str, str]] = {
    "allowed": {"HTTP_ORIGIN": ORIGIN},
    "refused": {"HTTP_ORIGIN": EVIL},
    "no-origin": {},
    "passthrough-preflight": {
        "REQUEST_METHOD": "OPTIONS",
        "HTTP_ORIGIN": ORIGIN,
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT",
    },
}


def _cors_name(name: str) -> bool:
    return name.lower().startswith("access-control-") or name.lower() == "vary"


class Outcome(NamedTuple):
    """What the client and the server saw of one request."""

    status: Optional[str]
    #: The headers sent, without Access-Control-* and Vary.
    headers: Tuple[Tuple[str, str], ...]
    body: bytes
    #: The exception that reached the server: its type and message.
    error: Optional[Tuple[str, str]]
    #: How many times the application's body was closed.
    closes: int


class Served(NamedTuple):
    outcome: Outcome
    #: The Access-Control-* and Vary headers that were sent.
    cors: Dict[str, str]
    exception: Optional[BaseException]


class ClientGone(BrokenPipeError):
    """Raised by the emulated server's socket when the client has gone away."""


def serve(
    app: WSGIApplication,
    environ: WSGIEnvironment,
    *,
    client_leaves_after_first: bool = False,
    server_stops_after_first: bool = False,
) -> Tuple[List[bytes], List[Any], Optional[BaseException]]:
    """PEP 3333's ``run_with_cgi`` server loop, writing into a list.

    Returns the chunks written, the headers sent (status, header list) and
    the exception the application or the loop raised, if any. The loop calls
    ``close()`` on the application's iterable whenever it has one, as the PEP
    requires, also when iterating it raised.
    """
    sent: List[bytes] = []
    headers_set: List[Any] = []
    headers_sent: List[Any] = []

    def write(data: bytes) -> None:
        if not headers_set:
            raise AssertionError("write() before start_response()")
        if not headers_sent:
            headers_sent[:] = headers_set
        elif client_leaves_after_first and sent:
            raise ClientGone("the client closed the connection")
        sent.append(data)

    def start_response(
        status: str, response_headers: List[Tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        if exc_info:
            try:
                if headers_sent:
                    # Re-raise the original exception if headers were sent.
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None  # avoid a dangling circular reference
        elif headers_set:
            raise AssertionError("Headers already set!")
        headers_set[:] = [status, response_headers]
        return write

    try:
        result = app(environ, start_response)
    except Exception as exc:
        return sent, headers_sent, exc
    error: Optional[BaseException] = None
    try:
        for data in result:
            if data:
                write(data)
            if server_stops_after_first:
                break
        if not headers_sent:
            write(b"")
    except Exception as exc:
        error = exc
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return sent, headers_sent, error


def environ_for(request: str, fault: str) -> WSGIEnvironment:
    environ = plain_environ("GET", f"/fault/{fault}")
    environ.update(REQUESTS[request])
    return environ


def run(
    fault: str,
    request: str,
    wrapped: bool,
    **server: bool,
) -> Served:
    """Serve *fault* for *request*, bare or inside the middleware, under the
    validator and the emulated server."""
    events: List[str] = []

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        return FAULTS[fault](environ, start_response, events.append)

    stack: WSGIApplication = app
    if wrapped:
        options = dict(POLICY, preflight_passthrough=request == "passthrough-preflight")
        stack = CORSMiddleware(app, **options)
    sent, headers, exception = serve(
        validator(stack), environ_for(request, fault), **server
    )
    status = headers[0] if headers else None
    header_list = headers[1] if headers else []
    outcome = Outcome(
        status,
        tuple((k, v) for k, v in header_list if not _cors_name(k)),
        b"".join(sent),
        None if exception is None else (type(exception).__name__, str(exception)),
        events.count("close"),
    )
    cors = {k.lower(): v for k, v in header_list if _cors_name(k)}
    return Served(outcome, cors, exception)


FAULT_NAMES = sorted(FAULTS)


@pytest.mark.parametrize("request_kind", sorted(REQUESTS))
@pytest.mark.parametrize("fault", FAULT_NAMES)
def test_fault_outcome_is_the_same_with_and_without_the_middleware(
    fault: str, request_kind: str
) -> None:
    """PEP 3333: a middleware is an application to the server; it must not turn
    one failure into another, nor change what reaches the client."""
    bare = run(fault, request_kind, wrapped=False)
    wrapped = run(fault, request_kind, wrapped=True)
    assert wrapped.outcome == bare.outcome


@pytest.mark.parametrize("request_kind", sorted(REQUESTS))
@pytest.mark.parametrize("fault", FAULT_NAMES)
def test_app_body_is_closed_exactly_once_through_the_middleware(
    fault: str, request_kind: str
) -> None:
    """PEP 3333: the server calls close() on the iterable once, and middleware
    must forward it; an application that raised before returning has none."""
    wrapped = run(fault, request_kind, wrapped=True)
    assert wrapped.outcome.closes == (0 if fault in NO_BODY else 1)


@pytest.mark.parametrize(
    "fault",
    [
        "raise_before_start",
        "raise_after_start",
        "raise_mid_stream",
        "exc_info_after_sent",
    ],
)
def test_app_exception_reaches_the_server_from_the_app_own_code(fault: str) -> None:
    """PEP 3333: exceptions propagate to the server; the one it sees is the
    application's, raised in the application's frame, not one of the middleware."""
    exception = run(fault, "allowed", wrapped=True).exception
    assert isinstance(exception, AppFailure)
    frames = traceback.extract_tb(exception.__traceback__)
    assert Path(frames[-1].filename).name == "faults_apps.py"


@pytest.mark.parametrize(
    "fault", ["second_start_before_sent", "second_start_after_sent"]
)
def test_second_start_response_without_exc_info_raises_the_server_error(
    fault: str,
) -> None:
    """PEP 3333: calling start_response again without exc_info is an error the
    server raises; through the middleware it is the server's own error."""
    served = run(fault, "allowed", wrapped=True)
    assert served.outcome.error == ("AssertionError", "Headers already set!")


def test_exc_info_before_headers_are_sent_replaces_the_response_and_keeps_cors() -> (
    None
):
    """PEP 3333 (start_response with exc_info before the headers are sent) and
    API.md rule 6: the replacing error response carries the CORS headers."""
    served = run("exc_info_before_sent", "allowed", wrapped=True)
    assert served.outcome.status == "500 Internal Server Error"
    assert ("X-Replaced", "yes") not in served.outcome.headers
    assert served.cors["access-control-allow-origin"] == ORIGIN
    assert served.cors["access-control-allow-credentials"] == "true"


@pytest.mark.parametrize("wrapped", [False, True], ids=["bare", "wrapped"])
def test_client_leaving_mid_stream_closes_the_body_once(wrapped: bool) -> None:
    """PEP 3333: when the client goes away the server stops writing and still
    calls close() once; the middleware adds no second call and no other error."""
    served = run("slow_stream", "allowed", wrapped, client_leaves_after_first=True)
    assert served.outcome.body == FIRST
    assert served.outcome.error == ("ClientGone", "the client closed the connection")
    assert served.outcome.closes == 1


@pytest.mark.parametrize("wrapped", [False, True], ids=["bare", "wrapped"])
def test_server_stopping_early_closes_the_body_once(wrapped: bool) -> None:
    """PEP 3333: a server may stop iterating before the end; close() is then
    called once, through the middleware, and nothing else fails."""
    served = run("slow_stream", "allowed", wrapped, server_stops_after_first=True)
    assert served.outcome.body == FIRST
    assert served.outcome.error is None
    assert served.outcome.closes == 1


# --- real servers --------------------------------------------------------------------


class Wire(NamedTuple):
    """What a client read off the wire."""

    status: Optional[int]
    body: bytes
    #: Whether the body arrived whole (its length or last chunk was seen).
    complete: bool


class Pair(NamedTuple):
    """The same server program twice: the bare app, and behind cors_wsgi."""

    bare: Server
    wrapped: Server
    records: Path


def _server(name: str, program: str, app: str, work: Path, records: Path) -> Server:
    port = free_port()
    environ = server_environ(FAULTS_RECORD_DIR=str(records))
    if app == "cors_wsgi.wsgi:application":
        environ.update(
            CORS_WSGI_APP="tests.faults_apps:application",
            CORS_ALLOW_ORIGINS=ORIGIN,
            CORS_ALLOW_CREDENTIALS="true",
        )
    if name == "waitress":
        argv = [program, f"--listen={LOOPBACK}:{port}", "--threads=4", app]
    else:
        argv = [
            program,
            "--worker-class=gthread",
            "--workers=1",
            "--threads=4",
            f"--bind={LOOPBACK}:{port}",
            *gunicorn_extra_args(work).split(),
            app,
        ]
    return Server(name, argv, port, environ, work)


SERVER_PROGRAMS = {
    "gunicorn-gthread": ("gunicorn", "python3 -m pip install gunicorn"),
    "waitress": ("waitress-serve", "python3 -m pip install waitress"),
}


@pytest.fixture(scope="module", params=sorted(SERVER_PROGRAMS))
def pair(request: pytest.FixtureRequest) -> Iterator[Pair]:
    name: str = request.param
    executable, install = SERVER_PROGRAMS[name]
    program = require(find_program(executable), install)
    records = private_dir("cors_wsgi-faults-records-")
    servers = []
    try:
        for app in ("tests.faults_apps:application", "cors_wsgi.wsgi:application"):
            work = private_dir(f"cors_wsgi-faults-{name}-")
            servers.append(_server(name, program, app, work, records).start())
        yield Pair(servers[0], servers[1], records)
    finally:
        for server in servers:
            server.stop()


_ids = iter(range(10**9))


def _fault_id() -> str:
    return f"f{time.monotonic_ns()}n{next(_ids)}"


def fetch(server: Server, fault: str, fault_id: str) -> Tuple[Wire, Dict[str, str]]:
    """GET ``/fault/NAME`` with an allowed Origin; what arrived, and its
    Access-Control-* headers."""
    connection = http.client.HTTPConnection(LOOPBACK, server.port, timeout=20)
    try:
        connection.request(
            "GET",
            f"/fault/{fault}",
            headers={"Origin": ORIGIN, "X-Fault-Id": fault_id, "Connection": "close"},
        )
        try:
            response = connection.getresponse()
        except http.client.RemoteDisconnected:
            return Wire(None, b"", False), {}
        cors = {
            k.lower(): v
            for k, v in response.getheaders()
            if k.lower().startswith("access-control-")
        }
        try:
            body = response.read()
        except http.client.IncompleteRead as incomplete:
            return Wire(response.status, incomplete.partial, False), cors
        return Wire(response.status, body, True), cors
    finally:
        connection.close()


def leave_after_first_chunk(server: Server, fault_id: str) -> bytes:
    """Ask for the slow stream, read until its first chunk, and hang up."""
    request = (
        f"GET /fault/slow_stream?slow HTTP/1.1\r\nHost: {LOOPBACK}\r\n"
        f"Origin: {ORIGIN}\r\nX-Fault-Id: {fault_id}\r\n\r\n"
    ).encode("ascii")
    received = b""
    with socket.create_connection((LOOPBACK, server.port), timeout=20) as client:
        client.sendall(request)
        while FIRST not in received:
            data = client.recv(4096)
            if not data:
                break
            received += data
    return received


def closes(records: Path, fault_id: str, expected: int, timeout: float = 15.0) -> int:
    """How many close() calls the app recorded for *fault_id*, once it has
    recorded *expected* of them (or *timeout* passed), after a short wait for
    any late extra one."""
    path = records / fault_id
    deadline = time.monotonic() + timeout

    def count() -> int:
        if not path.exists():
            return 0
        return path.read_text(encoding="ascii").splitlines().count("close")

    while count() < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    return count()


REAL_FAULTS = [name for name in FAULT_NAMES if name != "slow_stream"]


@pytest.mark.servers
@pytest.mark.parametrize("fault", REAL_FAULTS)
def test_real_server_fault_outcome_is_the_same_with_and_without_the_middleware(
    pair: Pair, fault: str
) -> None:
    """PEP 3333 under a real server: the client reads the same status and bytes
    from the bare app and through cors_wsgi, and each body is closed once."""
    bare_id, wrapped_id = _fault_id(), _fault_id()
    bare, _ = fetch(pair.bare, fault, bare_id)
    wrapped, cors = fetch(pair.wrapped, fault, wrapped_id)
    assert wrapped == bare
    expected = 0 if fault in NO_BODY else 1
    assert closes(pair.records, bare_id, expected) == expected
    assert closes(pair.records, wrapped_id, expected) == expected
    if (
        wrapped.status is not None
        and wrapped.status < 500
        or fault in ("exc_info_before_sent")
    ):
        # API.md rule 6: whatever the app sent, error or not, is readable.
        assert cors["access-control-allow-origin"] == ORIGIN


@pytest.mark.servers
@pytest.mark.parametrize("side", ["bare", "wrapped"])
def test_real_server_client_leaving_mid_stream_closes_the_body_once(
    pair: Pair, side: str
) -> None:
    """PEP 3333 under a real server: a client that hangs up after the first
    chunk of a slow stream gets the body closed exactly once, and the server
    goes on serving."""
    server = pair.bare if side == "bare" else pair.wrapped
    fault_id = _fault_id()
    received = leave_after_first_chunk(server, fault_id)
    assert received.startswith(b"HTTP/1.1 200 ")
    assert closes(pair.records, fault_id, 1) == 1
    after, _ = fetch(server, "complete", _fault_id())
    assert after == Wire(200, FIRST * 3, True)
