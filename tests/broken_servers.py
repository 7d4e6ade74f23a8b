"""Servers for the tests of ``cors-wsgi check``, each on 127.0.0.1, in a thread.

``serve(app)`` runs a WSGI app on wsgiref's server (one thread per request)
on a free port; ``serve_tcp(handler)`` runs a raw TCP server for answers that
are not HTTP. The WSGI apps below get CORS wrong in the ways audits of real
servers keep finding: hand-written code that copies ``Origin`` into
``Access-Control-Allow-Origin`` after a check that is too loose.
"""

from __future__ import annotations

import contextlib
import re
import socket
import socketserver
import struct
import threading
from typing import (
    TYPE_CHECKING,
    Callable,
    Iterable,
    Iterator,
    List,
    Optional,
    Tuple,
    Type,
)
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

ALLOWED = "https://app.example.com"


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    # wsgiref logs every request to standard error; the tests read stdout only,
    # but a quiet log keeps pytest's captured output readable.
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(app: WSGIApplication) -> Iterator[str]:
    """Serve *app* on 127.0.0.1 on a free port; yields ``http://127.0.0.1:PORT``."""
    httpd = make_server(
        "127.0.0.1",
        0,
        app,
        server_class=_ThreadingWSGIServer,
        handler_class=_QuietHandler,
    )
    # A short poll interval: shutdown() waits for the next poll.
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, handler: Type[socketserver.BaseRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.stopping = threading.Event()


@contextlib.contextmanager
def serve_tcp(handler: Type[socketserver.BaseRequestHandler]) -> Iterator[int]:
    """Run a raw TCP server with *handler* on 127.0.0.1; yields its port."""
    server = _TCPServer(handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class Garbage(socketserver.BaseRequestHandler):
    """Reads what the client sends (a request, or a TLS hello), answers noise."""

    def handle(self) -> None:
        self.request.recv(65536)
        self.request.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")


class Silent(socketserver.BaseRequestHandler):
    """Accepts the connection and never answers (until the server stops)."""

    def handle(self) -> None:
        self.request.recv(65536)
        server = self.server
        assert isinstance(server, _TCPServer)
        server.stopping.wait(10)


class Reset(socketserver.BaseRequestHandler):
    """Reads the request, then resets the connection (TCP RST)."""

    def handle(self) -> None:
        self.request.recv(65536)
        self.request.setsockopt(
            socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
        )
        # Closed here: socketserver would send a FIN (shutdown) first.
        self.request.close()


@contextlib.contextmanager
def closed_port() -> Iterator[int]:
    """A port on 127.0.0.1 that is bound but not listening: connections fail."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]
    finally:
        sock.close()


Headers = List[Tuple[str, str]]


def cors_app(
    allowed: Callable[[str], bool],
    *,
    credentials: bool = True,
    vary: bool = True,
    wildcard: bool = False,
    preflight_allowed: Optional[Callable[[str], bool]] = None,
    expose: str = "",
    seen: Optional[List[WSGIEnvironment]] = None,
) -> WSGIApplication:
    """A hand-written CORS app: it echoes the origins *allowed* says yes to.

    Preflights (OPTIONS with Access-Control-Request-Method) get 204 and
    allow whatever was requested; other requests get a small JSON answer.
    *wildcard* answers ``*`` instead of the origin; *preflight_allowed*, when
    given, decides the preflights instead of *allowed*; *seen* collects the
    environ of each request.
    """

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if seen is not None:
            seen.append(environ)
        origin = environ.get("HTTP_ORIGIN", "")
        method = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
        preflight = environ["REQUEST_METHOD"] == "OPTIONS" and method is not None
        decide = preflight_allowed if preflight and preflight_allowed else allowed
        headers: Headers = []
        if origin and decide(origin):
            headers.append(("Access-Control-Allow-Origin", "*" if wildcard else origin))
            if credentials:
                headers.append(("Access-Control-Allow-Credentials", "true"))
            if expose:
                headers.append(("Access-Control-Expose-Headers", expose))
            if preflight:
                headers.append(("Access-Control-Allow-Methods", str(method)))
                requested = environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS")
                if requested:
                    headers.append(("Access-Control-Allow-Headers", requested))
        if vary:
            headers.append(("Vary", "Origin"))
        if preflight:
            start_response("204 No Content", headers)
            return []
        body = b'{"items": []}'
        headers += [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("X-Total", "0"),
        ]
        start_response("200 OK", headers)
        return [body]

    return app


def reflect_any_origin() -> WSGIApplication:
    """Every origin allowed, with credentials: the classic reflection bug."""
    return cors_app(lambda origin: True)


def unanchored_regex() -> WSGIApplication:
    """``re.match`` checks only the beginning: ``...com.evil.invalid`` passes."""
    return cors_app(lambda origin: bool(re.match(r"https://app\.example\.com", origin)))


def unescaped_dot_regex() -> WSGIApplication:
    """The dots of the pattern are not escaped: ``appxexample.com`` passes."""
    return cors_app(
        lambda origin: bool(re.fullmatch(r"https://app.example.com", origin))
    )


def endswith_check() -> WSGIApplication:
    """``endswith`` without a dot: ``https://evilapp.example.com`` passes."""
    return cors_app(lambda origin: origin.endswith("app.example.com"))


def wildcard_with_credentials() -> WSGIApplication:
    """``*`` with ``Access-Control-Allow-Credentials: true``: browsers refuse it."""
    return cors_app(lambda origin: True, wildcard=True, vary=False)


def null_with_credentials() -> WSGIApplication:
    """The ``null`` origin allowed with credentials (any sandboxed iframe)."""
    return cors_app(lambda origin: origin in (ALLOWED, "null"))


def no_vary() -> WSGIApplication:
    """The right origin echoed, without ``Vary: Origin``."""
    return cors_app(lambda origin: origin == ALLOWED, vary=False)


def preflight_reflects_any() -> WSGIApplication:
    """Preflights say yes to everyone, actual requests check the origin."""
    return cors_app(lambda origin: origin == ALLOWED, preflight_allowed=lambda o: True)


def redirect(allow_origin: Optional[str]) -> WSGIApplication:
    """Every request redirected to ``/elsewhere`` (with *allow_origin*, if any)."""

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        headers = [("Location", "/elsewhere"), ("Content-Length", "0")]
        if allow_origin is not None:
            headers.append(("Access-Control-Allow-Origin", allow_origin))
        start_response("302 Found", headers)
        return []

    return app
