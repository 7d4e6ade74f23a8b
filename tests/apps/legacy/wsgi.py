"""``legacy.wsgi:application``: one route per kind of response a server sends.

- ``/``: 200 with its own ``Vary: Accept-Encoding``, an ``X-Request-Id`` and a
  stray ``Access-Control-Allow-Origin`` that the middleware must replace;
- ``/error``: a plain 500;
- ``/exc-info``: a 200 started, then replaced after an exception by a 500
  through ``start_response(..., exc_info)`` (PEP 3333);
- ``/stream``: a body from a generator, without Content-Length;
- ``/echo``: the request body, read to its end (chunked request bodies too).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Iterable, Iterator

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

TEXT = ("Content-Type", "text/plain; charset=utf-8")
STREAM_CHUNKS = tuple(f"chunk {n}\n".encode() for n in range(5))


def _stream() -> Iterator[bytes]:
    yield from STREAM_CHUNKS


def _body(environ: WSGIEnvironment) -> bytes:
    length = environ.get("CONTENT_LENGTH")
    if length:
        data: bytes = environ["wsgi.input"].read(int(length))
    else:
        data = environ["wsgi.input"].read()
    return data


def application(
    environ: WSGIEnvironment, start_response: StartResponse
) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "")
    if path == "/error":
        start_response("500 Internal Server Error", [TEXT])
        return [b"the legacy app failed\n"]
    if path == "/exc-info":
        start_response("200 OK", [TEXT])
        try:
            raise RuntimeError("the legacy app failed after starting its response")
        except RuntimeError:
            start_response("500 Internal Server Error", [TEXT], sys.exc_info())
        return [b"the legacy app failed\n"]
    if path == "/stream":
        start_response("200 OK", [TEXT])
        return _stream()
    if path == "/echo":
        body = _body(environ)
        start_response("200 OK", [TEXT, ("Content-Length", str(len(body)))])
        return [body]
    body = b"hello from the legacy app\n"
    start_response(
        "200 OK",
        [
            TEXT,
            ("Content-Length", str(len(body))),
            ("Vary", "Accept-Encoding"),
            ("X-Request-Id", "42"),
            ("Access-Control-Allow-Origin", "https://stray.example"),
        ],
    )
    return [body]
