"""Shared test helpers: an echo app, the protocol-checked stack, header assertions.

Everything here talks to :mod:`cors_wsgi` only through its public API. The stack
under test is always
``validator(LintMiddleware(CORSMiddleware(LintMiddleware(app))))`` so that any
PEP 3333 slip, by the middleware or by the app it wraps, fails a test (with
``filterwarnings = error``, werkzeug's lint warnings are errors too). wsgiref's
validator cannot sit inside werkzeug's linter: the linter's input wrapper has no
``readlines``, which the validator insists on.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Protocol,
    Sequence,
    Tuple,
    Union,
)
from wsgiref.validate import validator

from werkzeug.middleware.lint import LintMiddleware
from werkzeug.test import Client, EnvironBuilder, TestResponse
from werkzeug.wrappers import Request

from cors_wsgi import CORSMiddleware

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

#: The origin most policies in the suite allow.
ORIGIN = "https://app.example.com"
#: An origin no policy in the suite allows unless it says so.
EVIL = "https://evil.example.net"

#: The body the echo app answers with.
APP_BODY = b"hello from the app"

#: The fixed refusal bodies (one per reason, never echoing request values).
REFUSED_ORIGIN = b"CORS preflight refused: origin not allowed"
REFUSED_METHOD = b"CORS preflight refused: method not allowed"
REFUSED_HEADERS = b"CORS preflight refused: headers not allowed"
REFUSED_PRIVATE_NETWORK = b"CORS preflight refused: private network access not allowed"

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACEH = "Access-Control-Expose-Headers"
ACMA = "Access-Control-Max-Age"
ACAPN = "Access-Control-Allow-Private-Network"
ACRM = "Access-Control-Request-Method"
ACRH = "Access-Control-Request-Headers"
ACRPN = "Access-Control-Request-Private-Network"

#: Headers whose value is a comma-separated list: compared as sets.
LIST_VALUED = frozenset({"vary", ACAM.lower(), ACAH.lower(), ACEH.lower()})
#: List-valued headers whose items are header names: compared case-insensitively.
NAME_LISTS = frozenset({"vary", ACAH.lower(), ACEH.lower()})

HeaderSource = Union[TestResponse, Iterable[Tuple[str, str]]]


class ClosingBody:
    """An app iterable with a ``close()`` that records that it was called."""

    def __init__(
        self, chunks: Sequence[bytes], owner: Optional[EchoApp] = None
    ) -> None:
        self.chunks = list(chunks)
        self.owner = owner
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.chunks)

    def close(self) -> None:
        self.closed = True
        if self.owner is not None:
            self.owner.closed += 1


@dataclass
class EchoApp:
    """A configurable WSGI app: status, extra headers, body, ``write`` or error path.

    It records every environ it is called with (``calls``) and how many of its
    iterables were closed (``closed``).
    """

    status: str = "200 OK"
    headers: Sequence[Tuple[str, str]] = ()
    body: bytes = APP_BODY
    use_write: bool = False
    fail_with_exc_info: bool = False
    calls: List[WSGIEnvironment] = field(default_factory=list)
    closed: int = 0

    def _headers(self, status: str, body: bytes) -> List[Tuple[str, str]]:
        headers = []
        if int(status[:3]) != 204:
            headers.append(("Content-Type", "text/plain; charset=utf-8"))
        headers.append(("Content-Length", str(len(body))))
        headers.extend(self.headers)
        return headers

    def _body(self) -> bytes:
        return b"" if int(self.status[:3]) == 204 else self.body

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        self.calls.append(environ)
        body = self._body()
        if self.fail_with_exc_info:
            # PEP 3333: headers set but not sent yet may be replaced by calling
            # start_response again with exc_info.
            start_response(self.status, self._headers(self.status, body))
            try:
                raise RuntimeError("the application failed")
            except RuntimeError:
                body = b"internal error"
                start_response(
                    "500 Internal Server Error",
                    self._headers("500 Internal Server Error", body),
                    sys.exc_info(),
                )
            return self._returning([body])
        if self.use_write:
            write = start_response(self.status, self._headers(self.status, body))
            write(body)
            return self._returning([])
        start_response(self.status, self._headers(self.status, body))
        return self._returning([body])

    def _returning(self, chunks: Sequence[bytes]) -> ClosingBody:
        return ClosingBody(chunks, self)


def environ_key(name: str) -> str:
    """The WSGI environ key of a request header (``Origin`` -> ``HTTP_ORIGIN``)."""
    return "HTTP_" + name.upper().replace("-", "_")


def make_environ(
    method: str = "GET",
    path: str = "/",
    headers: Optional[Mapping[str, str]] = None,
    **overrides: Any,
) -> WSGIEnvironment:
    """A complete WSGI environ; header values are put in raw, unchecked.

    Raw values let a test send what no well-behaved client library would
    (CR/LF, NUL, latin-1 bytes): a WSGI server hands such bytes to the app as
    latin-1 decoded ``str``.
    """
    builder = EnvironBuilder(path=path, method=method)
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    for name, value in (headers or {}).items():
        environ[environ_key(name)] = value
    environ.update(overrides)
    return environ


def preflight_headers(
    origin: Optional[str],
    request_method: str,
    request_headers: Optional[str] = None,
    *,
    private_network: bool = False,
) -> Dict[str, str]:
    """The request headers of a CORS preflight (``OPTIONS`` + ACRM)."""
    headers = {ACRM: request_method}
    if origin is not None:
        headers["Origin"] = origin
    if request_headers is not None:
        headers[ACRH] = request_headers
    if private_network:
        headers[ACRPN] = "true"
    return headers


@dataclass
class ServerResult:
    """What a strict PEP 3333 server would send: status, header list, body."""

    status: str
    headers: List[Tuple[str, str]]
    body: bytes
    start_response_calls: int


def run_pep3333(app: WSGIApplication, environ: WSGIEnvironment) -> ServerResult:
    """Run *app* like a strict PEP 3333 server would, ``exc_info`` included.

    Unlike werkzeug's test client, which re-raises whenever ``exc_info`` is
    given, this server accepts ``exc_info`` while no byte has been sent and
    re-raises it afterwards, as PEP 3333 says.
    """
    status: Optional[str] = None
    headers: List[Tuple[str, str]] = []
    chunks: List[bytes] = []
    sent = False
    calls = 0

    def write(data: bytes) -> None:
        nonlocal sent
        assert status is not None, "write() called before start_response()"
        sent = sent or bool(data)
        chunks.append(data)

    def start_response(
        new_status: str,
        new_headers: List[Tuple[str, str]],
        exc_info: Optional[OptExcInfo] = None,
    ) -> Any:
        nonlocal status, headers, calls
        calls += 1
        if exc_info is not None and exc_info[1] is not None:
            if sent:
                raise exc_info[1].with_traceback(exc_info[2])
        else:
            assert status is None, "start_response() called twice without exc_info"
        status = new_status
        headers = list(new_headers)
        return write

    result = app(environ, start_response)
    try:
        for chunk in result:
            assert status is not None, "body yielded before start_response()"
            sent = sent or bool(chunk)
            chunks.append(chunk)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    assert status is not None, "the application never called start_response()"
    return ServerResult(status, headers, b"".join(chunks), calls)


def protocol_checked(app: WSGIApplication) -> WSGIApplication:
    """Wrap *app* in werkzeug's LintMiddleware, then wsgiref's validator."""
    return validator(LintMiddleware(app))


class CORSClient:
    """A CORSMiddleware around an EchoApp, under both WSGI checkers, with a client.

    ``validator(LintMiddleware(CORSMiddleware(LintMiddleware(echo), **options)))``:
    the outer pair checks what the middleware sends, the inner linter checks how
    the middleware calls the app.
    """

    def __init__(self, app: EchoApp, middleware: CORSMiddleware) -> None:
        self.app = app
        self.middleware = middleware
        self.wsgi = protocol_checked(middleware)
        self.client = Client(self.wsgi)

    def open_environ(self, environ: WSGIEnvironment) -> TestResponse:
        """Send a prepared environ through werkzeug's Client, buffered and closed."""
        app_iter, status, headers = self.client.run_wsgi_app(environ, buffered=True)
        return TestResponse(app_iter, status, headers, request=Request(environ))

    def request(
        self,
        method: str = "GET",
        path: str = "/",
        headers: Optional[Mapping[str, str]] = None,
        **overrides: Any,
    ) -> TestResponse:
        return self.open_environ(make_environ(method, path, headers, **overrides))

    def preflight(
        self,
        origin: Optional[str],
        request_method: str,
        request_headers: Optional[str] = None,
        *,
        private_network: bool = False,
        path: str = "/",
        **overrides: Any,
    ) -> TestResponse:
        """An ``OPTIONS`` preflight, https://fetch.spec.whatwg.org/#cors-preflight-fetch."""
        headers = preflight_headers(
            origin, request_method, request_headers, private_network=private_network
        )
        return self.request("OPTIONS", path, headers, **overrides)

    def actual(
        self,
        origin: Optional[str],
        method: str = "GET",
        *,
        path: str = "/",
        headers: Optional[Mapping[str, str]] = None,
        **overrides: Any,
    ) -> TestResponse:
        """An actual (non-preflight) request, with ``Origin`` when given."""
        all_headers = dict(headers or {})
        if origin is not None:
            all_headers["Origin"] = origin
        return self.request(method, path, all_headers, **overrides)

    def serve(self, environ: WSGIEnvironment) -> ServerResult:
        """Run the checked stack under the strict PEP 3333 runner (exc_info paths)."""
        return run_pep3333(self.wsgi, environ)


