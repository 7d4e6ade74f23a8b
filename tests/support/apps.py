"""WSGI applications the middleware wraps in the tests."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Iterator, List, Optional, Sequence, Tuple

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

#: The body the echo app answers with.
APP_BODY = b"hello from the app"


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
            return ClosingBody([body], self)
        if self.use_write:
            write = start_response(self.status, self._headers(self.status, body))
            write(body)
            return ClosingBody([], self)
        start_response(self.status, self._headers(self.status, body))
        return ClosingBody([body], self)
