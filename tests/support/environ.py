"""Request environs, and a strict PEP 3333 server loop to run an app on one."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Tuple

from werkzeug.test import EnvironBuilder

from tests.support.headers import ACRH, ACRM, ACRPN

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment


def plain_environ(method: str, path: str) -> Dict[str, Any]:
    """A complete PEP 3333 environ for *method* and *path*, no request headers."""
    return {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "api.example.com",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


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