def build_client(*, app: Optional[EchoApp] = None, **options: Any) -> CORSClient:
    """Wrap *app* (a fresh EchoApp by default) in ``CORSMiddleware(**options)``."""
    echo = app if app is not None else EchoApp()
    middleware = CORSMiddleware(LintMiddleware(echo), **options)
    return CORSClient(echo, middleware)


class MakeApp(Protocol):
    """The type of the ``make_app`` fixture."""

    def __call__(
        self, *, app: Optional[EchoApp] = None, **options: Any
    ) -> CORSClient: ...


def header_pairs(response: HeaderSource) -> List[Tuple[str, str]]:
    """The (name, value) pairs of a werkzeug response or of a raw header list."""
    if isinstance(response, TestResponse):
        return response.headers.to_wsgi_list()
    return [(name, value) for name, value in response]


def header_lines(response: HeaderSource, name: str) -> List[str]:
    """Every value of header *name* (case-insensitive), one per header line."""
    wanted = name.lower()
    return [value for key, value in header_pairs(response) if key.lower() == wanted]


def list_items(response: HeaderSource, name: str) -> List[str]:
    """The items of a list-valued header, over all its lines, trimmed, no empties."""
    items: List[str] = []
    for line in header_lines(response, name):
        items.extend(item.strip() for item in line.split(","))
    return [item for item in items if item]


