"""``tests.soak.app:application``: the app the soak serves behind cors_wsgi.

Every answer the app itself makes carries ``X-Soak-App: 1``, so that the
soak can tell a 5xx of the app from one of the middleware or the server.

- ``/api/...``: 200 with a body naming the path and method (POST bodies are
  read and their length echoed);
- ``/api/vary``: the same, with the app's own ``Vary: Accept-Encoding``;
- ``/api/stray``: the same, with a stray ``Access-Control-Allow-Origin: *``
  that the middleware must replace (API.md rule 5);
- ``/stream/N``: N chunks from a generator, without Content-Length;
- ``/error``: a 500 of the app's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Iterator, List, Tuple

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

MARK = ("X-Soak-App", "1")
TEXT = ("Content-Type", "text/plain; charset=utf-8")
ERROR_BODY = b"the soak app failed on purpose\n"


def chunk(number: int) -> bytes:
    """The *number*-th chunk of a ``/stream/N`` body."""
    return b"chunk %d of the stream\n" % number


def api_body(method: str, path: str, received: int) -> bytes:
    """The body of an ``/api/...`` answer."""
    return f"{method} {path} {received}\n".encode("latin-1")


def _stream(count: int) -> Iterator[bytes]:
    for number in range(count):
        yield chunk(number)


def application(
    environ: WSGIEnvironment, start_response: StartResponse
) -> Iterable[bytes]:
    path: str = environ.get("PATH_INFO", "")
    method: str = environ["REQUEST_METHOD"]
    if path == "/error":
        start_response("500 Internal Server Error", [TEXT, MARK])
        return [ERROR_BODY]
    if path.startswith("/stream/"):
        start_response("200 OK", [TEXT, MARK])
        return _stream(int(path[len("/stream/") :]))
    length = int(environ.get("CONTENT_LENGTH") or 0)
    received = len(environ["wsgi.input"].read(length)) if length else 0
    body = b"" if method == "HEAD" else api_body(method, path, received)
    headers: List[Tuple[str, str]] = [
        TEXT,
        MARK,
        ("Content-Length", str(len(body))),
        ("X-Request-Id", "soak"),
    ]
    if path == "/api/vary":
        headers.append(("Vary", "Accept-Encoding"))
    elif path == "/api/stray":
        headers.append(("Access-Control-Allow-Origin", "*"))
    start_response("200 OK", headers)
    return [body]
