"""Misbehaving WSGI applications for ``tests/test_faults.py``.

Each fault is a function ``(environ, start_response, record) -> iterable`` that
fails in one of the ways PEP 3333 lets an application fail: raising before or
after ``start_response``, a body that raises half-way, a slow stream whose
client goes away, ``start_response`` called a second time with or without
``exc_info``. Every body is a :class:`RecordingBody`, whose ``close()`` calls
``record("close")``, so that a test can count how often the server (through
the middleware, or not) closed it.

:data:`application` serves the faults on real servers: ``/fault/NAME`` runs
fault ``NAME`` and records each ``close()`` as one line in the file named
after the request's ``X-Fault-Id`` header, in the folder that the
``FAULTS_RECORD_DIR`` environment variable names. Any other path answers
200, which the server harness uses to see that the server is up.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, Iterable, Iterator

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

Record = Callable[[str], None]
Fault = Callable[["WSGIEnvironment", "StartResponse", Record], Iterable[bytes]]

TEXT = ("Content-Type", "text/plain; charset=utf-8")
FIRST = b"first chunk\n"
#: How many chunks the slow stream sends, and the pause before each one.
SLOW_CHUNKS = 40
SLOW_PAUSE = 0.05


class AppFailure(Exception):
    """The exception the faulty applications raise."""


class RecordingBody:
    """An application iterable over *chunks* whose ``close()`` is recorded."""

    def __init__(self, chunks: Iterator[bytes], record: Record) -> None:
        self._chunks = chunks
        self._record = record

    def __iter__(self) -> Iterator[bytes]:
        return self._chunks

    def close(self) -> None:
        self._record("close")
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()


def raise_before_start(
    environ: WSGIEnvironment, start_response: StartResponse, record: Record
) -> Iterable[bytes]:
    raise AppFailure("failed before start_response")


def raise_after_start(
    environ: WSGIEnvironment, start_response: StartResponse, record: Record
) -> Iterable[bytes]:
    start_response("200 OK", [TEXT])
    raise AppFailure("failed after start_response")


def raise_mid_stream(
    environ: WSGIEnvironment, start_response: StartResponse, record: Record
) -> Iterable[bytes]:
    def chunks() -> Iterator[bytes]:
        yield FIRST
        raise AppFailure("failed half-way through the body")

    start_response("200 OK", [TEXT])
    return RecordingBody(chunks(), record)


def slow_stream(
    environ: WSGIEnvironment, start_response: StartResponse, record: Record
) -> Iterable[bytes]:
    pause = SLOW_PAUSE if environ.get("QUERY_STRING") == "slow" else 0.0

    def chunks() -> Iterator[bytes]:
        yield FIRST
        for number in range(1, SLOW_CHUNKS):
            time.sleep(pause)
            yield b"chunk %d\n" % number

    start_response("200 OK", [TEXT])
    return RecordingBody(chunks(), record)


def complete(
    environ: WSGIEnvironment, start_response: StartResponse, record: Record
) -> Iterable[bytes]:
    start_response("200 OK", [TEXT, ("Content-Length", str(3 * len(FIRST)))])
    return RecordingBody(iter([FIRST, FIRST, FIRST]), record)


def second_start_before_sent(
    environ: WSGIEnvironment, start_response: StartResponse, record: Record
) -> Iterable[bytes]:
    start_response("200 OK", [TEXT])
    start_response("201 Created", [TEXT])
    return RecordingBody(iter([FIRST]), record)


def second_start_after_sent(
    environ: WSGIEnvironment, start_response: StartResponse, record: Record
) -> Iterable[bytes]:
    def chunks() -> Iterator[bytes]:
        yield FIRST
        start_response("500 Internal Server Error", [TEXT])
        yield b"never sent\n"

    start_response("200 OK", [TEXT])
    return RecordingBody(chunks(), record)


def exc_info_before_sent(
    environ: WSGIEnvironment, start_response: StartResponse, record: Record
) -> Iterable[bytes]:
    start_response("200 OK", [TEXT, ("X-Replaced", "yes")])
    try:
        raise AppFailure("failed before the headers were sent")
    except AppFailure:
        start_response("500 Internal Server Error", [TEXT], sys.exc_info())
    return RecordingBody(iter([b"the app failed\n"]), record)


def exc_info_after_sent(
    environ: WSGIEnvironment, start_response: StartResponse, record: Record
) -> Iterable[bytes]:
    def chunks() -> Iterator[bytes]:
        yield FIRST
        try:
            raise AppFailure("failed after the headers were sent")
        except AppFailure:
            start_response("500 Internal Server Error", [TEXT], sys.exc_info())
        yield b"never sent\n"

    start_response("200 OK", [TEXT])
    return RecordingBody(chunks(), record)


FAULTS: Dict[str, Fault] = {
    fault.__name__: fault
    for fault in (
        raise_before_start,
        raise_after_start,
        raise_mid_stream,
        slow_stream,
        complete,
        second_start_before_sent,
        second_start_after_sent,
        exc_info_before_sent,
        exc_info_after_sent,
    )
}
#: The faults whose application raises before it returns an iterable, so that
#: there is nothing to close (the second ``start_response`` raises in the app).
NO_BODY = frozenset(
    {"raise_before_start", "raise_after_start", "second_start_before_sent"}
)


def file_recorder(folder: str, fault_id: str) -> Record:
    """A :data:`Record` that appends each event as a line to ``folder/fault_id``."""
    path = Path(folder) / fault_id

    def record(event: str) -> None:
        with path.open("a", encoding="ascii") as log:
            log.write(event + "\n")

    return record


def application(
    environ: WSGIEnvironment, start_response: StartResponse
) -> Iterable[bytes]:
    path: str = environ.get("PATH_INFO", "")
    name = path[len("/fault/") :] if path.startswith("/fault/") else ""
    if name not in FAULTS:
        start_response("200 OK", [TEXT, ("Content-Length", "3")])
        return [b"up\n"]
    fault_id = environ["HTTP_X_FAULT_ID"]
    assert fault_id.isalnum(), fault_id
    record = file_recorder(os.environ["FAULTS_RECORD_DIR"], fault_id)
    return FAULTS[name](environ, start_response, record)