def _comparable(name: str, items: Iterable[str]) -> List[str]:
    if name.lower() in NAME_LISTS:
        return [item.lower() for item in items]
    return list(items)


def assert_cors_headers(
    response: HeaderSource,
    expected: Mapping[str, str],
    absent: Iterable[str] = (),
) -> None:
    """Assert the response's CORS headers, the rs/cors ``assertHeaders`` way.

    - every header in *expected* appears on exactly one line; list-valued
      headers (Vary, Allow-Methods, Allow-Headers, Expose-Headers) are split on
      commas, trimmed and compared as sets, without duplicate items (header-name
      lists case-insensitively); single-valued headers are compared exactly;
    - every header in *absent* is missing;
    - the ``Access-Control-*`` headers of the response are exactly those in
      *expected*: any other one is a failure.

    Header names are compared case-insensitively.
    """
    pairs = header_pairs(response)
    for name, value in expected.items():
        lines = header_lines(pairs, name)
        assert len(lines) == 1, f"{name}: expected one header line, got {lines!r}"
        if name.lower() in LIST_VALUED:
            got = _comparable(name, list_items(pairs, name))
            want = _comparable(name, [v.strip() for v in value.split(",") if v.strip()])
            assert len(got) == len(set(got)), f"{name}: duplicate items in {lines!r}"
            assert set(got) == set(want), f"{name}: expected {value!r}, got {lines!r}"
        else:
            assert lines[0] == value, f"{name}: expected {value!r}, got {lines[0]!r}"
    for name in absent:
        lines = header_lines(pairs, name)
        assert not lines, f"{name}: expected no such header, got {lines!r}"
    got_cors = {key.lower() for key, _ in pairs if _is_cors(key)}
    want_cors = {key.lower() for key in expected if _is_cors(key)}
    assert got_cors == want_cors, (
        f"Access-Control-* headers: expected {sorted(want_cors)}, "
        f"got {sorted(got_cors)}"
    )


def _is_cors(name: str) -> bool:
    return name.lower().startswith("access-control-")
